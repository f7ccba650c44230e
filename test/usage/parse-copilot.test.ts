import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {
	parseCopilotQuotaHeaders,
	parseCopilotUsage,
} from '../../source/usage/github-copilot.js';
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
				// 300 is within Pro+'s premium-request allowance: requests, not credits.
				quotas: [
					{
						label: 'premium',
						unit: 'requests',
						entitlement: 300,
						remaining: 201,
						overage: 0,
						overagePermitted: true,
					},
				],
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
				quotas: [
					{
						label: 'chat',
						unit: 'requests',
						entitlement: 50,
						remaining: 20,
						overage: null,
						overagePermitted: null,
					},
					{
						label: 'completions',
						unit: 'requests',
						entitlement: 2000,
						remaining: 1500,
						overage: null,
						overagePermitted: null,
					},
				],
			},
		});
	});

	it('labels AI credits `credits`: an entitlement beyond the plan’s premium allowance, with what is left in credits', () => {
		expect(parseCopilotUsage(fixture('copilot-credits', NOW))).toEqual({
			windows: [
				{
					label: 'credits',
					usedPercent: 100 - 80.2367,
					resetsAt: NOW + 8 * DAY,
				},
			],
			extras: {
				provider: 'github-copilot',
				plan: 'individual',
				login: 'octocat',
				// entitlement -1 is the "unlimited" sentinel, never 0 % used
				notMetered: ['chat', 'completions'],
				overage: {count: 0, permitted: true},
				quotas: [
					{
						label: 'credits',
						unit: 'credits',
						entitlement: 1500,
						remaining: 1203.55,
						overage: 0,
						overagePermitted: true,
					},
				],
			},
		});
	});

	it('keeps an overdrawn credit quota visible: above 100 % used, what is left below 0, the overage', () => {
		const {windows, extras} = parseCopilotUsage(
			fixture('copilot-credits-overdrawn', NOW),
		);
		expect(windows).toEqual([
			{label: 'credits', usedPercent: 100.6071, resetsAt: NOW + 3 * DAY},
		]);
		expect(extras).toMatchObject({
			overage: {count: 42.5, permitted: true},
			quotas: [
				{
					label: 'credits',
					unit: 'credits',
					entitlement: 7000,
					remaining: -42.5,
					overage: 42.5,
				},
			],
		});
	});

	it('tells credits from premium requests by plan, entitlement and quota id', () => {
		const label = (body: Record<string, unknown>, quota: object) =>
			parseCopilotUsage({
				...body,
				quota_snapshots: {
					premium_interactions: {percent_remaining: 50, ...quota},
				},
			}).windows[0]?.label;
		// Pro+ on an annual plan keeps its 1,500 premium requests until it renews.
		expect(label({copilot_plan: 'individual_pro'}, {entitlement: 1500})).toBe(
			'premium',
		);
		expect(label({copilot_plan: 'individual'}, {entitlement: 1500})).toBe(
			'credits',
		);
		expect(label({copilot_plan: 'business'}, {entitlement: 300})).toBe(
			'premium',
		);
		expect(label({copilot_plan: 'enterprise'}, {entitlement: 10_000_000})).toBe(
			'credits',
		);
		expect(label({}, {entitlement: 1500})).toBe('premium');
		expect(label({}, {entitlement: 300.5})).toBe('credits');
		expect(label({copilot_plan: 'max'}, {entitlement: 300})).toBe('credits');
		expect(
			label({access_type_sku: 'copilot_max_monthly'}, {entitlement: 0.5}),
		).toBe('credits');
		expect(label({}, {quota_id: 'ai_credits', entitlement: 10})).toBe(
			'credits',
		);
		expect(label({}, {})).toBe('premium');
		// A plan the table lacks is judged by the largest allowance, whatever its name.
		for (const plan of ['constructor', '__proto__', 'toString']) {
			expect(label({copilot_plan: plan}, {entitlement: 1500}), plan).toBe(
				'premium',
			);
			expect(label({copilot_plan: plan}, {entitlement: 2000}), plan).toBe(
				'credits',
			);
		}
	});

	it('reads the x-quota-snapshot-<id> headers as the body (ent, rem, totRem, ov, ovPerm, rst)', () => {
		// As observed on an enterprise seat (docs/usage.md).
		const headers = new Headers({
			'x-quota-snapshot-chat':
				'ent=-1&ov=0.0&ovPerm=false&rem=100.0&rst=2026-09-01T00%3A00%3A00Z&totRem=-1',
			'x-quota-snapshot-premium_interactions':
				'ent=10000000&ov=0.0&ovPerm=true&rem=97.1&rst=2026-09-01T00%3A00%3A00Z&totRem=9719759.1',
		});
		const reset = Date.parse('2026-09-01T00:00:00Z');
		const report = parseCopilotQuotaHeaders(headers, {
			copilot_plan: 'enterprise',
		});
		expect(report.windows).toHaveLength(1);
		expect(report.windows[0]?.label).toBe('credits');
		expect(report.windows[0]?.usedPercent).toBeCloseTo(2.9, 9);
		expect(report.windows[0]?.resetsAt).toBe(reset);
		expect(report.extras).toEqual({
			provider: 'github-copilot',
			plan: 'enterprise',
			notMetered: ['chat'],
			overage: {count: 0, permitted: true},
			quotas: [
				{
					label: 'credits',
					unit: 'credits',
					entitlement: 10_000_000,
					remaining: 9_719_759.1,
					overage: 0,
					overagePermitted: true,
				},
			],
		});
		// A plain header object (node:http's) works too, names in any case; premium_models is
		// the older name of the same quota, and the same numbers as a body give the same windows.
		const plain = parseCopilotQuotaHeaders({
			'X-Quota-Snapshot-Premium_Models':
				'ent=300&ov=2&ovPerm=false&rem=-0.6667&rst=2026-09-01T00%3A00%3A00Z&totRem=-2',
		});
		const body = parseCopilotUsage({
			quota_reset_date_utc: '2026-09-01T00:00:00Z',
			quota_snapshots: {
				premium_interactions: {
					entitlement: 300,
					remaining: -2,
					percent_remaining: -0.6667,
					overage_count: 2,
					overage_permitted: false,
					quota_id: 'premium_interactions',
				},
			},
		});
		expect(plain).toEqual(body);
		expect(plain.windows).toEqual([
			{label: 'premium', usedPercent: 100.6667, resetsAt: reset},
		]);
		expect(parseCopilotQuotaHeaders({'x-quota-snapshot-chat': '%%%'})).toEqual({
			windows: [],
			extras: {provider: 'github-copilot', notMetered: []},
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
