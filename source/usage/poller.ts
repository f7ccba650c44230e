import {type ErrorCode, isPiAuthError} from '../errors.js';
import type {Timers, UsageOutcome, UsageSnapshot} from './types.js';

/** What the poller polls: one credential of one provider, re-read on every tick. */
export type UsageTarget = {
	provider: string;
	/**
	Identifies the token the endpoint sees (a hash, never the token). 429s are per access token
	(usage-endpoints.md): a new token starts with a clean backoff and is fetched at once.
	*/
	tokenKey: string;
	fetch: (signal: AbortSignal) => Promise<UsageOutcome>;
};

export type UsageError = {
	code: ErrorCode | 'unexpected';
	message: string;
	at: number;
};

/** One provider's usage as the panel draws it. */
export type UsagePollState = {
	provider: string;
	fetching: boolean;
	/** The last good snapshot, kept through failures (show its age, usage-endpoints.md). */
	snapshot?: UsageSnapshot;
	/** Recent snapshots of this token, oldest first, for the pace reading (bounded). */
	history: readonly UsageSnapshot[];
	/** Set when usage cannot be had for this credential (API key, setup token, …). */
	unavailable?: string;
	/** The last failure; cleared by the next success. */
	lastError?: UsageError;
	/** Consecutive failures. */
	failures: number;
	/** When the next fetch is planned (epoch ms), undefined while one runs. */
	nextAt?: number;
};

export type UsagePollerDeps = {
	now: () => number;
	timers: Timers;
	targets: () => readonly UsageTarget[];
	/** Called whenever a provider's state changes, and with undefined when it is gone. */
	onUpdate?: (provider: string, state: UsagePollState | undefined) => void;
	intervalMs?: number;
};

export const DEFAULT_INTERVAL_MS = 60_000;
/** usage-endpoints.md: without a positive Retry-After, back off 5 min doubling to 1 h. */
export const RATE_LIMIT_BASE_MS = 5 * 60_000;
export const RATE_LIMIT_MAX_MS = 60 * 60_000;
/** Other failures (network, 5xx, odd answers): the cadence doubling to 10 minutes. */
const FAILURE_MAX_MS = 10 * 60_000;
/** The shortest timer ever set: nothing here may spin. */
const MIN_DELAY_MS = 1000;
const HISTORY_LIMIT = 32;
const HISTORY_SPAN_MS = 60 * 60_000;

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

type Entry = {
	target: UsageTarget;
	state: UsagePollState;
	strikes: number;
	controller?: AbortController;
	running?: Promise<void>;
};

const toUsageError = (error: unknown, at: number): UsageError =>
	isPiAuthError(error)
		? {code: error.code, message: error.message, at}
		: // Not from our HTTP layer: its message could quote anything, so it is not shown.
			{code: 'unexpected', message: 'Fetching usage failed unexpectedly.', at};

