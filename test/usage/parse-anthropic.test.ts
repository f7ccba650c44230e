import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseAnthropicUsage} from '../../source/usage/anthropic.js';
import {DAY, HOUR, fixture} from './fixtures.js';

// An injected clock: the fixtures' times are relative to it, so any value works.
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('parseAnthropicUsage', () => {
	it('reads the flat windows, skips null ones, and reads extra_usage', () => {
		expect(parseAnthropicUsage(fixture('anthropic-flat', NOW))).toEqual({
			windows: [
				{
					label: '5h',
					usedPercent: 42,
					resetsAt: NOW + 3 * HOUR + 172,
				},
				{
					label: '7d',
					usedPercent: 12.5,
					resetsAt: NOW + 3 * DAY + 21 * HOUR,
				},
				{label: '7d-opus', usedPercent: 3, resetsAt: null},
			],
			extras: {
				provider: 'anthropic',
				extraUsage: {
					enabled: true,
					monthlyLimitCents: 5000,
					usedCents: 1234,
					utilization: 24.68,
					currency: 'USD',
				},
			},
		});
	});

	it('lets the limits array supersede the flat fields, label by label', () => {
		const report = parseAnthropicUsage(fixture('anthropic-limits', NOW));
		const reset = NOW + 3 * DAY + 21 * HOUR;
		expect(report.windows).toEqual([
			{label: '5h', usedPercent: 42.5, resetsAt: NOW + 3 * HOUR},
			{label: '7d', usedPercent: 71, resetsAt: reset},
			// limits' Opus entry (33) wins over the flat seven_day_opus (10)
			{label: '7d-opus', usedPercent: 33, resetsAt: reset},
			// limits has no Sonnet entry: the flat field still shows
			{label: '7d-sonnet', usedPercent: 5, resetsAt: reset},
			// a model the contract does not name gets its own label; a string percent is read
			{label: '7d-fable', usedPercent: 57, resetsAt: reset},
		]);
		// Ghost (percent null) and the unknown kind are dropped, never shown as 0 %
		expect(report.windows.map(window => window.label)).not.toContain(
			'7d-ghost',
		);
		expect(report.extras).toEqual({
			provider: 'anthropic',
			extraUsage: {
				enabled: false,
				monthlyLimitCents: null,
				usedCents: null,
				utilization: null,
				currency: null,
			},
		});
	});

	it('reads a body where only limits carries data (model by id, no model at all)', () => {
		expect(parseAnthropicUsage(fixture('anthropic-limits-only', NOW))).toEqual({
			windows: [
				{
					label: '5h',
					usedPercent: 52,
					resetsAt: NOW + 2 * HOUR + 172,
				},
				{label: '7d', usedPercent: 20, resetsAt: NOW + 3 * DAY + 21 * HOUR},
				{
					label: '7d-sonnet',
					usedPercent: 21,
					resetsAt: NOW + 3 * DAY + 21 * HOUR,
				},
				{label: '7d-scoped', usedPercent: 9, resetsAt: null},
			],
			extras: {provider: 'anthropic'},
		});
	});

	it('drops limits of kinds it does not know, whatever they are called', () => {
		for (const kind of ['__proto__', 'constructor', 'toString', 'weekly_new']) {
			expect(
				parseAnthropicUsage({limits: [{kind, percent: 40}]}).windows,
				kind,
			).toEqual([]);
		}
	});

	it('keeps the fuller of two limits that share a label', () => {
		const limit = (percent: number, name: string) => ({
			kind: 'weekly_scoped',
			percent,
			scope: {model: {display_name: name}},
		});
		const report = parseAnthropicUsage({
			limits: [
				limit(20, 'Opus 4'),
				limit(80, 'Claude Opus 4.1'),
				limit(50, 'Opus'),
			],
		});
		expect(report.windows).toEqual([
			{label: '7d-opus', usedPercent: 80, resetsAt: null},
		]);
	});

	it('never labels a scoped limit "7d-": a name without a slug gives way to the next, then to 7d-scoped', () => {
		// The counterexample fast-check once found: a group that is only punctuation.
		expect(
			parseAnthropicUsage({
				limits: [{kind: 'weekly_scoped', percent: 0, group: '!'}],
			}).windows,
		).toEqual([{label: '7d-scoped', usedPercent: 0, resetsAt: null}]);
		const label = (scope: unknown, group?: string) =>
			parseAnthropicUsage({
				limits: [{kind: 'weekly_scoped', percent: 1, scope, group}],
			}).windows.map(window => window.label);
		expect(
			label({model: {display_name: '—', id: 'claude-haiku-5'}}, 'weekly'),
		).toEqual(['7d-claude-haiku-5']);
		expect(label({model: {display_name: '??', id: '::'}}, 'Haiku')).toEqual([
			'7d-haiku',
		]);
		// Cut to 32 characters where a dash falls: no dash is left at the end.
		expect(label({model: {display_name: `${'a'.repeat(31)} b`}})).toEqual([
			`7d-${'a'.repeat(31)}`,
		]);
	});

	it('shows nothing rather than 0 % for nulls and missing windows', () => {
		expect(parseAnthropicUsage(fixture('anthropic-nulls', NOW))).toEqual({
			windows: [],
			extras: {provider: 'anthropic'},
		});
		expect(parseAnthropicUsage({})).toEqual({
			windows: [],
			extras: {provider: 'anthropic'},
		});
	});

	it('reads string numbers and drops garbage types', () => {
		expect(parseAnthropicUsage(fixture('anthropic-garbage', NOW))).toEqual({
			windows: [{label: '5h', usedPercent: 17.5, resetsAt: null}],
			extras: {
				provider: 'anthropic',
				extraUsage: {
					enabled: null,
					monthlyLimitCents: 5000,
					usedCents: null,
					utilization: null,
					currency: null,
				},
			},
		});
	});

	it('survives bodies that are not objects (an HTML page, an array, null)', () => {
		for (const body of [
			'<html><body>Just a moment…</body></html>',
			[],
			null,
			42,
		]) {
			expect(parseAnthropicUsage(body)).toEqual({
				windows: [],
				extras: {provider: 'anthropic'},
			});
		}
	});

	it('never throws and never yields an unreadable number, whatever the fields hold', () => {
		const window = fc.oneof(
			fc.anything(),
			fc.record(
				{utilization: fc.anything(), resets_at: fc.anything()},
				{requiredKeys: []},
			),
		);
		const body = fc.record(
			{
				five_hour: window,
				seven_day: window,
				seven_day_opus: window,
				seven_day_sonnet: window,
				extra_usage: fc.anything(),
				limits: fc.oneof(
					fc.anything(),
					fc.array(
						fc.record(
							{
								kind: fc.constantFrom(
									'session',
									'weekly_all',
									'weekly_scoped',
									'x',
								),
								percent: fc.anything(),
								resets_at: fc.anything(),
								scope: fc.oneof(
									fc.anything(),
									fc.record({
										model: fc.record(
											{
												id: fc.oneof(fc.anything(), fc.string()),
												display_name: fc.oneof(fc.anything(), fc.string()),
											},
											{requiredKeys: []},
										),
									}),
								),
								group: fc.oneof(fc.anything(), fc.string()),
							},
							{requiredKeys: []},
						),
					),
				),
			},
			{requiredKeys: []},
		);
		fc.assert(
			fc.property(body, value => {
				const {windows} = parseAnthropicUsage(value);
				for (const {usedPercent, resetsAt, label} of windows) {
					expect(Number.isFinite(usedPercent) && usedPercent >= 0).toBe(true);
					// A reset time is one a Date can hold (the panel shows it as a clock time).
					expect(
						resetsAt === null || !Number.isNaN(new Date(resetsAt).getTime()),
					).toBe(true);
					// 5h, 7d or 7d-<slug>: never an empty or dangling part ("7d-", "7d-opus-")
					expect(label).toMatch(/^(5h|7d(-[a-z\d]+)*)$/);
				}
			}),
			{numRuns: 300},
		);
	});
});
