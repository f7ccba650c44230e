/*
The one sanitiser for text pi-auth did not write itself: what a provider answers (account emails
and logins, device codes, plan names, messages) and what the credential file holds (other tools
write it too). Such text is printed to a terminal and stored, and a terminal obeys control
characters in it: ESC starts OSC 52 (sets the clipboard), OSC 8 (links) and CSI (moves, erases,
recolours); the C1 forms U+009B (CSI) and U+009D (OSC) do the same without ESC where 8-bit controls
are honoured; BEL, BS and CR rewrite what is shown. An email carrying `ESC ] 52 ; c ; …` put a
command on the clipboard of whoever ran `pi-auth status`.

Removed: every C0 control (U+0000–U+001F, tab and line breaks included: a name, a code or a message
never needs one), DEL (U+007F) and every C1 control (U+0080–U+009F), i.e. Unicode's whole Cc
category. Everything else is kept: letters of any script, emoji, and format characters such as
bidi marks, which can change how a line looks but cannot drive the terminal.

Applied where provider answers are parsed (the adapters, the usage readers, the stored account
label) and again where anything from a provider or the file is printed (commands/io.ts for
scripted output, the UI's draw of accounts, codes and messages, run.ts for error messages).
*/
const CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g;

/** `value` without C0 controls, DEL and C1 controls. */
export const printable = (value: string): string => value.replace(CONTROLS, '');

/** A provider's string made printable; undefined when it is not a string or nothing is left. */
export const printableText = (value: unknown): string | undefined => {
	if (typeof value !== 'string') return undefined;
	const text = printable(value);
	return text === '' ? undefined : text;
};
