/*
The terminal width of a string, for Ink's layout and wrapping: scripts/build.js puts this module in
place of `string-width` in the UI bundle, and test/ui/text-width.test.ts checks that it gives the
same widths as string-width.

string-width builds its regular expressions and a grapheme segmenter when it is loaded; the one for
`\p{RGI_Emoji}` expands to every emoji sequence Unicode lists. Together that was the largest single
cost before the wizard's first frame (npm run bench), and the segmenter ran over every line with a
`—` or `❯` in it on every frame. Here a line whose code points each stand alone is the sum of their
East Asian Widths, with no segmenter or expression beyond one character class; other lines follow
string-width's rules (below), with the segmenter and the emoji expression made on first need.
*/
import {eastAsianWidth} from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';
import {JOINS, graphemes} from './graphemes.js';

type Options = {ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean};
type Wide = {ambiguousAsWide: boolean};

// Printable ASCII: one column each.
const ASCII = /^[\u0020-\u007E]*$/;
// Code points that take no column: controls and default-ignorable ones (Unicode's list).
const ZERO = /[\p{Cc}\p{Default_Ignorable_Code_Point}]/u;
// Where a cluster's drawing starts: not a control, format, combining mark or lone surrogate.
const VISIBLE =
	/[^\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Mn}\p{Me}\p{Cs}]/u;
const SPACING_MARK = /\p{Mc}/u;
const KEYCAP = /^[\d#*]\u20E3$/;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/gu;
let rgiEmoji: RegExp | undefined;

const isEmoji = (cluster: string): boolean => {
	// Made on first need: it expands to thousands of sequences.
	rgiEmoji ??= new RegExp('^\\p{RGI_Emoji}$', 'v');
	if (rgiEmoji.test(cluster) || KEYCAP.test(cluster)) return true;
	// A ZWJ sequence of two or more pictographs that Unicode does not list still draws as one.
	return (
		cluster.length <= 50 &&
		cluster.includes('\u200D') &&
		(cluster.match(PICTOGRAPHIC)?.length ?? 0) >= 2
	);
};

const isLeadingJamo = (code: number) =>
	(code >= 0x11_00 && code <= 0x11_5f) || (code >= 0xa9_60 && code <= 0xa9_7c);
const isVowelJamo = (code: number | undefined) =>
	code !== undefined &&
	((code >= 0x11_60 && code <= 0x11_a7) ||
		(code >= 0xd7_b0 && code <= 0xd7_c6));
const isTrailingJamo = (code: number | undefined) =>
	code !== undefined &&
	((code >= 0x11_a8 && code <= 0x11_ff) ||
		(code >= 0xd7_cb && code <= 0xd7_fb));
const isJamo = (code: number) =>
	isLeadingJamo(code) || isVowelJamo(code) || isTrailingJamo(code);

/**
A cluster that starts with Hangul jamo: a modern leading + vowel (+ trailing) run draws as one
two-column syllable; other jamo add their own widths. Undefined when it does not start with jamo.
*/
const jamoWidth = (visible: string, wide: Wide): number | undefined => {
	const codes = [...visible]
		.filter(character => VISIBLE.test(character))
		.map(character => character.codePointAt(0) ?? 0);
	if (codes.length === 0 || !isJamo(codes[0] ?? 0)) return undefined;
	let width = 0;
	for (let index = 0; index < codes.length; index++) {
		const code = codes[index] ?? 0;
		if (!isJamo(code)) {
			for (const rest of codes.slice(index))
				width += eastAsianWidth(rest, wide);
			return width;
		}

		if (isLeadingJamo(code) && isVowelJamo(codes[index + 1])) {
			width += 2;
			index += isTrailingJamo(codes[index + 2]) ? 2 : 1;
			continue;
		}

		width += eastAsianWidth(code, wide);
	}

	return width;
};

/** One grapheme cluster, by string-width's rules. */
const clusterWidth = (cluster: string, wide: Wide): number => {
	const start = cluster.search(VISIBLE);
	if (start === -1) return 0;
	if (isEmoji(cluster)) return 2;
	const visible = cluster.slice(start);
	const jamo = jamoWidth(visible, wide);
	if (jamo !== undefined) return jamo;
	const [base = '', ...rest] = visible;
	let width = eastAsianWidth(base.codePointAt(0) ?? 0, wide);
	// Spacing marks and halfwidth/fullwidth forms after the base take columns of their own.
	for (const character of rest) {
		if (
			SPACING_MARK.test(character) ||
			(character >= '\uFF00' && character <= '\uFFEF')
		) {
			width += eastAsianWidth(character.codePointAt(0) ?? 0, wide);
		}
	}

	return width;
};

export default function stringWidth(input: string, options: Options = {}) {
	if (typeof input !== 'string' || input.length === 0) return 0;
	const {ambiguousIsNarrow = true, countAnsiEscapeCodes = false} = options;
	let string = input;
	if (
		!countAnsiEscapeCodes &&
		(string.includes('\u001B') || string.includes('\u009B'))
	) {
		string = stripAnsi(string);
	}

	if (ASCII.test(string)) return string.length;
	const wide = {ambiguousAsWide: !ambiguousIsNarrow};
	let width = 0;
	if (JOINS.test(string) || ZERO.test(string)) {
		for (const {segment} of graphemes.segment(string)) {
			width += clusterWidth(segment, wide);
		}

		return width;
	}

	// Every code point is a cluster of its own, visible, in the BMP, and no emoji sequence.
	for (let index = 0; index < string.length; index++) {
		const code = string.charCodeAt(index);
		width += code < 0x7f ? 1 : eastAsianWidth(code, wide);
	}

	return width;
}
