import {type StoreApi, createStore} from 'zustand/vanilla';
import type {CommandContext} from '../commands/io.js';
import {type AuthStore, watchAuthFile} from '../credentials/store.js';
import {type CredentialView, listCredentials} from '../credentials/view.js';
import {formatClock} from '../format.js';
import {findProvider} from '../providers/registry.js';
import {createAlerts} from '../usage/alerts.js';
import {
	type RefreshActivity,
	type Timers,
	createRefreshScheduler,
} from './scheduler.js';
import {usageCacheFile} from '../usage/cache-file.js';
import {createUsagePoller, type UsagePollState} from '../usage/poller.js';
import {createUsageCache} from '../usage/shared.js';
import {usageKeyOf, usageTargets} from '../usage/targets.js';
import type {Notify} from './notify.js';

/** What the background work knows and the panel draws: activity per provider, usage per usage key. */
export type PanelRuntimeState = {
	activity: Readonly<Record<string, RefreshActivity>>;
	usage: Readonly<Record<string, UsagePollState>>;
};

export type PanelRuntime = {
	state: StoreApi<PanelRuntimeState>;
	store: AuthStore;
	env: NodeJS.ProcessEnv;
	start: () => void;
	/** Resolves once a token refresh under way has been saved (see the scheduler's stop). */
	stop: () => Promise<void>;
	/** A token refresh is under way. */
	refreshing: () => boolean;
	/** `R`: refresh the token now, bypassing backoff. */
	refreshToken: (provider: string) => void;
	/** `r`: fetch usage now, bypassing backoff (the credential's usage key, targets.ts). */
	refreshUsage: (key: string) => void;
	/** `d`: sign out (never needs the network). */
	logout: (provider: string) => Promise<void>;
};

const systemTimers: Timers = {
	setTimeout: (callback, ms) => setTimeout(callback, ms),
	clearTimeout(handle) {
		clearTimeout(handle as NodeJS.Timeout);
	},
};

/** "Anthropic", "GitHub Copilot": the provider's name without its plans. */
const shortName = (id: string) =>
	(findProvider(id)?.name ?? id).replace(/\s*\(.*\)$/, '');

const without = <T>(record: Readonly<Record<string, T>>, key: string) => {
	const {[key]: _gone, ...rest} = record;
	return rest;
};

/**
The live panel's background work, outside React (house-style.md): the refresh scheduler keeps
every OAuth token alive through the single locked refresh path, the usage poller polls each
credential, and the credential file is watched so another process's login, refresh or logout
shows up within a second or two. The panel only reads `state` and calls the actions.
*/
export const createPanelRuntime = async (
	context: CommandContext,
	timers: Timers = systemTimers,
	options: {
		/** Bell and desktop notification at 80 % and 95 %, resets and sign-ins (engine/notify.ts). */
		notify?: Notify;
	} = {},
): Promise<PanelRuntime> => {
	const {store, config, env, now} = context;
	const fetch = await context.fetch();
	const {notify} = options;
	const alerts = createAlerts();
	// The snapshot each credential's alerts last looked at: a redraw or the same answer again says nothing.
	const alerted = new Map<string, number>();
	const alertUsage = (key: string, usage: UsagePollState | undefined) => {
		const snapshot = usage?.snapshot;
		if (!notify || !usage || !snapshot) return;
		if (alerted.get(key) === snapshot.fetchedAt) return;
		alerted.set(key, snapshot.fetchedAt);
		for (const alert of alerts.usage(
			key,
			shortName(usage.provider),
			snapshot.windows,
			at => formatClock(at, now()),
		)) {
			notify(alert);
		}
	};

	const alertCredentials = (views: readonly CredentialView[]) => {
		if (!notify) return;
		for (const view of views) {
			for (const alert of alerts.credential(
				usageKeyOf(view),
				shortName(view.provider.id),
				view.state,
				`pi-auth login ${view.provider.id}`,
			)) {
				notify(alert);
			}
		}
	};

	const state = createStore<PanelRuntimeState>()(() => ({
		activity: {},
		usage: {},
	}));
	const scheduler = createRefreshScheduler({
		store,
		config,
		fetch,
		now,
		timers,
		onActivity(provider, activity) {
			state.setState(current => ({
				activity: {...current.activity, [provider]: activity},
			}));
		},
	});
	const poller = createUsagePoller({
		now,
		timers,
		// Shared with every other panel and status line (usage/shared.ts).
		cache: createUsageCache({
			file: usageCacheFile(store.getState().file),
			now,
		}),
		targets: () =>
			usageTargets({
				views: listCredentials(store.getState().data, env, now()),
				config,
				fetch,
				now,
			}),
		onUpdate(key, usage) {
			state.setState(current => ({
				usage: usage
					? {...current.usage, [key]: usage}
					: without(current.usage, key),
			}));
			alertUsage(key, usage);
		},
	});
	let unwatch: (() => void) | undefined;
	let unsubscribe: (() => void) | undefined;
	return {
		state,
		store,
		env,
		start() {
			unwatch = watchAuthFile(store);
			// Another process changed the file (or we did): re-plan refreshes and usage at once.
			unsubscribe = store.subscribe((next, previous) => {
				if (next.data === previous.data) return;
				alertCredentials(listCredentials(next.data, env, now()));
				scheduler.reschedule();
				poller.reschedule();
			});
			// What is so when the panel opens is on screen: the alerts start from it.
			alertCredentials(listCredentials(store.getState().data, env, now()));
			scheduler.start();
			poller.start();
		},
		async stop() {
			unwatch?.();
			unsubscribe?.();
			await Promise.all([poller.stop(), scheduler.stop()]);
		},
		refreshing: scheduler.busy,
		refreshToken(provider) {
			void scheduler.refreshNow(provider);
		},
		refreshUsage(key) {
			void poller.refreshNow(key);
		},
		async logout(provider) {
			await store.getState().remove([provider]);
		},
	};
};
