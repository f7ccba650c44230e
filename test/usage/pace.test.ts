import {describe, expect, it} from 'vitest';
import {
	type WindowSample,
	estimateRunOut,
	runOutFromSamples,
} from '../../source/usage/pace.js';

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

const point = (at: number, usedPercent: number) => ({at, usedPercent});

describe('runOutFromSamples', () => {
	it('measures from the oldest sample of the current window period', () => {
		const samples = [
			point(0, 90), // the previous window: a fall follows it
			point(HOUR, 40),
			point(2 * HOUR, 45),
			point(3 * HOUR, 70),
		];
		// From 40 % at 1 h to 70 % at 3 h: 15 points an hour, 2 more hours.
		expect(runOutFromSamples(samples, 5.5 * HOUR, 5 * HOUR)).toBe(5 * HOUR);
	});

	it('looks back no further than the window’s length, nor before its start', () => {
		const samples = [point(0, 50), point(4 * HOUR, 60), point(6 * HOUR, 85)];
		// A 5h window resetting at 8 h started at 3 h: the sample at 0 h is another period's
		// even without a fall. From 60 % at 4 h: 12.5 points an hour.
		expect(runOutFromSamples(samples, 8 * HOUR, 5 * HOUR)).toBe(7.2 * HOUR);
		// One resetting at 10 h started at 5 h, after the sample at 4 h.
		expect(runOutFromSamples(samples, 10 * HOUR, 5 * HOUR)).toBeUndefined();
	});

	it('is undefined with fewer than two samples, or use that does not rise', () => {
		expect(runOutFromSamples([point(0, 10)], RESET)).toBeUndefined();
		expect(runOutFromSamples([], RESET)).toBeUndefined();
		expect(
			runOutFromSamples([point(0, 20), point(HOUR, 20)], RESET),
		).toBeUndefined();
	});
});
