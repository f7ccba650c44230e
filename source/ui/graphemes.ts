/*
Grapheme clusters for the terminal UI, with Intl.Segmenter only where it can change the answer.

Ink's output (through @alcalzone/ansi-tokenize and slice-ansi) splits every line it draws into
grapheme clusters, and each of those libraries creates an Intl.Segmenter when it is loaded. The
first one loads ICU's break-iterator data: about 15 ms before the first frame (npm run bench),
spent on lines that are plain text. scripts/build.js hands them this object instead.

A string without code points that join a cluster to the one before (marks, ZWJ and other format
characters, surrogate pairs, CR of CR LF, Hangul jamo, prepended and spacing letters) has one
cluster per UTF-16 unit (Unicode UAX #29: every other pair of code points is a break). Such strings
are split here; any other string goes to a real Intl.Segmenter, created the first time one is
needed. test/ui/graphemes.test.ts checks both against Intl.Segmenter.
*/

export type Grapheme = {segment: string; index: number; input: string};

export type Graphemes = Iterable<Grapheme> & {
	containing: (index?: number) => Grapheme | undefined;
};

/*
UAX #29: GB3 (CR × LF), GB6–8 (Hangul L, V, T jamo; a syllable before T), GB9 (× Extend, ZWJ:
marks, ZWNJ, halfwidth sound marks), GB9a (× SpacingMark: Mc, Thai and Lao AM), GB9b (Prepend ×:
Arabic number signs and others, all Cf, and Malayalam dot reph), GB11–13 (emoji and regional
indicators: astral, so any code point past the BMP, and lone surrogates). Cf covers ZWJ, ZWNJ
and the prepended format characters.
*/
export const JOINS =
	/[\p{M}\p{Cf}\p{Cs}\u{10000}-\u{10FFFF}\r\u0D4E\u0E33\u0EB3\u1100-\u11FF\uA960-\uA97F\uD7B0-\uD7FF\uFF9E\uFF9F]/u;

let segmenter: Intl.Segmenter | undefined;

const real = (input: string): Graphemes =>
	(segmenter ??= new Intl.Segmenter(undefined, {
		granularity: 'grapheme',
	})).segment(input) as unknown as Graphemes;

const units = (input: string): Graphemes => ({
	*[Symbol.iterator]() {
		for (let index = 0; index < input.length; index++) {
			yield {segment: input.charAt(index), index, input};
		}
	},
	containing(index = 0) {
		const at = Math.trunc(index);
		return at >= 0 && at < input.length
			? {segment: input.charAt(at), index: at, input}
			: undefined;
	},
});

/** A stand-in for `new Intl.Segmenter(undefined, {granularity: 'grapheme'})`. */
export const graphemes = {
	segment: (input: string): Graphemes =>
		JOINS.test(input) ? real(input) : units(input),
};
