import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {
	codexWindowLabel,
	parseCodexUsage,
} from '../../source/usage/openai-codex.js';
import {DAY, HOUR, fixture} from './fixtures.js';

// An injected clock: the fixtures' times are relative to it, so any value works.
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('parseCodexUsage', () => {
	it('labels the 5-hour and weekly windows and reads the extras', () => {
		expect(parseCodexUsage(fixture('codex-plus', NOW), NOW)).toEqual({
			windows: [
				// reset_at wins over reset_after_seconds
				{label: '5h', usedPercent: 37, resetsAt: NOW + 2 * HOUR},
				{label: '7d', usedPercent: 8, resetsAt: NOW + 4 * DAY + 18 * HOUR},
			],
			extras: {
				provider: 'openai-codex',
				plan: 'plus',
				credits: {hasCredits: false, unlimited: false, balance: '0'},
				limitReached: false,
				allowed: true,
			},
		});
	});

	it('labels a weekly-only plan by window length, not position, and uses reset_after_seconds', () => {
		expect(parseCodexUsage(fixture('codex-weekly-only', NOW), NOW)).toEqual({
			windows: [{label: '7d', usedPercent: 64.5, resetsAt: NOW + 3_600_000}],
			extras: {
				provider: 'openai-codex',
				plan: 'team',
				limitReached: false,
				allowed: true,
			},
		});
	});

	it('reads string numbers, labels other lengths in hours, and drops a window without a length', () => {
		expect(parseCodexUsage(fixture('codex-odd', NOW), NOW)).toEqual({
			windows: [{label: '24h', usedPercent: 100, resetsAt: NOW + 60_000}],
			extras: {
				provider: 'openai-codex',
				plan: 'pro',
				credits: {hasCredits: true, unlimited: false, balance: '12.5'},
				limitReached: true,
				allowed: false,
			},
		});
	});

	it('shows no window for a missing or null rate_limit, or an HTML body', () => {
		const empty = {windows: [], extras: {provider: 'openai-codex'}};
		expect(parseCodexUsage({rate_limit: null}, NOW)).toEqual(empty);
		expect(
			parseCodexUsage('<!doctype html><title>Sign in</title>', NOW),
		).toEqual(empty);
		expect(
			parseCodexUsage(
				{
					rate_limit: {
						primary_window: {used_percent: null, limit_window_seconds: 18_000},
					},
				},
				NOW,
			),
		).toEqual(empty);
	});

	it('has no reset time when the window gives none', () => {
		expect(
			parseCodexUsage(
				{
					rate_limit: {
						primary_window: {used_percent: 5, limit_window_seconds: 18_000},
					},
				},
				NOW,
			).windows,
		).toEqual([{label: '5h', usedPercent: 5, resetsAt: null}]);
		// Further away than a Date reaches: no reset time either.
		expect(
			parseCodexUsage(
				{
					rate_limit: {
						primary_window: {
							used_percent: 5,
							limit_window_seconds: 18_000,
							reset_after_seconds: 1e13,
						},
					},
				},
				NOW,
			).windows,
		).toEqual([{label: '5h', usedPercent: 5, resetsAt: null}]);
	});

	it('names window lengths as the contract says', () => {
		expect(codexWindowLabel(18_000)).toBe('5h');
		expect(codexWindowLabel(604_800)).toBe('7d');
		expect(codexWindowLabel(3600)).toBe('1h');
		expect(codexWindowLabel(86_400)).toBe('24h');
		expect(codexWindowLabel(1800)).toBe('0.5h');
		expect(codexWindowLabel(0)).toBeUndefined();
		expect(codexWindowLabel(-5)).toBeUndefined();
	});

	it('never throws and never yields an unreadable number', () => {
		const window = fc.oneof(
			fc.anything(),
			fc.record(
				{
					used_percent: fc.oneof(fc.anything(), fc.double()),
					limit_window_seconds: fc.oneof(
						fc.anything(),
						fc.constantFrom(18_000, 604_800, '18000'),
					),
					reset_after_seconds: fc.anything(),
					reset_at: fc.anything(),
				},
				{requiredKeys: []},
			),
		);
		const body = fc.record(
			{
				plan_type: fc.anything(),
				rate_limit: fc.oneof(
					fc.anything(),
					fc.record(
						{primary_window: window, secondary_window: window},
						{requiredKeys: []},
					),
				),
				credits: fc.anything(),
			},
			{requiredKeys: []},
		);
		fc.assert(
			fc.property(body, value => {
				for (const {usedPercent, resetsAt} of parseCodexUsage(value, NOW)
					.windows) {
					expect(Number.isFinite(usedPercent) && usedPercent >= 0).toBe(true);
					// A reset time is one a Date can hold (the panel shows it as a clock time).
					expect(
						resetsAt === null || !Number.isNaN(new Date(resetsAt).getTime()),
					).toBe(true);
				}
			}),
			{numRuns: 300},
		);
	});
});
