import {describe, expect, it} from 'vitest';
import {listCredentials} from '../../source/credentials/view.js';
import {nextRepaintIn} from '../../source/ui/panel/repaint.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0, 250);
const MINUTE = 60_000;
const HOUR = 3_600_000;

const views = (expires: number) =>
	listCredentials(
		{anthropic: {type: 'oauth', access: 'a', refresh: 'r', expires}},
		{},
		NOW,
	);

describe('when the panel redraws', () => {
	it('waits for the next minute change when every number on screen is hours away', () => {
		// 7h 53m 10s left: the text "7h 53m" changes in 10 s (and the expiring mark is further).
		const delay = nextRepaintIn(
			NOW,
			views(NOW + 7 * HOUR + 53 * MINUTE + 10_000),
			{},
			{},
		);
		expect(delay).toBe(10_001);
		expect(nextRepaintIn(NOW, [], {}, {})).toBe(MINUTE);
		expect(
			nextRepaintIn(NOW, views(NOW + 3 * HOUR), {}, {}),
		).toBeLessThanOrEqual(MINUTE);
	});

	it('redraws every second while a countdown under an hour is on screen', () => {
		expect(nextRepaintIn(NOW, views(NOW + 23 * MINUTE + 500), {}, {})).toBe(
			501,
		);
		const usage = (fetchedAt: number) => ({
			anthropic: {
				provider: 'anthropic',
				fetching: false,
				key: 'anthropic',
				history: {},
				failures: 0,
				snapshot: {
					fetchedAt,
					windows: [
						{label: '5h', usedPercent: 1, resetsAt: NOW + 2 * HOUR + 30_000},
					],
					extras: {provider: 'anthropic' as const},
				},
			},
		});
		const far = views(NOW + 10 * 24 * HOUR + 30_000);
		// Usage a minute old shows no age: only the minute counters tick.
		expect(nextRepaintIn(NOW, far, {}, usage(NOW - 61_000))).toBe(30_001);
		// Stale usage (over two polls old) shows its age, which ticks every second.
		expect(nextRepaintIn(NOW, far, {}, usage(NOW - 3 * MINUTE))).toBe(1000);
	});

	it('counts ages upwards (a refresh 30.25 s ago reads differently in 0.75 s)', () => {
		const delay = nextRepaintIn(
			NOW,
			views(NOW + 10 * 24 * HOUR + 30_000),
			{
				anthropic: {
					refreshing: false,
					failures: 0,
					lastRefreshAt: NOW - 30_250,
				},
			},
			{},
		);
		expect(delay).toBe(750);
	});

	it('ignores what has passed, and never spins faster than four times a second', () => {
		expect(nextRepaintIn(NOW, views(NOW - HOUR), {}, {})).toBe(MINUTE);
		expect(nextRepaintIn(NOW, views(NOW + 5 * MINUTE + 1), {}, {})).toBe(250);
	});
});
