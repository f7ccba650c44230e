import {describe, expect, it} from 'vitest';
import {
	samplesOf,
	sparkline,
	startOfLocalDay,
	usedToday,
	windowSpanMs,
} from '../../source/usage/history.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// An injected clock: noon of a local day.
const NOON = startOfLocalDay(Date.parse('2026-11-23T12:00:00Z')) + 12 * HOUR;
const sample = (at: number, usedPercent: number) => ({at, usedPercent});

describe('history readings', () => {
	it('draws a sparkline of the highest use in each stretch, blank where nothing was seen', () => {
		const samples = [
			sample(NOON - 5 * HOUR + 1, 0),
			sample(NOON - 4 * HOUR, 30),
			sample(NOON - 2 * HOUR, 60),
			sample(NOON - HOUR / 2, 99),
			sample(NOON, 100),
		];
		expect(sparkline(samples, NOON, 5 * HOUR, 5)).toBe('▁▃ ▅█');
		// A moment (one stretch) is no trend; nor are samples outside the span.
		expect(
			sparkline([sample(NOON - 1000, 5), sample(NOON, 6)], NOON, 5 * HOUR),
		).toBe('');
		expect(
			sparkline([sample(NOON - 6 * HOUR, 5), sample(NOON, 6)], NOON, 5 * HOUR),
		).toBe('');
	});

	it('counts what was used today from the last reading before midnight, resets counting nothing', () => {
		const midnight = startOfLocalDay(NOON);
		const samples = [
			sample(midnight - 2 * HOUR, 10),
			sample(midnight - HOUR, 20),
			sample(midnight + HOUR, 25),
			sample(midnight + 3 * HOUR, 40),
			// The window reset: a fall, then use from there.
			sample(midnight + 5 * HOUR, 2),
			sample(NOON, 9),
		];
		expect(usedToday(samples, NOON)).toBe(5 + 15 + 7);
		// History that starts today does not know the whole day.
		expect(usedToday(samples.slice(2), NOON)).toBeUndefined();
		expect(usedToday(samples.slice(0, 2), NOON)).toBeUndefined();
	});

	it('appends the live reading to the stored points, and knows the windows’ lengths', () => {
		expect(samplesOf([[1000, 5]], {at: 2_000_000, usedPercent: 6})).toEqual([
			{at: 1_000_000, usedPercent: 5},
			{at: 2_000_000, usedPercent: 6},
		]);
		expect(samplesOf([[1000, 5]], {at: 1_000_000, usedPercent: 6})).toEqual([
			{at: 1_000_000, usedPercent: 5},
		]);
		expect(windowSpanMs('5h')).toBe(5 * HOUR);
		expect(windowSpanMs('7d-opus')).toBe(7 * DAY);
		expect(windowSpanMs('2.5h')).toBe(2.5 * HOUR);
		expect(windowSpanMs('premium')).toBeUndefined();
	});
});