/**
Polls every credential's usage for the live panel (usage-endpoints.md): about once a minute; on 429
a positive Retry-After, else 5 min doubling to 1 h, per token; one provider's failures never delay
another (each has its own plan and fetches run side by side). One timer, at the earliest plan.
*/
export const createUsagePoller = (deps: UsagePollerDeps) => {
	const intervalMs = deps.intervalMs ?? DEFAULT_INTERVAL_MS;
	const entries = new Map<string, Entry>();
	let timer: unknown;
	let stopped = true;

	const emit = (entry: Entry, patch: Partial<UsagePollState>) => {
		entry.state = {...entry.state, ...patch};
		deps.onUpdate?.(entry.state.provider, entry.state);
	};

	/** Takes in new targets, drops gone ones, and starts a changed token afresh. */
	const sync = () => {
		const now = deps.now();
		const seen = new Set<string>();
		let targets: readonly UsageTarget[];
		try {
			targets = deps.targets();
		} catch {
			// A timer callback must not throw: keep polling what was known until the next tick.
			return;
		}

		for (const target of targets) {
			if (seen.has(target.provider)) continue;
			seen.add(target.provider);
			const entry = entries.get(target.provider);
			if (!entry) {
				const state = {
					provider: target.provider,
					fetching: false,
					history: [],
					failures: 0,
					nextAt: now,
				};
				entries.set(target.provider, {target, state, strikes: 0});
				deps.onUpdate?.(target.provider, state);
			} else if (entry.target.tokenKey === target.tokenKey) {
				entry.target = target;
			} else {
				entry.controller?.abort();
				entry.target = target;
				entry.strikes = 0;
				entry.running = undefined;
				emit(entry, {
					fetching: false,
					failures: 0,
					unavailable: undefined,
					lastError: undefined,
					nextAt: now,
				});
			}
		}

		for (const [provider, entry] of entries) {
			if (seen.has(provider)) continue;
			entry.controller?.abort();
			entries.delete(provider);
			deps.onUpdate?.(provider, undefined);
		}
	};

	const settle = (entry: Entry, outcome: UsageOutcome) => {
		const now = deps.now();
		entry.strikes = 0;
		if (outcome.status === 'unavailable') {
			// A fact about the credential: look again only rarely, or when the token changes.
			emit(entry, {
				fetching: false,
				unavailable: outcome.reason,
				lastError: undefined,
				failures: 0,
				nextAt: now + RATE_LIMIT_MAX_MS,
			});
			return;
		}

		const {snapshot} = outcome;
		const history = [...entry.state.history, snapshot]
			.filter(old => snapshot.fetchedAt - old.fetchedAt <= HISTORY_SPAN_MS)
			.slice(-HISTORY_LIMIT);
		emit(entry, {
			fetching: false,
			snapshot,
			history,
			unavailable: undefined,
			lastError: undefined,
			failures: 0,
			nextAt: now + intervalMs,
		});
	};

	const fail = (entry: Entry, error: unknown) => {
		const now = deps.now();
		const failures = entry.state.failures + 1;
		if (isPiAuthError(error) && error.code === 'rate-limited') entry.strikes++;
		emit(entry, {
			fetching: false,
			failures,
			lastError: toUsageError(error, now),
			nextAt: now + usageBackoffMs(error, entry.strikes, failures, intervalMs),
		});
	};

	const run = async (entry: Entry): Promise<void> => {
		if (entry.running) return entry.running;
		const controller = new AbortController();
		const {target} = entry;
		entry.controller = controller;
		emit(entry, {fetching: true, nextAt: undefined});
		const running = (async () => {
			let outcome: UsageOutcome | undefined;
			let failure: unknown;
			try {
				outcome = await target.fetch(controller.signal);
			} catch (error) {
				failure = error;
			}

			// Stopped, removed or replaced by a new token meanwhile: this answer belongs to no one.
			if (controller.signal.aborted || entries.get(target.provider) !== entry) {
				return;
			}

			entry.controller = undefined;
			entry.running = undefined;
			if (outcome) settle(entry, outcome);
			else fail(entry, failure);
			schedule();
		})();
		entry.running = running;
		return running;
	};

	const schedule = () => {
		if (stopped) return;
		if (timer !== undefined) deps.timers.clearTimeout(timer);
		const now = deps.now();
		let next = now + intervalMs;
		for (const {state} of entries.values()) {
			if (state.nextAt !== undefined) next = Math.min(next, state.nextAt);
		}

		timer = deps.timers.setTimeout(tick, Math.max(MIN_DELAY_MS, next - now));
	};

	function tick() {
		timer = undefined;
		if (stopped) return;
		sync();
		const now = deps.now();
		for (const entry of entries.values()) {
			const {nextAt} = entry.state;
			if (nextAt !== undefined && nextAt <= now) void run(entry);
		}

		schedule();
	}

	return {
		/** Starts polling: every target is fetched at once, then on its own plan. */
		start() {
			if (!stopped) return;
			stopped = false;
			tick();
		},
		/** Stops the timer and cancels fetches in flight; their answers are dropped. */
		stop() {
			stopped = true;
			if (timer !== undefined) deps.timers.clearTimeout(timer);
			timer = undefined;
			for (const entry of entries.values()) {
				entry.controller?.abort();
				entry.running = undefined;
				// A cancelled fetch is due again as soon as polling restarts.
				if (entry.state.fetching) {
					emit(entry, {fetching: false, nextAt: deps.now()});
				}
			}
		},
		/** The `r` key: fetch now, whatever the backoff says. Joins a fetch already running. */
		async refreshNow(provider: string): Promise<void> {
			if (stopped) return;
			sync();
			const entry = entries.get(provider);
			if (entry) await run(entry);
		},
		/** Re-read the targets now (the credential file changed). */
		reschedule() {
			if (stopped) return;
			tick();
		},
		state: (provider: string): UsagePollState | undefined =>
			entries.get(provider)?.state,
		states: (): UsagePollState[] =>
			[...entries.values()].map(entry => entry.state),
		freshness: (provider: string) => {
			const state = entries.get(provider)?.state;
			return state ? usageFreshness(state, deps.now(), intervalMs) : undefined;
		},
	};
};

export type UsagePoller = ReturnType<typeof createUsagePoller>;
