import {type ErrorCode, isPiAuthError} from '../errors.js';
import type {History} from './history.js';
import type {UsageOutcome, UsageSnapshot} from './types.js';

/** What the poller polls: one credential of one provider, re-read on every tick. */
export type UsageTarget = {
	/** The credential's key in the usage cache (cache-data.ts); the provider id today. */
	key: string;
	provider: string;
	/** The account, when the entry names one: another account under the key starts afresh. */
	account?: string;
	/**
	Identifies the token the endpoint sees (a hash, never the token). 429s are per access token
	(docs/usage.md): a new token starts with a clean backoff and is fetched at once.
	*/
	tokenKey: string;
	fetch: (signal: AbortSignal) => Promise<UsageOutcome>;
};

export type UsageError = {
	code: ErrorCode | 'unexpected';
	message: string;
	at: number;
};

/** One credential's usage as the panel draws it. */
export type UsagePollState = {
	key: string;
	provider: string;
	fetching: boolean;
	/**
	A fetch asked for now (the panel's r key) has not answered yet: the panel says so, as a fetch
	on the regular beat it does not (most are answered by the cache at once).
	*/
	requested?: boolean;
	/** The last good snapshot, kept through failures (show its age, docs/usage.md). */
	snapshot?: UsageSnapshot;
	/** The usage cache's history of this credential (history.ts): sparklines, today, pace. */
	history: History;
	/** Set when usage cannot be had for this credential (API key, setup token, …). */
	unavailable?: string;
	/** The last failure; cleared by the next success. */
	lastError?: UsageError;
	/** Consecutive failures. */
	failures: number;
	/** When the next fetch is planned (epoch ms), undefined while one runs. */
	nextAt?: number;
};

export const DEFAULT_INTERVAL_MS = 60_000;
/** docs/usage.md: without a positive Retry-After, back off 5 min doubling to 1 h. */
export const RATE_LIMIT_BASE_MS = 5 * 60_000;
export const RATE_LIMIT_MAX_MS = 60 * 60_000;
/** Other failures (network, 5xx, odd answers): the cadence doubling to 10 minutes. */
const FAILURE_MAX_MS = 10 * 60_000;
/** The shortest timer ever set: nothing here may spin. */
export const MIN_DELAY_MS = 1000;

/** The wait after a failure; `strikes` counts consecutive 429s, `failures` all failures. */
export const usageBackoffMs = (
	error: unknown,
	strikes: number,
	failures: number,
	intervalMs = DEFAULT_INTERVAL_MS,
): number => {
	if (isPiAuthError(error) && error.code === 'rate-limited') {
		// A positive Retry-After is honoured (never sooner, and never sooner than the cadence).
		if (error.retryAfterMs !== undefined && error.retryAfterMs > 0) {
			return Math.max(error.retryAfterMs, intervalMs);
		}

		return Math.min(
			RATE_LIMIT_BASE_MS * 2 ** Math.max(0, strikes - 1),
			RATE_LIMIT_MAX_MS,
		);
	}

	return Math.min(intervalMs * 2 ** Math.max(0, failures - 1), FAILURE_MAX_MS);
};

/** Age of the snapshot, and whether it may no longer be presented as current. */
export const usageFreshness = (
	state: UsagePollState,
	now: number,
	intervalMs = DEFAULT_INTERVAL_MS,
): {ageMs: number | undefined; stale: boolean} => {
	const {snapshot, lastError} = state;
	if (!snapshot) return {ageMs: undefined, stale: false};
	const ageMs = Math.max(0, now - snapshot.fetchedAt);
	return {
		ageMs,
		stale:
			ageMs > 2 * intervalMs ||
			(lastError !== undefined && lastError.at >= snapshot.fetchedAt),
	};
};
