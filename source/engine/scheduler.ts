import {
	EXPIRING_WITHIN_MS,
	parseCredential,
} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {findProvider} from '../providers/registry.js';
import {refreshProfile} from '../profiles/refresh-profile.js';
import {ProfileMoved, type RefreshDeps, refreshCredential} from './refresh.js';

/** `anthropic` or `anthropic:work` → `anthropic`. */
const providerOf = (key: string) => key.split(':')[0] ?? key;

export type RefreshActivity = {
	refreshing: boolean;
	lastRefreshAt?: number;
	/**
	Who made that refresh: this panel, or another process (another pi-auth, pi itself), seen as
	the stored entry's tokens changing under the panel.
	*/
	lastRefreshBy?: 'panel' | 'other';
	lastError?: string;
	/** When the next attempt may run after a transient failure (backoff). */
	retryAt?: number;
	failures: number;
};

export type Timers = {
	setTimeout: (callback: () => void, ms: number) => unknown;
	clearTimeout: (handle: unknown) => void;
};

export type SchedulerDeps = RefreshDeps & {
	timers: Timers;
	/** Called whenever a provider's activity changes (the panel draws it). */
	onActivity: (provider: string, activity: RefreshActivity) => void;
};

/**
Whether an OAuth entry now holds new tokens that last longer than the ones before (`before` as
JSON): what a refresh does. A sign-out, an entry marked needs-login or an API key is no refresh.
*/
const renewedTokens = (before: string, raw: unknown): boolean => {
	const previous = parseCredential(JSON.parse(before) as unknown);
	const next = parseCredential(raw);
	return (
		previous?.type === 'oauth' &&
		next?.type === 'oauth' &&
		!next.needsLogin &&
		next.access !== previous.access &&
		next.expires > previous.expires
	);
};

/** Transient failures: 30 s doubling to 10 minutes, or the server's Retry-After when longer. */
export const backoffMs = (failures: number, retryAfterMs?: number): number =>
	Math.max(
		retryAfterMs ?? 0,
		Math.min(30_000 * 2 ** Math.max(0, failures - 1), 600_000),
	);

/** The panel re-evaluates at least this often, so a suspended laptop catches up soon after waking. */
const MAX_SLEEP_MS = 60_000;

