import {describe, expect, it} from 'vitest';
import {
	type WindowSample,
	estimateRunOut,
	runOutFromHistory,
} from '../../source/usage/pace.js';
import type {UsageSnapshot} from '../../source/usage/types.js';

const HOUR = 3_600_000;
const RESET = 10 * HOUR;

const sample = (
	at: number,
	usedPercent: number,
	resetsAt: number | null = RESET,
): WindowSample => ({
	at,
	usedPercent,
	resetsAt,
});

describe('estimateRunOut', () => {
	it('projects the current rate to 100 %', () => {
		// 10 points an hour from 30 %: 7 more hours.
		expect(estimateRunOut(sample(0, 20), sample(HOUR, 30))).toBe(8 * HOUR);
	});

	it('is undefined for flat or falling use', () => {
		expect(estimateRunOut(sample(0, 30), sample(HOUR, 30))).toBeUndefined();
		expect(estimateRunOut(sample(0, 40), sample(HOUR, 30))).toBeUndefined();
	});

	it('is undefined when the window reset between the samples', () => {
		// The reset time moved by hours: a new window.
		expect(
			estimateRunOut(sample(0, 20, 2 * HOUR), sample(HOUR, 30, 7 * HOUR)),
		).toBeUndefined();
		// The earlier reset time passed before the later sample.
		expect(
			estimateRunOut(sample(0, 20, HOUR / 2), sample(HOUR, 30, HOUR / 2)),
		).toBeUndefined();
		// A window that had no reset time and now has one started in between.
		expect(
			estimateRunOut(sample(0, 0, null), sample(HOUR, 30)),
		).toBeUndefined();
	});

	it('tolerates a reset time that drifts by seconds', () => {
		expect(
			estimateRunOut(sample(0, 20, RESET), sample(HOUR, 30, RESET + 2000)),
		).toBe(8 * HOUR);
	});

	it('is undefined when the window resets before it would run out', () => {
		expect(
			estimateRunOut(sample(0, 20, 5 * HOUR), sample(HOUR, 30, 5 * HOUR)),
		).toBeUndefined();
	});

	it('says "now" for a window already at 100 %', () => {
		expect(estimateRunOut(sample(0, 90), sample(HOUR, 100))).toBe(HOUR);
	});

	it('works without reset times and refuses samples out of order', () => {
		expect(estimateRunOut(sample(0, 50, null), sample(HOUR, 75, null))).toBe(
			2 * HOUR,
		);
		expect(estimateRunOut(sample(HOUR, 20), sample(HOUR, 30))).toBeUndefined();
		expect(estimateRunOut(sample(HOUR, 20), sample(0, 30))).toBeUndefined();
	});
});

const snapshot = (
	fetchedAt: number,
	usedPercent: number,
	resetsAt: number | null = RESET,
): UsageSnapshot => ({
	windows: [{label: '5h', usedPercent, resetsAt}],
	extras: {provider: 'anthropic'},
	fetchedAt,
});

describe('runOutFromHistory', () => {
	it('measures from the oldest sample of the current window period', () => {
		const history = [
			snapshot(0, 90, HOUR / 2), // the previous window: ignored
			snapshot(HOUR, 10, 20 * HOUR),
			snapshot(2 * HOUR, 15, 20 * HOUR),
			snapshot(3 * HOUR, 30, 20 * HOUR),
		];
		// From 10 % at 1 h to 30 % at 3 h: 10 points an hour, 7 more hours.
		expect(runOutFromHistory(history, '5h')).toBe(10 * HOUR);
	});

	it('is undefined with fewer than two samples or an unknown label', () => {
		expect(runOutFromHistory([snapshot(0, 10)], '5h')).toBeUndefined();
		expect(runOutFromHistory([], '5h')).toBeUndefined();
		expect(
			runOutFromHistory([snapshot(0, 10), snapshot(HOUR, 20)], '7d'),
		).toBeUndefined();
	});
});
