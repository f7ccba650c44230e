/*
Alerts reach the person through the terminal the panel runs in (issue 13): a bell, which every
terminal knows, and a desktop notification where the terminal has one: OSC 9 (iTerm2, kitty,
Windows Terminal's and VS Code's terminals, Warp) or OSC 777 `notify` (urxvt, foot, WezTerm,
Ghostty). Which one is told from the environment the terminal sets; an unknown terminal gets the
bell alone, never a sequence it might print. Inside tmux the sequence is passed through to the
terminal outside (tmux ≥ 3.3 with `allow-passthrough on`; without it tmux drops it, harmlessly).
*/
import type {Alert} from '../usage/alerts.js';

export type Notify = (alert: Alert) => void;

export type NotificationKind = 'osc9' | 'osc777' | 'bell';

const OSC777_TERMS = /^(?:foot|rxvt-unicode|xterm-ghostty)/;

/** The desktop notification this terminal understands, else the bell alone. */
export const notificationKind = (env: NodeJS.ProcessEnv): NotificationKind => {
	const program = env['TERM_PROGRAM'] ?? '';
	const term = env['TERM'] ?? '';
	if (
		program === 'WezTerm' ||
		program === 'ghostty' ||
		env['WEZTERM_PANE'] !== undefined ||
		env['GHOSTTY_RESOURCES_DIR'] !== undefined ||
		OSC777_TERMS.test(term)
	) {
		return 'osc777';
	}

	if (
		program === 'iTerm.app' ||
		program === 'vscode' ||
		program === 'WarpTerminal' ||
		env['LC_TERMINAL'] === 'iTerm2' ||
		env['KITTY_WINDOW_ID'] !== undefined ||
		env['WT_SESSION'] !== undefined ||
		term === 'xterm-kitty'
	) {
		return 'osc9';
	}

	return 'bell';
};

// A notification's text is printed by the terminal: no controls in it, and no `;` in a title
// (OSC 777 separates its fields with it).
const clean = (text: string) =>
	text.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, '').slice(0, 200);

/** The bytes for one alert: the bell, then the notification where there is one. */
export const notificationBytes = (
	alert: Alert,
	kind: NotificationKind,
	inTmux: boolean,
): string => {
	let sequence = '';
	if (kind === 'osc9') {
		sequence = `\u001B]9;${clean(`pi-auth: ${alert.body}`)}\u0007`;
	} else if (kind === 'osc777') {
		sequence = `\u001B]777;notify;${clean(`pi-auth: ${alert.title}`).replaceAll(';', ',')};${clean(alert.body)}\u0007`;
	}

	if (sequence && inTmux) {
		// tmux's passthrough: the sequence inside a DCS, its escapes doubled.
		sequence = `\u001BPtmux;${sequence.replaceAll('\u001B', '\u001B\u001B')}\u001B\\`;
	}

	return `\u0007${sequence}`;
};

/** Alerts written to the terminal the panel draws in. */
export const terminalNotifier = (
	stream: {write: (text: string) => unknown},
	env: NodeJS.ProcessEnv,
): Notify => {
	const kind = notificationKind(env);
	const inTmux = Boolean(env['TMUX']);
	return alert => {
		stream.write(notificationBytes(alert, kind, inTmux));
	};
};
