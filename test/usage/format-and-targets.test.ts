import {describe, expect, it} from 'vitest';
import {emptyConfig} from '../../source/config.js';
import {listCredentials} from '../../source/credentials/view.js';
import {
	formatPercent,
	formatUsageReport,
	formatUsageWindow,
} from '../../source/usage/format.js';
import {epochMs, number} from '../../source/usage/read-values.js';
import {tokenKeyOf, usageTargets} from '../../source/usage/targets.js';

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;

describe('usage text', () => {
	it('formats a window with its reset countdown', () => {
		expect(
			formatUsageWindow(
				{label: '5h', usedPercent: 42, resetsAt: NOW + 130 * MINUTE},
				NOW,
			),
		).toBe('5h 42% (resets in 2h 10m)');
		expect(
			formatUsageWindow({label: '7d', usedPercent: 12.4, resetsAt: null}, NOW),
		).toBe('7d 12%');
		expect(
			formatUsageWindow(
				{label: '7d', usedPercent: 99.6, resetsAt: NOW - 1},
				NOW,
			),
		).toBe('7d 100% (reset due)');
	});

	it('does not round a little use down to none', () => {
		expect(formatPercent(0.4)).toBe('0.4%');
		expect(formatPercent(0)).toBe('0%');
	});

	it('names Copilot quotas that are not metered', () => {
		expect(
			formatUsageReport(
				{
					windows: [{label: 'premium', usedPercent: 33, resetsAt: null}],
					extras: {
						provider: 'github-copilot',
						notMetered: ['chat', 'completions'],
					},
				},
				NOW,
			),
		).toBe('premium 33% · chat not metered · completions not metered');
		expect(
			formatUsageReport({windows: [], extras: {provider: 'anthropic'}}, NOW),
		).toBe('no usage windows reported');
	});
});

describe('read-values', () => {
	it('reads numbers and string numbers, nothing else', () => {
		expect([42, '42.5', ' 7 ', '1e2'].map(number)).toEqual([42, 42.5, 7, 100]);
		expect(
			['', 'abc', true, null, Number.NaN, Infinity, {}, []].map(number),
		).toEqual(Array.from({length: 8}, () => undefined));
	});

	it('reads ISO dates, unix seconds and epoch ms', () => {
		expect(epochMs('2026-12-01T00:00:00Z')).toBe(
			Date.parse('2026-12-01T00:00:00Z'),
		);
		expect(epochMs(1_795_400_000)).toBe(1_795_400_000_000);
		expect(epochMs('1795400000')).toBe(1_795_400_000_000);
		expect(epochMs(1_795_400_000_123)).toBe(1_795_400_000_123);
		expect([0, -1, 'never', null, true].map(epochMs)).toEqual(
			Array.from({length: 5}, () => undefined),
		);
	});

	it('reads a time beyond what a Date can hold as no time (not "NaN:NaN" on screen)', () => {
		expect(epochMs(8.64e15)).toBe(8.64e15);
		expect([8.64e15 + 1, '1e300', Number.MAX_VALUE].map(epochMs)).toEqual([
			undefined,
			undefined,
			undefined,
		]);
	});
});

describe('usage targets', () => {
	const data = {
		anthropic: {
			type: 'oauth',
			access: 'sk-ant-oat01-TARGETSECRET',
			refresh: 'sk-ant-ort01-TARGETREFRESH',
			expires: NOW + 60 * MINUTE,
		},
	};

	it('keys a target by a digest that holds no token and changes with the token', () => {
		const [view] = listCredentials(data, {}, NOW);
		const [changed] = listCredentials(
			{anthropic: {...data.anthropic, access: 'sk-ant-oat01-NEWTOKEN'}},
			{},
			NOW,
		);
		if (!view || !changed) throw new Error('no view');
		const key = tokenKeyOf(view);
		expect(key).toMatch(/^[\da-f]{16}$/);
		expect(tokenKeyOf(view)).toBe(key);
		expect(tokenKeyOf(changed)).not.toBe(key);
	});

	it('builds one target per listed credential, fetching through the registry', async () => {
		const views = listCredentials(
			{...data, 'some-provider': {type: 'api_key', key: 'x'}},
			{
				ANTHROPIC_API_KEY: 'unused: a stored entry wins',
				COPILOT_GITHUB_TOKEN: '',
			},
			NOW,
		);
		let requests = 0;
		const targets = usageTargets({
			views,
			config: emptyConfig,
			fetch: (async () => {
				requests++;
				return Response.json({five_hour: {utilization: 5, resets_at: null}});
			}) as unknown as typeof fetch,
			now: () => NOW,
		});
		// Every listed entry, the one pi-auth does not manage too (its usage reads "not available").
		expect(targets.map(target => target.provider)).toEqual([
			'anthropic',
			'some-provider',
		]);
		const outcome = await targets[0]?.fetch(new AbortController().signal);
		expect(outcome).toEqual({
			status: 'ok',
			snapshot: {
				windows: [{label: '5h', usedPercent: 5, resetsAt: null}],
				extras: {provider: 'anthropic'},
				fetchedAt: NOW,
			},
		});
		expect(requests).toBe(1);
	});
});
