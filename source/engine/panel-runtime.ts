import {type StoreApi, createStore} from 'zustand/vanilla';
import type {CommandContext} from '../commands/io.js';
import {type AuthStore, watchAuthFile} from '../credentials/store.js';
import {listCredentials} from '../credentials/view.js';
import {
	type RefreshActivity,
	type Timers,
	createRefreshScheduler,
} from './scheduler.js';
import {usageCacheFile} from '../usage/cache-file.js';
import {createUsagePoller, type UsagePollState} from '../usage/poller.js';
import {createUsageCache} from '../usage/shared.js';
import {usageTargets} from '../usage/targets.js';

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
): Promise<PanelRuntime> => {
	const {store, config, env, now} = context;
	const fetch = await context.fetch();
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
				scheduler.reschedule();
				poller.reschedule();
			});
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
