import fc from 'fast-check';
import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {graphemes} from '../../source/ui/graphemes.js';
import textWidth from '../../source/ui/text-width.js';

/*
The UI bundle measures and splits text with these instead of string-width and Intl.Segmenter
(scripts/build.js). They must give the same answers, on plain text and on everything that joins.
*/
const tricky = [
	'a',
	' ',
	'—',
	'❯',
	'█',
	'░',
	'·',
	'é',
	'e\u0301',
	'中',
	'ｱ',
	'ﾞ',
	'\uFF9E',
	'\u1100',
	'\u1161',
	'\u11A8',
	'\uAC00',
	'\u200D',
	'\u200C',
	'\uFE0F',
	'\u20E3',
	'#',
	'\u00AD',
	'\u3164',
	'\u0600',
	'\u0D4E',
	'\u0E33',
	'\u0915',
	'\u093F',
	'\r',
	'\n',
	'\t',
	'\u001B[31m',
	'\u001B[0m',
	'\u001B]8;;https://example.com\u0007',
	'\u009B',
	'\u0000',
	'😀',
	'👩',
	'💻',
	'🏽',
	'🇩',
	'🇪',
	'❤',
	'⌚',
	'\uD800',
	'\uDC00',
	'\u{E0067}',
	'\u{1F3F4}',
];
const text = fc
	.array(
		fc.oneof(
			fc.constantFrom(...tricky),
			fc.string({unit: 'grapheme', maxLength: 3}),
			fc.string({unit: 'binary', maxLength: 3}),
		),
		{maxLength: 12},
	)
	.map(parts => parts.join(''));

describe('text width (string-width in the UI bundle)', () => {
	it('gives string-width’s answer for every character of the BMP', () => {
		for (let code = 0; code <= 0xff_ff; code++) {
			const character = String.fromCharCode(code);
			for (const ambiguousIsNarrow of [true, false]) {
				const options = {ambiguousIsNarrow};
				if (textWidth(character, options) !== stringWidth(character, options)) {
					expect({code, width: textWidth(character, options)}).toEqual({
						code,
						width: stringWidth(character, options),
					});
				}
			}
		}
	});

	it('gives string-width’s answer for mixed text, escapes, marks, joiners and emoji', () => {
		fc.assert(
			fc.property(text, fc.boolean(), fc.boolean(), (value, narrow, ansi) => {
				const options = {ambiguousIsNarrow: narrow, countAnsiEscapeCodes: ansi};
				expect(textWidth(value, options)).toBe(stringWidth(value, options));
			}),
			{numRuns: 3000},
		);
	});

	it('measures the lines the panel and the wizard draw', () => {
		expect(textWidth('❯ Anthropic (Claude Pro/Max) — sign in')).toBe(38);
		expect(textWidth('5h        ████████░░░░  42% used')).toBe(32);
		expect(textWidth('👩‍💻 ok')).toBe(5);
		expect(textWidth('\u001B[31m中文\u001B[39m')).toBe(4);
	});
});

describe('grapheme clusters (Intl.Segmenter in the UI bundle)', () => {
	const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

	it('splits text as Intl.Segmenter does, and finds the cluster at each index', () => {
		fc.assert(
			fc.property(text, value => {
				const ours = graphemes.segment(value);
				const real = segmenter.segment(value);
				expect([...ours].map(({segment, index}) => [segment, index])).toEqual(
					[...real].map(({segment, index}) => [segment, index]),
				);
				for (let index = -1; index <= value.length; index++) {
					const found = ours.containing(index);
					const expected = real.containing(index);
					expect(found && [found.segment, found.index]).toEqual(
						expected && [expected.segment, expected.index],
					);
				}
			}),
			{numRuns: 3000},
		);
	});
});
