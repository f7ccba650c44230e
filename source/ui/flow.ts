/*
Fitting short phrases into a terminal's width without cutting one in half. Ink wraps a Text at any
space, so "resets in 2h 10m (15:20)" can end up as "resets in" on one line and "2h 10m (15:20)" on
the next, and a key hint as "l sign" / "in" (issue 14). Here whole phrases are placed on lines; a
line breaks only between them.
*/
import stringWidth from './text-width.js';

export const SEPARATOR = ' · ';

/** The columns a string takes on screen (the same measure Ink uses, text-width.ts). */
export const widthOf = (text: string): number => stringWidth(text);

/**
`phrases` in order, as many on each line as fit in `width` with `separator` between them. A phrase
wider than a line keeps a line of its own (Ink then wraps it, as it would any long text).
*/
export const flowPhrases = (
	phrases: readonly string[],
	width: number,
	separator = SEPARATOR,
): string[][] => {
	const lines: string[][] = [];
	let line: string[] = [];
	let used = 0;
	for (const phrase of phrases) {
		const size = widthOf(phrase);
		if (line.length > 0 && used + widthOf(separator) + size > width) {
			lines.push(line);
			line = [];
			used = 0;
		}

		used += (line.length > 0 ? widthOf(separator) : 0) + size;
		line.push(phrase);
	}

	if (line.length > 0) lines.push(line);
	return lines;
};

/** How many lines a text takes once Ink has wrapped it to `width` (at least one). */
export const linesOf = (text: string, width: number): number =>
	text === ''
		? 1
		: flowPhrases(text.split(' '), Math.max(1, width), ' ').reduce(
				(count, line) =>
					count + Math.max(1, Math.ceil(widthOf(line.join(' ')) / width)),
				0,
			);
