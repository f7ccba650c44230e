import {describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {
	type DevicePoll,
	abortableSleep,
	pollDevice,
} from '../../source/oauth/device-poller.js';
import {rejection} from '../helpers/failure.js';

/** A virtual clock: sleeping advances it instantly, so no test waits for real. */
const fakeClock = () => {
	let time = 1_000_000;
	const sleeps: number[] = [];
	return {
		now: () => time,
		sleeps,
		sleep: async (ms: number, signal?: AbortSignal) => {
			if (signal?.aborted)
				throw new PiAuthError('aborted', 'Sign-in was cancelled.');
			sleeps.push(ms);
			time += ms;
		},
		advance(ms: number) {
			time += ms;
		},
	};
};

/** A poll that answers from a script and records when (virtual time) it was called. */
const scripted = <T>(
	clock: {now: () => number},
	answers: Array<DevicePoll<T> | PiAuthError>,
) => {
	const times: number[] = [];
	const poll = async (): Promise<DevicePoll<T>> => {
		times.push(clock.now());
		const answer = answers.shift();
		if (answer === undefined) return {status: 'pending'};
		if (answer instanceof PiAuthError) throw answer;
		return answer;
	};

	return {poll, times};
};

describe('pollDevice', () => {
	it('polls through a few transient failures (a dropped connection, a 502) at the same pace', async () => {
		const clock = fakeClock();
		const start = clock.now();
		const {poll, times} = scripted(clock, [
			new PiAuthError('network', 'Could not reach the server.'),
			new PiAuthError('server-error', 'HTTP 502.'),
			{status: 'pending'},
			new PiAuthError('timeout', 'No answer within 15 s.'),
			{status: 'done', value: 'token'},
		]);
		const value = await pollDevice({
			poll,
			intervalSeconds: 5,
			expiresInSeconds: 900,
			now: clock.now,
			sleep: clock.sleep,
		});
		expect(value).toBe('token');
		expect(times.map(time => time - start)).toEqual([
			0, 5000, 10_000, 15_000, 20_000,
		]);
	});

	it('gives up after four transient failures in a row, and at once on any other error', async () => {
		const clock = fakeClock();
		const network = () =>
			new PiAuthError('network', 'Could not reach the server.');
		const {poll, times} = scripted(clock, [
			network(),
			network(),
			network(),
			network(),
		]);
		const error = await rejection(
			pollDevice({
				poll,
				expiresInSeconds: 900,
				now: clock.now,
				sleep: clock.sleep,
			}),
		);
		expect(error.code).toBe('network');
		expect(times).toHaveLength(4);

		const denied = scripted(clock, [
			new PiAuthError('access-denied', 'Denied.'),
			{status: 'done', value: 'never'},
		]);
		const refusal = await rejection(
			pollDevice({
				poll: denied.poll,
				expiresInSeconds: 900,
				now: clock.now,
				sleep: clock.sleep,
			}),
		);
		expect(refusal.code).toBe('access-denied');
		expect(denied.times).toHaveLength(1);
	});

	it('polls at once, then never sooner than the interval', async () => {
		const clock = fakeClock();
		const start = clock.now();
		const {poll, times} = scripted(clock, [
			{status: 'pending'},
			{status: 'pending'},
			{status: 'done', value: 'token'},
		]);
		const value = await pollDevice({
			poll,
			intervalSeconds: 7,
			expiresInSeconds: 900,
			now: clock.now,
			sleep: clock.sleep,
		});
		expect(value).toBe('token');
		expect(times.map(time => time - start)).toEqual([0, 7000, 14_000]);
	});

	it('measures the interval from the answer, so a slow server does not shorten it', async () => {
		const clock = fakeClock();
		const times: number[] = [];
		let calls = 0;
		await pollDevice({
			async poll() {
				times.push(clock.now());
				clock.advance(3000); // The request itself takes 3 s.
				return ++calls === 3 ? {status: 'done', value: 1} : {status: 'pending'};
			},
			expiresInSeconds: 900,
			now: clock.now,
			sleep: clock.sleep,
		});
		const gaps = times.slice(1).map((time, index) => time - times[index]!);
		expect(gaps).toEqual([8000, 8000]);
		expect(clock.sleeps).toEqual([5000, 5000]);
	});

	it('defaults to 5 s when the server sends no usable interval', async () => {
		for (const intervalSeconds of [undefined, 0, -1, Number.NaN]) {
			const clock = fakeClock();
			const {poll, times} = scripted(clock, [
				{status: 'pending'},
				{status: 'done', value: true},
			]);
			await pollDevice({
				poll,
				intervalSeconds,
				expiresInSeconds: 60,
				now: clock.now,
				sleep: clock.sleep,
			});
			expect(times[1]! - times[0]!).toBe(5000);
		}
	});

	it('keeps a hostile interval within 1–60 s (1e10 s overflowed setTimeout: 761 polls a second)', async () => {
		for (const [intervalSeconds, gap] of [
			[1e10, 60_000],
			[Number.POSITIVE_INFINITY, 5000],
			[3600, 60_000],
			[0.001, 1000],
		] as const) {
			const clock = fakeClock();
			const {poll, times} = scripted(clock, [
				{status: 'pending'},
				{status: 'done', value: true},
			]);
			await pollDevice({
				poll,
				intervalSeconds,
				expiresInSeconds: 600,
				now: clock.now,
				sleep: clock.sleep,
			});
			expect(times[1]! - times[0]!, String(intervalSeconds)).toBe(gap);
		}
	});

	it('gives up after 30 minutes at most, whatever expires_in says', async () => {
		for (const expiresInSeconds of [1e10, Number.POSITIVE_INFINITY, 7200]) {
			const clock = fakeClock();
			const start = clock.now();
			const {poll} = scripted<never>(clock, []);
			const error = await rejection(
				pollDevice({
					poll,
					intervalSeconds: 60,
					expiresInSeconds,
					now: clock.now,
					sleep: clock.sleep,
				}),
			);
			expect(error.code).toBe('code-expired');
			expect(clock.now() - start, String(expiresInSeconds)).toBe(30 * 60_000);
		}
	});

	it('adds 5 s for good on every slow_down', async () => {
		const clock = fakeClock();
		const {poll, times} = scripted(clock, [
			{status: 'slow_down'},
			{status: 'pending'},
			{status: 'slow_down'},
			{status: 'pending'},
			{status: 'done', value: 'ok'},
		]);
		await pollDevice({
			poll,
			intervalSeconds: 5,
			expiresInSeconds: 900,
			now: clock.now,
			sleep: clock.sleep,
		});
		const gaps = times.slice(1).map((time, index) => time - times[index]!);
		expect(gaps).toEqual([10_000, 10_000, 15_000, 15_000]);
	});

	it('passes through access-denied from the poll', async () => {
		const clock = fakeClock();
		const denied = new PiAuthError('access-denied', 'denied', {
			serverCode: 'access_denied',
		});
		const {poll, times} = scripted(clock, [{status: 'pending'}, denied]);
		const error = await rejection(
			pollDevice({
				poll,
				expiresInSeconds: 60,
				now: clock.now,
				sleep: clock.sleep,
			}),
		);
		expect(error).toBe(denied);
		expect(times).toHaveLength(2);
	});

	it("passes through the server's expired_token, with the clock hint after 3 slow_downs", async () => {
		const clock = fakeClock();
		const serverExpired = new PiAuthError('code-expired', 'expired', {
			serverCode: 'expired_token',
			status: 400,
		});
		const plain = await rejection(
			pollDevice({
				poll: scripted(clock, [serverExpired]).poll,
				expiresInSeconds: 60,
				now: clock.now,
				sleep: clock.sleep,
			}),
		);
		expect(plain).toBe(serverExpired);

		const drifting = await rejection(
			pollDevice({
				poll: scripted(clock, [
					{status: 'slow_down'},
					{status: 'slow_down'},
					{status: 'slow_down'},
					serverExpired,
				]).poll,
				expiresInSeconds: 900,
				now: clock.now,
				sleep: clock.sleep,
			}),
		);
		expect(drifting.code).toBe('code-expired');
		expect(drifting.serverCode).toBe('expired_token');
		expect(drifting.message).toMatch(/clock/);
	});

	it("stops at the code's expiry without polling past it", async () => {
		const clock = fakeClock();
		const start = clock.now();
		const {poll, times} = scripted<string>(clock, []);
		const error = await rejection(
			pollDevice({
				poll,
				intervalSeconds: 5,
				expiresInSeconds: 12,
				now: clock.now,
				sleep: clock.sleep,
			}),
		);
		expect(error.code).toBe('code-expired');
		expect(error.message).toMatch(/start the sign-in again/i);
		expect(error.message).not.toMatch(/clock/);
		expect(times.map(time => time - start)).toEqual([0, 5000, 10_000]);
		// The last wait is cut to the deadline rather than a full interval.
		expect(clock.now() - start).toBe(12_000);
	});

	it('mentions clock drift when the deadline passes after 3+ slow_downs', async () => {
		const clock = fakeClock();
		const {poll} = scripted<string>(clock, [
			{status: 'slow_down'},
			{status: 'slow_down'},
			{status: 'slow_down'},
		]);
		const error = await rejection(
			pollDevice({
				poll,
				expiresInSeconds: 60,
				now: clock.now,
				sleep: clock.sleep,
			}),
		);
		expect(error.code).toBe('code-expired');
		expect(error.message).toMatch(/clock.*(VM|WSL)/);
	});

	it('gives up when the clock jumps past the deadline during a wait', async () => {
		const clock = fakeClock();
		const {poll, times} = scripted<string>(clock, []);
		const error = await rejection(
			pollDevice({
				poll,
				expiresInSeconds: 30,
				now: clock.now,
				async sleep(ms) {
					clock.advance(ms + 60_000);
				},
			}),
		);
		expect(error.code).toBe('code-expired');
		expect(times).toHaveLength(1);
	});

	it('is aborted by the signal, before, between and during polls', async () => {
		const clock = fakeClock();
		const before = new AbortController();
		before.abort();
		const {poll, times} = scripted<string>(clock, []);
		expect(
			(
				await rejection(
					pollDevice({
						poll,
						expiresInSeconds: 60,
						signal: before.signal,
						now: clock.now,
						sleep: clock.sleep,
					}),
				)
			).code,
		).toBe('aborted');
		expect(times).toHaveLength(0);

		const between = new AbortController();
		let calls = 0;
		const betweenError = await rejection(
			pollDevice({
				async poll() {
					if (++calls === 2) between.abort();
					return {status: 'pending'};
				},
				expiresInSeconds: 60,
				signal: between.signal,
				now: clock.now,
				sleep: clock.sleep,
			}),
		);
		expect(betweenError.code).toBe('aborted');
		expect(calls).toBe(2);

		// A poll that never answers is left behind as soon as the signal fires.
		const during = new AbortController();
		const hanging = pollDevice({
			async poll() {
				queueMicrotask(() => {
					during.abort();
				});
				return new Promise<DevicePoll<string>>(() => {});
			},
			expiresInSeconds: 60,
			signal: during.signal,
			now: clock.now,
			sleep: clock.sleep,
		});
		expect((await rejection(hanging)).code).toBe('aborted');
	});

	it('aborts the real default sleep promptly', async () => {
		const controller = new AbortController();
		const started = Date.now();
		const sleeping = abortableSleep(60_000, controller.signal);
		setTimeout(() => {
			controller.abort();
		}, 10);
		expect((await rejection(sleeping)).code).toBe('aborted');
		expect(Date.now() - started).toBeLessThan(5000);
		await abortableSleep(1);
	});
});
