import {Text, useInput} from 'ink';
import {useRef, useState} from 'react';
import {useLatest} from '../hooks/use-latest.js';
import {theme} from '../theme.js';

// Bracketed-paste markers, with or without the ESC that ink may already have stripped.
const PASTE_MARKERS = /\u001B?\[20[01]~/g;
const LONG = 64;

const shown = (value: string, mask: boolean): string => {
	if (mask) {
		return value.length > LONG
			? `${'•'.repeat(24)}… (${value.length} characters)`
			: '•'.repeat(value.length);
	}

	return value.length > LONG
		? `${value.slice(0, 36)}…${value.slice(-16)} (${value.length} characters)`
		: value;
};

/**
A one-line input built for pasting codes, URLs and tokens. ink-text-input loses text when a paste
arrives in several chunks within one tick and keeps bracketed-paste markers and a trailing CR
(docs/testing.md), so the value lives in a ref that every key event updates synchronously. A line break
inside pasted text submits what came before it, so a paste ending in a newline just works. The
field empties itself after each submit; the caller shows why a value was refused.
*/
export const PasteField = ({
	onSubmit,
	onEdit,
	mask = false,
	placeholder = '',
	isActive = true,
	shortcuts = {},
}: {
	onSubmit: (value: string) => void;
	/** Told when the text changes by typing (a refusal shown for the last value can go). */
	onEdit?: () => void;
	mask?: boolean;
	placeholder?: string;
	isActive?: boolean;
	/** Single keys that act (`c` copies) while the field is still empty, instead of being typed. */
	shortcuts?: Record<string, () => void>;
}) => {
	const value = useRef('');
	const [text, setText] = useState('');
	const submit = useLatest(onSubmit);
	const edited = useLatest(onEdit);
	const keys = useLatest(shortcuts);

	useInput(
		(input, key) => {
			if (key.return) {
				const submitted = value.current;
				value.current = '';
				setText('');
				submit.current(submitted);
				return;
			}

			if (key.backspace || key.delete) {
				value.current = value.current.slice(0, -1);
			} else if (key.ctrl && input === 'u') {
				value.current = '';
			} else if (key.ctrl || key.meta || key.escape || key.tab) {
				return;
			} else if (value.current === '' && keys.current[input]) {
				keys.current[input]?.();
				return;
			} else {
				const clean = input.replace(PASTE_MARKERS, '');
				const lineBreak = clean.search(/[\r\n]/);
				if (lineBreak === -1) {
					value.current += clean;
				} else {
					const submitted = value.current + clean.slice(0, lineBreak);
					value.current = '';
					setText('');
					submit.current(submitted);
					return;
				}
			}

			setText(value.current);
			edited.current?.();
		},
		{isActive},
	);

	return (
		<Text>
			<Text color={theme.accent}>{'> '}</Text>
			{text === '' ? (
				<Text color={theme.muted}>{placeholder}</Text>
			) : (
				shown(text, mask)
			)}
			{isActive ? <Text inverse> </Text> : null}
		</Text>
	);
};
