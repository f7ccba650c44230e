import {describe, expect, it} from 'vitest';
import {SEPARATOR, flowPhrases, widthOf} from '../../source/ui/flow.js';
import {
	LABEL_WIDTH,
	type Phrase,
	type WindowParts,
	layoutWindow,
} from '../../source/ui/panel/window-layout.js';

const parts: WindowParts = {
	percent: '  42% used',
	reset: 'resets in 2h 29m (08:10)',
	sparkline: '▁▂▃▄▅▆▇█',
	today: '+8% today',
	pace: 'at this pace runs out at 15:20',
};

const texts = (phrases: readonly Phrase[]) =>
	phrases.map(phrase => phrase.text);
const widthOfLine = (phrases: readonly Phrase[]) =>
	widthOf(texts(phrases).join(SEPARATOR));

describe('one usage window in a given width (issue 14)', () => {
	it('keeps everything on one line when there is room', () => {
		const layout = layoutWindow(parts, 200);
		expect(layout.barWidth).toBe(20);
		expect(texts(layout.first)).toEqual([
			parts.reset,
			'▁▂▃▄▅▆▇█ +8% today',
			parts.pace,
		]);
		expect(layout.rest).toEqual([]);
	});

	it('at 80 columns keeps the reset beside the full bar and puts the rest on a line under the bar', () => {
		const layout = layoutWindow(parts, 74);
		expect(layout.barWidth).toBe(20);
		expect(texts(layout.first)).toEqual([parts.reset]);
		expect(layout.rest).toHaveLength(1);
		expect(layout.rest[0]?.indent).toBe(LABEL_WIDTH);
		expect(texts(layout.rest[0]?.phrases ?? [])).toEqual([
			'▁▂▃▄▅▆▇█ +8% today',
			parts.pace,
		]);
	});

	it('narrows the bar rather than move the reset, down to a bar that still reads', () => {
		// Label 10 + bar + percent 10 + separator 3 + reset 24: a 15-column bar fits in 62.
		const layout = layoutWindow(
			{percent: parts.percent, reset: parts.reset},
			62,
		);
		expect(layout.barWidth).toBe(15);
		expect(texts(layout.first)).toEqual([parts.reset]);
	});

	it('at 60 columns moves the reset, whole, under the bar; the sparkline goes before a line is added', () => {
		const layout = layoutWindow(parts, 54);
		expect(layout.first).toEqual([]);
		expect(layout.rest.map(line => texts(line.phrases))).toEqual([
			[parts.reset, '+8% today'],
			[parts.pace],
		]);
	});

	it('never makes a line wider than the width, and shows the reset exactly once, whole', () => {
		// Every width from a very narrow terminal to a wide one: bounded, and deterministic.
		for (let width = 30; width <= 160; width++) {
			const layout = layoutWindow(parts, width);
			const first =
				LABEL_WIDTH +
				layout.barWidth +
				widthOf(parts.percent) +
				(layout.first.length > 0
					? widthOf(SEPARATOR) + widthOfLine(layout.first)
					: 0);
			expect(first, `width ${width}`).toBeLessThanOrEqual(width);
			for (const line of layout.rest) {
				expect(
					line.indent + widthOfLine(line.phrases),
					`width ${width}`,
				).toBeLessThanOrEqual(width);
			}

			const all = [
				...layout.first,
				...layout.rest.flatMap(line => line.phrases),
			];
			expect(all.filter(phrase => phrase.text === parts.reset)).toHaveLength(1);
			expect(all.filter(phrase => phrase.kind === 'pace')).toHaveLength(1);
		}
	});
});

describe('phrases flowed into lines', () => {
	it('breaks only between phrases, and gives a phrase wider than a line a line of its own', () => {
		expect(flowPhrases(['l sign in', 'd sign out', 'q quit'], 22)).toEqual([
			['l sign in', 'd sign out'],
			['q quit'],
		]);
		expect(flowPhrases(['a', 'x'.repeat(30), 'b'], 10)).toEqual([
			['a'],
			['x'.repeat(30)],
			['b'],
		]);
	});
});
