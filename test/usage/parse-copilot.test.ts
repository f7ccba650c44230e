import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseCopilotUsage} from '../../source/usage/github-copilot.js';
import {DAY, fixture, startOfUtcDay} from './fixtures.js';

// An injected clock: the fixtures' times are relative to it, so any value works.
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('parseCopilotUsage', () => {
	it('shows premium use and reports unlimited quotas as not metered, never as 0 %', () => {
		expect(parseCopilotUsage(fixture('copilot-pro', NOW))).toEqual({
			windows: [
				{
					label: 'premium',
					usedPercent: 33,
					// quota_reset_date_utc wins over the date-only quota_reset_date
					resetsAt: NOW + 8 * DAY,
				},
			],
			extras: {
				provider: 'github-copilot',
				plan: 'individual_pro',
				login: 'octocat',
				notMetered: ['chat', 'completions'],
				overage: {count: 0, permitted: true},
			},
		});
	});

	it('treats entitlement 0 with remaining 0 as not metered, and reads string numbers and counts', () => {
		expect(parseCopilotUsage(fixture('copilot-no-premium', NOW))).toEqual({
			windows: [
				// percent_remaining null: 20 of 50 left is 60 % used
				{
					label: 'chat',
					usedPercent: 60,
					resetsAt: startOfUtcDay(NOW + 8 * DAY),
				},
				{
					label: 'completions',
					usedPercent: 25,
					resetsAt: startOfUtcDay(NOW + 8 * DAY),
				},
			],
			extras: {
				provider: 'github-copilot',
				plan: 'free',
				login: 'monalisa',
				notMetered: ['premium'],
				overage: {count: 3, permitted: false},
			},
		});
	});

	it('trusts unlimited: true even when the counts look metered', () => {
		const report = parseCopilotUsage({
			quota_snapshots: {
				chat: {
					entitlement: 300,
					remaining: 120,
					percent_remaining: 40,
					unlimited: true,
				},
				completions: {unlimited: 'true', percent_remaining: 0},
			},
		});
		expect(report.windows).toEqual([]);
		expect(report.extras).toEqual({
			provider: 'github-copilot',
			notMetered: ['chat', 'completions'],
		});
	});

	it('reads the free plan counts when there are no snapshots', () => {
		expect(parseCopilotUsage(fixture('copilot-free-limited', NOW))).toEqual({
			windows: [
				{
					label: 'chat',
					usedPercent: 20,
					resetsAt: startOfUtcDay(NOW + 12 * DAY),
				},
				{
					label: 'completions',
					usedPercent: 0,
					resetsAt: startOfUtcDay(NOW + 12 * DAY),
				},
			],
			extras: {
				provider: 'github-copilot',
				plan: 'free',
				login: 'hubot',
				notMetered: [],
			},
		});
	});

	it('drops quotas it cannot read and survives garbage', () => {
		expect(
			parseCopilotUsage({
				quota_snapshots: {
					premium_interactions: {percent_remaining: 'lots'},
					chat: 'unlimited',
					completions: {percent_remaining: 140},
				},
				quota_reset_date: 'next month',
				login: 42,
			}),
		).toEqual({
			windows: [],
			extras: {provider: 'github-copilot', notMetered: []},
		});
		expect(parseCopilotUsage('<html>rate limited</html>')).toEqual({
			windows: [],
			extras: {provider: 'github-copilot', notMetered: []},
		});
	});

	it('prefers quota_reset_date_utc and has no reset when none is given', () => {
		const quota = {
			premium_interactions: {
				entitlement: 300,
				remaining: 300,
				percent_remaining: 100,
			},
		};
		expect(
			parseCopilotUsage({
				quota_snapshots: quota,
				quota_reset_date: '2026-12-01',
				quota_reset_date_utc: '2026-11-30T23:00:00Z',
			}).windows,
		).toEqual([
			{
				label: 'premium',
				usedPercent: 0,
				resetsAt: Date.parse('2026-11-30T23:00:00Z'),
			},
		]);
		expect(parseCopilotUsage({quota_snapshots: quota}).windows).toEqual([
			{label: 'premium', usedPercent: 0, resetsAt: null},
		]);
	});

	it('never throws, never shows an unlimited quota, never yields an unreadable number', () => {
		const quota = fc.oneof(
			fc.anything(),
			fc.record(
				{
					entitlement: fc.oneof(fc.anything(), fc.constantFrom(0, '0', 300)),
					remaining: fc.oneof(fc.anything(), fc.constantFrom(0, '0', 12)),
					percent_remaining: fc.oneof(fc.anything(), fc.double()),
					unlimited: fc.oneof(fc.anything(), fc.boolean()),
				},
				{requiredKeys: []},
			),
		);
		const body = fc.record(
			{
				quota_snapshots: fc.oneof(
					fc.anything(),
					fc.record(
						{premium_interactions: quota, chat: quota, completions: quota},
						{requiredKeys: []},
					),
				),
				quota_reset_date: fc.anything(),
				copilot_plan: fc.anything(),
			},
			{requiredKeys: []},
		);
		fc.assert(
			fc.property(body, value => {
				const {windows, extras} = parseCopilotUsage(value);
				for (const {usedPercent, resetsAt, label} of windows) {
					expect(Number.isFinite(usedPercent) && usedPercent >= 0).toBe(true);
					// A reset time is one a Date can hold (the panel shows it as a clock time).
					expect(
						resetsAt === null || !Number.isNaN(new Date(resetsAt).getTime()),
					).toBe(true);
					expect(
						extras.provider === 'github-copilot' &&
							extras.notMetered.includes(label as 'chat'),
					).toBe(false);
				}
			}),
			{numRuns: 300},
		);
	});
});
