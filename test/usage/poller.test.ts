import {afterEach, describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {
	type UsagePollState,
	type UsageTarget,
	createUsagePoller,
	usageBackoffMs,
	usageFreshness,
} from '../../source/usage/poller.js';
import type {UsageOutcome} from '../../source/usage/types.js';
import {fakeClock} from '../helpers/fake-clock.js';

const MINUTE = 60_000;

type Script = (call: number, signal: AbortSignal) => Promise<UsageOutcome>;

const ok =
	(usedPercent = 10): Script =>
	async () => ({
		status: 'ok',
		snapshot: {
			windows: [{label: '5h', usedPercent, resetsAt: null}],
			extras: {provider: 'anthropic'},
			fetchedAt: clock.now(),
		},
	});

const rateLimited =
	(retryAfterMs?: number): Script =>
	async () => {
		throw new PiAuthError('rate-limited', 'rate-limited (HTTP 429)', {
			status: 429,
			...(retryAfterMs === undefined ? {} : {retryAfterMs}),
		});
	};

let clock = fakeClock();
let stopPoller: (() => void) | undefined;

afterEach(() => {
	stopPoller?.();
	stopPoller = undefined;
});

/** A poller over scripted targets; each target records the clock time of every fetch. */
const setup = (
	scripts: Record<string, Script>,
	options: {intervalMs?: number} = {},
) => {
	clock = fakeClock();
	const calls: Record<string, number[]> = {};
	const keys: Record<string, string> = {};
	const updates: Array<[string, UsagePollState | undefined]> = [];
	const target = (provider: string): UsageTarget => ({
		key: provider,
		provider,
		tokenKey: keys[provider] ?? 'token-1',
		async fetch(signal) {
			const list = (calls[provider] ??= []);
			list.push(clock.now());
			const script = scripts[provider];
			if (!script) throw new Error('no script');
			return script(list.length, signal);
		},
	});
	const poller = createUsagePoller({
		now: clock.now,
		timers: clock.timers,
		targets: () => Object.keys(scripts).map(target),
		onUpdate(provider, state) {
			updates.push([provider, state]);
		},
		...options,
	});
	stopPoller = poller.stop;
	/** Minutes after the start, of each fetch. */
	const minutes = (provider: string) =>
		(calls[provider] ?? []).map(at => (at - 1_800_000_000_000) / MINUTE);
	return {poller, calls, keys, updates, minutes, scripts};
};

describe('usage poller', () => {
	it('polls every 60 s by default', async () => {
		const {poller, minutes} = setup({anthropic: ok()});
		poller.start();
		await clock.advance(5 * MINUTE);
		expect(minutes('anthropic')).toEqual([0, 1, 2, 3, 4, 5]);
		expect(poller.state('anthropic')?.snapshot?.windows[0]?.usedPercent).toBe(
			10,
		);
	});

	it('honours a positive Retry-After, then returns to the cadence', async () => {
		let call = 0;
		const {poller, minutes} = setup({
			anthropic: async (...args) =>
				++call === 1 ? rateLimited(7 * MINUTE)(...args) : ok()(...args),
		});
		poller.start();
		await clock.advance(9 * MINUTE);
		expect(minutes('anthropic')).toEqual([0, 7, 8, 9]);
	});

	it('backs off 5 min doubling to 1 h on 429s without Retry-After', async () => {
		const {poller, minutes} = setup({anthropic: rateLimited()});
		poller.start();
		await clock.advance(200 * MINUTE);
		const times = minutes('anthropic');
		expect(times).toEqual([0, 5, 15, 35, 75, 135, 195]);
		expect(poller.state('anthropic')).toMatchObject({
			failures: 7,
			lastError: {code: 'rate-limited'},
		});
	});

	it('treats Retry-After 0 like none', async () => {
		const {poller, minutes} = setup({anthropic: rateLimited(0)});
		poller.start();
		await clock.advance(16 * MINUTE);
		expect(minutes('anthropic')).toEqual([0, 5, 15]);
	});

	it("does not let one provider's 429 delay another", async () => {
		const {poller, minutes} = setup({
			anthropic: rateLimited(),
			'openai-codex': ok(),
		});
		poller.start();
		await clock.advance(10 * MINUTE);
		expect(minutes('anthropic')).toEqual([0, 5]);
		expect(minutes('openai-codex')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
	});

	it('does not let a slow fetch hold up another provider', async () => {
		let release: (() => void) | undefined;
		const {poller, minutes} = setup({
			anthropic: async (call, signal) => {
				if (call > 1) return ok()(call, signal);
				// The first fetch hangs for three minutes of fake time.
				await new Promise<void>(resolve => {
					release = resolve;
				});
				return ok()(call, signal);
			},
			'github-copilot': ok(),
		});
		poller.start();
		await clock.advance(3 * MINUTE);
		expect(poller.state('anthropic')?.fetching).toBe(true);
		expect(minutes('github-copilot')).toEqual([0, 1, 2, 3]);
		release?.();
		await clock.settle();
		expect(poller.state('anthropic')?.fetching).toBe(false);
		expect(poller.state('anthropic')?.snapshot).toBeDefined();
	});

	it('refreshNow during a fetch fetches once more after it: r asks for newer numbers than those in flight', async () => {
		let release: (() => void) | undefined;
		const {poller, calls} = setup({
			anthropic: async (call, signal) => {
				if (call === 1) {
					await new Promise<void>(resolve => {
						release = resolve;
					});
				}

				return ok()(call, signal);
			},
		});
		poller.start();
		await clock.settle();
		expect(calls['anthropic']).toHaveLength(1);
		const pressed = poller.refreshNow('anthropic');
		release?.();
		await pressed;
		expect(calls['anthropic']).toHaveLength(2);
		expect(poller.state('anthropic')?.requested).toBe(false);
	});

	it('refreshNow bypasses the backoff, and the backoff keeps growing after another 429', async () => {
		const {poller, minutes} = setup({anthropic: rateLimited()});
		poller.start();
		await clock.advance(MINUTE);
		expect(minutes('anthropic')).toEqual([0]);
		await poller.refreshNow('anthropic');
		expect(minutes('anthropic')).toEqual([0, 1]);
		await clock.advance(9 * MINUTE);
		// Two strikes: the next try is 10 minutes after the manual one.
		expect(minutes('anthropic')).toEqual([0, 1]);
		await clock.advance(MINUTE);
		expect(minutes('anthropic')).toEqual([0, 1, 11]);
	});

	it('keeps the last good snapshot through failures and reports its age as stale', async () => {
		let call = 0;
		const {poller} = setup({
			anthropic: async (...args) => {
				call++;
				if (call === 1) return ok(42)(...args);
				throw new PiAuthError('network', 'Could not reach the server.');
			},
		});
		poller.start();
		await clock.advance(0);
		expect(poller.freshness('anthropic')).toEqual({ageMs: 0, stale: false});
		await clock.advance(12 * MINUTE);
		const state = poller.state('anthropic');
		expect(state?.snapshot?.windows[0]?.usedPercent).toBe(42);
		expect(state?.lastError).toMatchObject({
			code: 'network',
			message: 'Could not reach the server.',
		});
		expect(poller.freshness('anthropic')).toEqual({
			ageMs: 12 * MINUTE,
			stale: true,
		});
	});

	it('calls a snapshot stale when it is old even without an error', () => {
		const state: UsagePollState = {
			key: 'anthropic',
			provider: 'anthropic',
			fetching: false,
			history: {},
			failures: 0,
			snapshot: {windows: [], extras: {provider: 'anthropic'}, fetchedAt: 0},
		};
		expect(usageFreshness(state, MINUTE)).toEqual({
			ageMs: MINUTE,
			stale: false,
		});
		expect(usageFreshness(state, 3 * MINUTE)).toEqual({
			ageMs: 3 * MINUTE,
			stale: true,
		});
		expect(usageFreshness({...state, snapshot: undefined}, 0)).toEqual({
			ageMs: undefined,
			stale: false,
		});
	});

	it('stop() stops the timer and drops answers still in flight', async () => {
		let release: (() => void) | undefined;
		let aborted = false;
		const {poller, calls} = setup({
			anthropic: async (call, signal) => {
				signal.addEventListener('abort', () => {
					aborted = true;
				});
				await new Promise<void>(resolve => {
					release = resolve;
				});
				return ok()(call, signal);
			},
		});
		poller.start();
		await clock.settle();
		poller.stop();
		expect(aborted).toBe(true);
		expect(clock.pendingCount()).toBe(0);
		release?.();
		await clock.advance(60 * MINUTE);
		expect(calls['anthropic']).toHaveLength(1);
		expect(poller.state('anthropic')?.snapshot).toBeUndefined();
		expect(poller.state('anthropic')?.fetching).toBe(false);
	});

	it('polls an unavailable credential again only after an hour', async () => {
		const {poller, minutes} = setup({
			anthropic: async () => ({status: 'unavailable', reason: 'setup token'}),
		});
		poller.start();
		await clock.advance(90 * MINUTE);
		expect(minutes('anthropic')).toEqual([0, 60]);
		expect(poller.state('anthropic')?.unavailable).toBe('setup token');
	});

	it('drops the old snapshot when a new token turns out to have no usage', async () => {
		const {poller, keys, scripts} = setup({anthropic: ok(50)});
		poller.start();
		await clock.advance(0);
		expect(poller.state('anthropic')?.snapshot).toBeDefined();
		keys['anthropic'] = 'setup-token';
		scripts['anthropic'] = async () => ({
			status: 'unavailable',
			reason: 'setup token',
		});
		poller.reschedule();
		await clock.settle();
		expect(poller.state('anthropic')).toMatchObject({
			unavailable: 'setup token',
			history: {},
		});
		expect(poller.state('anthropic')?.snapshot).toBeUndefined();
	});

	it('starts a new token afresh: backoff cleared, fetched at once', async () => {
		const {poller, minutes, keys, scripts} = setup({anthropic: rateLimited()});
		poller.start();
		await clock.advance(2 * MINUTE);
		expect(minutes('anthropic')).toEqual([0]);
		keys['anthropic'] = 'token-2';
		scripts['anthropic'] = ok();
		poller.reschedule();
		await clock.settle();
		expect(minutes('anthropic')).toEqual([0, 2]);
		expect(poller.state('anthropic')).toMatchObject({failures: 0});
		expect(poller.state('anthropic')?.lastError).toBeUndefined();
	});

	it('forgets a provider whose credential is gone', async () => {
		const {poller, scripts, updates} = setup({
			anthropic: ok(),
			'openai-codex': ok(),
		});
		poller.start();
		await clock.advance(0);
		delete scripts['openai-codex'];
		poller.reschedule();
		expect(poller.state('openai-codex')).toBeUndefined();
		expect(poller.states().map(state => state.provider)).toEqual(['anthropic']);
		expect(updates.at(-1)).toEqual(['openai-codex', undefined]);
	});

	it('stays bounded: history capped, no timer under a second, one timer at a time', async () => {
		const {poller} = setup({anthropic: ok(), 'openai-codex': rateLimited(1)});
		poller.start();
		await clock.advance(24 * 60 * MINUTE);
		// One point per window per 5 minutes: a day of polling once a minute keeps 24 × 12 + 1.
		expect(poller.state('anthropic')?.history['5h']).toHaveLength(289);
		expect(Math.min(...clock.delays)).toBeGreaterThanOrEqual(1000);
		expect(clock.pendingCount()).toBe(1);
		// A 1 ms Retry-After does not turn into a tight loop: at most one try a minute.
		expect(poller.state('openai-codex')?.failures).toBeLessThanOrEqual(
			24 * 60 + 1,
		);
	});

	it('hides the message of an error that is not a PiAuthError', async () => {
		const {poller} = setup({
			anthropic: async () => {
				throw new Error('boom sk-ant-oat01-LEAKEDSECRET');
			},
		});
		poller.start();
		await clock.advance(0);
		expect(poller.state('anthropic')?.lastError).toMatchObject({
			code: 'unexpected',
		});
		expect(poller.state('anthropic')?.lastError?.message).not.toContain(
			'SECRET',
		);
	});
});

describe('usageBackoffMs', () => {
	const limited = (retryAfterMs?: number) =>
		new PiAuthError('rate-limited', 'x', retryAfterMs ? {retryAfterMs} : {});

	it('doubles from 5 min to a 1 h cap for 429s', () => {
		expect(
			[1, 2, 3, 4, 5, 6, 9].map(n => usageBackoffMs(limited(), n, n) / MINUTE),
		).toEqual([5, 10, 20, 40, 60, 60, 60]);
	});

	it('uses a positive Retry-After, never under the cadence', () => {
		expect(usageBackoffMs(limited(3 * 3_600_000), 1, 1)).toBe(3 * 3_600_000);
		expect(usageBackoffMs(limited(5000), 1, 1)).toBe(MINUTE);
	});

	it('doubles the cadence to 10 min for other failures', () => {
		const error = new PiAuthError('network', 'x');
		expect(
			[1, 2, 3, 4, 5, 8].map(n => usageBackoffMs(error, 0, n) / MINUTE),
		).toEqual([1, 2, 4, 8, 10, 10]);
	});
});
