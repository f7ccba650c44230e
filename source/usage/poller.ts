import {isPiAuthError} from '../errors.js';
import {
	DEFAULT_INTERVAL_MS,
	HISTORY_LIMIT,
	HISTORY_SPAN_MS,
	MIN_DELAY_MS,
	RATE_LIMIT_MAX_MS,
	type UsagePollState,
	type UsageTarget,
	toUsageError,
	usageBackoffMs,
	usageFreshness,
} from './poll-policy.js';
import type {Timers, UsageOutcome} from './types.js';

export {
	DEFAULT_INTERVAL_MS,
	RATE_LIMIT_BASE_MS,
	RATE_LIMIT_MAX_MS,
	type UsageError,
	type UsagePollState,
	type UsageTarget,
	usageBackoffMs,
	usageFreshness,
} from './poll-policy.js';

export type UsagePollerDeps = {
	now: () => number;
	timers: Timers;
	targets: () => readonly UsageTarget[];
	/** Called whenever a provider's state changes, and with undefined when it is gone. */
	onUpdate?: (provider: string, state: UsagePollState | undefined) => void;
	intervalMs?: number;
};

type Entry = {
	target: UsageTarget;
	state: UsagePollState;
	strikes: number;
	controller?: AbortController;
	running?: Promise<void>;
};

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
			// A fact about the credential: look again only rarely, or when the token changes. An
			// older snapshot (another token's) must not be shown beside it as if it were current.
			emit(entry, {
				fetching: false,
				snapshot: undefined,
				history: [],
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
