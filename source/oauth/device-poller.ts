import {PiAuthError, isPiAuthError, isTransient} from '../errors.js';
import {
	DEFAULT_INTERVAL_S,
	MAX_LIFETIME_S,
	deviceInterval,
	deviceLifetime,
} from './device-numbers.js';

/** One answer of a device-flow token poll, already read by the provider's adapter. */
export type DevicePoll<T> =
	{status: 'pending'} | {status: 'slow_down'} | {status: 'done'; value: T};

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export type PollDeviceOptions<T> = {
	poll: () => Promise<DevicePoll<T>>;
	/** The server's `interval`; absent, zero or not a number → 5 s (RFC 8628 §3.2); kept within 1–60 s. */
	intervalSeconds?: number;
	/** The device code's `expires_in`, counted from when pollDevice is called; at most 30 minutes. */
	expiresInSeconds: number;
	signal?: AbortSignal;
	now?: () => number;
	sleep?: Sleep;
};

// RFC 8628 §3.5: on slow_down "the interval MUST be increased by 5 seconds for this and all
// subsequent requests".
const SLOW_DOWN_STEP_MS = 5000;
// pi #1990, #6187: a drifting VM or WSL clock shows up as slow_down after slow_down.
const CLOCK_HINT_AFTER = 3;
/*
A device sign-in waits for a person for up to 15 minutes: one dropped connection or 502 in that
time must not end it. Up to this many transient failures in a row are polled through.
*/
const TRANSIENT_TOLERATED = 3;

const abortedError = (cause?: unknown): PiAuthError =>
	new PiAuthError('aborted', 'Sign-in was cancelled.', {cause});

export const abortableSleep: Sleep = async (ms, signal) =>
	new Promise<void>((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortedError(signal.reason));
			return;
		}

		const onAbort = () => {
			clearTimeout(timer);
			reject(abortedError(signal?.reason));
		};

		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, {once: true});
	});

/** Settles with `promise`, or rejects 'aborted' as soon as `signal` fires. */
const untilAborted = async <T>(
	promise: Promise<T>,
	signal: AbortSignal | undefined,
): Promise<T> => {
	if (!signal) return promise;
	let onAbort = () => {};
	const aborted = new Promise<never>((_resolve, reject) => {
		onAbort = () => {
			reject(abortedError(signal.reason));
		};

		if (signal.aborted) onAbort();
		else signal.addEventListener('abort', onAbort, {once: true});
	});
	try {
		return await Promise.race([promise, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
};

const clockHint = (slowDowns: number): string =>
	slowDowns >= CLOCK_HINT_AFTER
		? ` The server asked to slow down ${slowDowns} times: if this computer's clock is off (common in VMs and WSL), sync it and try again.`
		: '';

const expired = (slowDowns: number, cause?: PiAuthError): PiAuthError =>
	new PiAuthError(
		'code-expired',
		`The sign-in code has expired before it was approved. Start the sign-in again.${clockHint(slowDowns)}`,
		{
			...(cause
				? {cause, serverCode: cause.serverCode, status: cause.status}
				: {}),
		},
	);

/**
The RFC 8628 §3.5 polling loop. The first poll goes out at once; each later one waits the interval
after the previous answer (so requests are never closer than the interval, however slow the server
is); `slow_down` adds 5 s for good; up to three transient failures in a row (network, timeout,
5xx, 429) are polled through. It ends with the poll's value, with an error thrown by `poll`
('access-denied', 'code-expired', … passed through), with 'code-expired' when `expiresInSeconds`
runs out (checked before each poll; the last wait is cut short to the deadline), or with 'aborted'.
*/
export const pollDevice = async <T>(
	options: PollDeviceOptions<T>,
): Promise<T> => {
	const {poll, signal, now = Date.now, sleep = abortableSleep} = options;
	// Bounded again here (device-numbers.ts), whatever an adapter passed on.
	let intervalMs =
		(deviceInterval(options.intervalSeconds) ?? DEFAULT_INTERVAL_S) * 1000;
	const deadline =
		now() + deviceLifetime(options.expiresInSeconds, MAX_LIFETIME_S) * 1000;
	let slowDowns = 0;
	let blips = 0;
	for (let attempt = 0; ; attempt++) {
		if (signal?.aborted) throw abortedError(signal.reason);
		if (attempt > 0) {
			const remaining = deadline - now();
			if (remaining < intervalMs) {
				// The next poll would come after the code expired: wait out its life, then say so.
				if (remaining > 0) await untilAborted(sleep(remaining, signal), signal);
				throw expired(slowDowns);
			}

			await untilAborted(sleep(intervalMs, signal), signal);
			if (signal?.aborted) throw abortedError(signal.reason);
		}

		if (now() >= deadline) throw expired(slowDowns);
		let answer: DevicePoll<T>;
		try {
			answer = await untilAborted(poll(), signal);
			blips = 0;
		} catch (error) {
			if (isTransient(error) && blips < TRANSIENT_TOLERATED) {
				blips++;
				continue;
			}

			// The server's own expired_token gets the clock hint too.
			if (
				isPiAuthError(error) &&
				error.code === 'code-expired' &&
				slowDowns >= CLOCK_HINT_AFTER
			) {
				throw expired(slowDowns, error);
			}

			throw error;
		}

		if (answer.status === 'done') return answer.value;
		if (answer.status === 'slow_down') {
			slowDowns++;
			intervalMs += SLOW_DOWN_STEP_MS;
		}
	}
};
