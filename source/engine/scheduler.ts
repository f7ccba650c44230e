import {
	EXPIRING_WITHIN_MS,
	parseCredential,
} from '../credentials/credential.js';
import {isTransient, PiAuthError} from '../errors.js';
import {findProvider} from '../providers/registry.js';
import {type RefreshDeps, refreshCredential} from './refresh.js';

export type RefreshActivity = {
	refreshing: boolean;
	lastRefreshAt?: number;
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
nothing refreshes twice. Transient failures back off; permanent ones leave the entry marked
needs-login (by the refresh path) and are not retried until the entry changes.
*/
export const createRefreshScheduler = (deps: SchedulerDeps) => {
	const activity = new Map<string, RefreshActivity>();
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

	/** The refreshable entries and when each is due (epoch ms). */
	const dueTimes = () => {
		const {data} = deps.store.getState();
		const due: Array<{provider: string; at: number}> = [];
		for (const [id, raw] of Object.entries(data)) {
			const credential = parseCredential(raw);
			const provider = findProvider(id);
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
		const provider = findProvider(id);
		if (!provider || activity.get(id)?.refreshing) return;
		update(id, {refreshing: true});
		try {
			const {refreshed} = await refreshCredential(deps, provider, {force});
			update(id, {
				refreshing: false,
				failures: 0,
				retryAt: undefined,
				lastError: undefined,
				...(refreshed ? {lastRefreshAt: deps.now()} : {}),
			});
		} catch (error) {
			const failures = (activity.get(id)?.failures ?? 0) + 1;
			const message = error instanceof Error ? error.message : String(error);
			update(id, {
				refreshing: false,
				failures,
				lastError: message,
				// Permanent failures are recorded on the entry (needs-login) and not retried here.
				retryAt: isTransient(error)
					? deps.now() +
						backoffMs(
							failures,
							error instanceof PiAuthError ? error.retryAfterMs : undefined,
						)
					: undefined,
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

	const schedule = () => {
		if (stopped) return;
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
		stop() {
			stopped = true;
			if (timer !== undefined) deps.timers.clearTimeout(timer);
			timer = undefined;
		},
		/** Re-plan after the file changed (another process logged in, refreshed or logged out). */
		reschedule: schedule,
		/** `R` in the panel: refresh now, bypassing backoff. */
		refreshNow: async (provider: string) => {
			update(provider, {retryAt: undefined});
			await refresh(provider, true);
			schedule();
		},
		activity: (provider: string) => activity.get(provider),
	};
};

export type RefreshScheduler = ReturnType<typeof createRefreshScheduler>;
