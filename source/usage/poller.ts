import type {CacheEntry} from './cache-data.js';
import {
	DEFAULT_INTERVAL_MS,
	MIN_DELAY_MS,
	type UsagePollState,
	type UsageTarget,
	usageFreshness,
} from './poll-policy.js';
import {type UsageCache, createUsageCache} from './shared.js';
import type {Timers} from './types.js';

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
	/** Called whenever a credential's state changes, and with undefined when it is gone. */
	onUpdate?: (key: string, state: UsagePollState | undefined) => void;
	intervalMs?: number;
	/** The usage cache shared with other processes (shared.ts); in memory when not given. */
	cache?: UsageCache;
};

type Entry = {
	target: UsageTarget;
	state: UsagePollState;
	controller?: AbortController;
	running?: Promise<void>;
};

/** What the cache says about the credential, as the panel draws it. */
const fromCache = (
	entry: CacheEntry | undefined,
	token: string,
): Partial<UsagePollState> => {
	if (!entry) return {};
	const {snapshot, unavailable, error, backoff, history} = entry;
	const own = unavailable?.token === token ? unavailable.reason : undefined;
	const latest =
		snapshot && !own
			? {
					windows: snapshot.windows,
					extras: snapshot.extras,
					fetchedAt: snapshot.fetchedAt,
				}
			: undefined;
	return {
		snapshot: latest,
		history: own ? {} : (history ?? {}),
		unavailable: own,
		// An error older than the snapshot was followed by a success.
		lastError:
			error && (!snapshot || error.at >= snapshot.fetchedAt)
				? error
				: undefined,
		failures: backoff?.token === token ? backoff.failures : 0,
	};
};

/**
Polls every credential's usage for the live panel (docs/usage.md): about once a minute; on 429
a positive Retry-After, else 5 min doubling to 1 h, per token; one credential's failures never delay
another (each has its own plan and fetches run side by side). One timer, at the earliest plan.
Every fetch goes through the usage cache, so several panels and status lines share one request
per credential per interval, and one backoff.
*/
export const createUsagePoller = (deps: UsagePollerDeps) => {
	const intervalMs = deps.intervalMs ?? DEFAULT_INTERVAL_MS;
	const cache = deps.cache ?? createUsageCache({now: deps.now});
	const entries = new Map<string, Entry>();
	// Runs not finished yet, stopped ones included: stop() waits for their last cache write.
	const inFlight = new Set<Promise<void>>();
	let timer: unknown;
	let stopped = true;

	const emit = (entry: Entry, patch: Partial<UsagePollState>) => {
		entry.state = {...entry.state, ...patch};
		deps.onUpdate?.(entry.state.key, entry.state);
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
			if (seen.has(target.key)) continue;
			seen.add(target.key);
			const entry = entries.get(target.key);
			if (!entry) {
				const known = cache.read().entries[target.key];
				const state: UsagePollState = {
					key: target.key,
					provider: target.provider,
					fetching: false,
					history: {},
					failures: 0,
					...fromCache(known, target.tokenKey),
					nextAt: now,
				};
				entries.set(target.key, {target, state});
				deps.onUpdate?.(target.key, state);
			} else if (entry.target.tokenKey === target.tokenKey) {
				entry.target = target;
			} else {
				entry.controller?.abort();
				entry.target = target;
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

		for (const [key, entry] of entries) {
			if (seen.has(key)) continue;
			entry.controller?.abort();
			entries.delete(key);
			deps.onUpdate?.(key, undefined);
		}
	};

	const run = async (entry: Entry, force = false): Promise<void> => {
		if (entry.running) {
			// `r` during a fetch asks for numbers newer than that fetch's: one more, right after it.
			if (!force) return entry.running;
			await entry.running;
			if (stopped || entries.get(entry.target.key) !== entry) return;
			return run(entry, true);
		}

		const controller = new AbortController();
		const {target} = entry;
		entry.controller = controller;
		emit(entry, {fetching: true, nextAt: undefined});
		const running = (async () => {
			const result = await cache.run(
				{
					key: target.key,
					provider: target.provider,
					token: target.tokenKey,
					...(target.account ? {account: target.account} : {}),
					maxAgeMs: intervalMs,
					intervalMs,
					force,
					signal: controller.signal,
				},
				async () => target.fetch(controller.signal),
			);
			// Stopped, removed or replaced by a new token meanwhile: this answer belongs to no one.
			if (controller.signal.aborted || entries.get(target.key) !== entry) {
				return;
			}

			entry.controller = undefined;
			entry.running = undefined;
			emit(entry, {
				...fromCache(result.entry, target.tokenKey),
				fetching: false,
				// Never sooner than a second: nothing here may spin.
				nextAt: Math.max(result.nextAt, deps.now() + MIN_DELAY_MS),
			});
			schedule();
		})();
		entry.running = running;
		inFlight.add(running);
		running.finally(() => inFlight.delete(running)).catch(() => undefined);
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
		/** Starts polling: every target is due at once (the cache may answer for it), then on its own plan. */
		start() {
			if (!stopped) return;
			stopped = false;
			tick();
		},
		/**
		Stops the timer and cancels fetches in flight; their answers are dropped. Resolves once they
		have let go of the usage cache (a claim lifted, nothing recorded).
		*/
		async stop(): Promise<void> {
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

			await Promise.allSettled([...inFlight]);
		},
		/**
		The `r` key: fetch now, whatever the backoff says. Joins a fetch already running. The state
		says `requested` until the answer or the failure is in, so the panel can say it is fetching.
		*/
		async refreshNow(key: string): Promise<void> {
			if (stopped) return;
			sync();
			const entry = entries.get(key);
			if (!entry) return;
			emit(entry, {requested: true});
			try {
				await run(entry, true);
			} finally {
				// A credential gone or replaced meanwhile has a state of its own now.
				if (entries.get(key) === entry) emit(entry, {requested: false});
			}
		},
		/** Re-read the targets now (the credential file changed). */
		reschedule() {
			if (stopped) return;
			tick();
		},
		state: (key: string): UsagePollState | undefined => entries.get(key)?.state,
		states: (): UsagePollState[] =>
			[...entries.values()].map(entry => entry.state),
		freshness: (key: string) => {
			const state = entries.get(key)?.state;
			return state ? usageFreshness(state, deps.now(), intervalMs) : undefined;
		},
	};
};

export type UsagePoller = ReturnType<typeof createUsagePoller>;