/**
Keeps every stored OAuth credential alive while the panel runs: each is refreshed through the
single locked path once less than 5 minutes remain, so other processes see the new tokens and
nothing refreshes twice. Every failure backs off (docs/providers.md: never a tight loop against a token
endpoint); permanent ones leave the entry marked needs-login (by the refresh path), which is not
retried until the entry changes.
*/
export const createRefreshScheduler = (deps: SchedulerDeps) => {
	const activity = new Map<string, RefreshActivity>();
	const running = new Set<Promise<void>>();
	/** What each stored entry looked like at the last planning, to notice it being replaced. */
	const seen = new Map<string, string>();
	let timer: unknown;
	let stopped = false;

	const update = (provider: string, patch: Partial<RefreshActivity>) => {
		const next = {
			refreshing: false,
			failures: 0,
			...activity.get(provider),
			...patch,
		};
		activity.set(provider, next);
		deps.onActivity(provider, next);
	};

	/**
	Every stored credential by its key: the providers' entries by provider id, inactive profiles
	by `provider:profile` (their tokens are kept alive too: docs/contract.md "Profiles").
	*/
	const stored = (): Array<[string, unknown]> => {
		const {data, profiles} = deps.store.getState();
		return [...Object.entries(data), ...Object.entries(profiles.profiles)];
	};

	/** The refreshable entries and when each is due (epoch ms). */
	const dueTimes = () => {
		const due: Array<{provider: string; at: number}> = [];
		for (const [id, raw] of stored()) {
			const credential = parseCredential(raw);
			const provider = findProvider(providerOf(id));
			if (
				!provider?.refresh ||
				credential?.type !== 'oauth' ||
				!credential.refresh ||
				credential.needsLogin
			) {
				continue;
			}

			const state = activity.get(id);
			const at = Math.max(
				credential.expires - EXPIRING_WITHIN_MS,
				state?.retryAt ?? 0,
			);
			due.push({provider: id, at});
		}

		return due;
	};

	const refresh = async (id: string, force = false) => {
		const provider = findProvider(providerOf(id));
		if (!provider || activity.get(id)?.refreshing) return;
		const attempt = attemptRefresh(id, provider, force);
		running.add(attempt);
		try {
			await attempt;
		} finally {
			running.delete(attempt);
		}
	};

	const attemptRefresh = async (
		id: string,
		provider: NonNullable<ReturnType<typeof findProvider>>,
		force: boolean,
	) => {
		update(id, {refreshing: true});
		try {
			const [, profile] = id.split(':');
			const {refreshed} = profile
				? await refreshProfile(deps, provider, profile, {force})
				: await refreshCredential(deps, provider, {force});
			update(id, {
				refreshing: false,
				failures: 0,
				retryAt: undefined,
				lastError: undefined,
				...(refreshed
					? {lastRefreshAt: deps.now(), lastRefreshBy: 'panel' as const}
					: {}),
			});
		} catch (error) {
			// The profile was switched in or out meanwhile: its new place is planned afresh.
			if (error instanceof ProfileMoved) {
				update(id, {refreshing: false});
				return;
			}

			const failures = (activity.get(id)?.failures ?? 0) + 1;
			const message = error instanceof Error ? error.message : String(error);
			update(id, {
				refreshing: false,
				failures,
				lastError: message,
				// Every failure but a permanent one waits and tries again: an odd answer (an HTML
				// block page, a token without its claims) would otherwise be retried at once, again
				// and again. A permanent one is recorded on the entry (needs-login) and not retried.
				retryAt:
					error instanceof PiAuthError && error.code === 'needs-login'
						? undefined
						: deps.now() +
							backoffMs(
								failures,
								error instanceof PiAuthError ? error.retryAfterMs : undefined,
							),
			});
		}
	};

	const tick = async () => {
		timer = undefined;
		if (stopped) return;
		const now = deps.now();
		const due = dueTimes();
		// One at a time: the lock serialises them anyway, and a slow provider must not pile up.
		for (const {provider, at} of due) {
			if (at <= now && !stopped) await refresh(provider);
		}

		schedule();
	};

	/**
	An entry replaced since the last planning (a sign-in here or in another process, a refresh)
	starts afresh: its old error and backoff belong to the credential that is gone. One whose
	tokens were renewed by someone else (another pi-auth, pi itself) was refreshed: the panel
	says so and when, as it does for its own refreshes (issue 14). The change is seen within a
	second or two of the write (the file is watched), so the time noted is that close to it.
	*/
	const forgetReplaced = () => {
		// An entry that was elsewhere before is a profile switched in or out, not a refresh.
		const earlier = new Set(seen.values());
		for (const [id, raw] of stored()) {
			const print = JSON.stringify(raw);
			const before = seen.get(id);
			seen.set(id, print);
			const state = activity.get(id);
			if (before === undefined || before === print || state?.refreshing) {
				continue;
			}

			const renewed = !earlier.has(print) && renewedTokens(before, raw);
			if (!state && !renewed) continue;
			update(id, {
				failures: 0,
				retryAt: undefined,
				lastError: undefined,
				...(renewed
					? {lastRefreshAt: deps.now(), lastRefreshBy: 'other' as const}
					: {}),
			});
		}
	};

	const schedule = () => {
		if (stopped) return;
		forgetReplaced();
		if (timer !== undefined) deps.timers.clearTimeout(timer);
		const now = deps.now();
		const next = Math.min(
			...dueTimes().map(entry => entry.at),
			now + MAX_SLEEP_MS,
		);
		timer = deps.timers.setTimeout(
			() => {
				void tick();
			},
			Math.max(1000, next - now),
		);
	};

	return {
		start() {
			stopped = false;
			void tick();
		},
		/**
		Stops planning, and resolves once a refresh already under way has finished (bounded by its
		15 s timeout): quitting in the middle would spend a single-use refresh token at the
		provider without saving the one that replaces it, and the next refresh would be refused.
		*/
		async stop() {
			stopped = true;
			if (timer !== undefined) deps.timers.clearTimeout(timer);
			timer = undefined;
			await Promise.allSettled([...running]);
		},
		/** True while a refresh is under way (the panel says so when asked to quit). */
		busy: () => running.size > 0,
		/** Re-plan after the file changed (another process logged in, refreshed or logged out). */
		reschedule: schedule,
		/** `R` in the panel: refresh now, bypassing backoff. */
		refreshNow: async (provider: string) => {
			update(provider, {retryAt: undefined});
			await refresh(provider, true);
			schedule();
		},
	};
};

export type RefreshScheduler = ReturnType<typeof createRefreshScheduler>;
