import {type StoreApi, createStore} from 'zustand/vanilla';
import type {CommandContext} from '../commands/io.js';
import {type AuthStore, watchAuthFile} from '../credentials/store.js';
import type {CredentialView} from '../credentials/view.js';
import {listAll} from '../profiles/view.js';
import {
	type RefreshActivity,
	type Timers,
	createRefreshScheduler,
} from './scheduler.js';
import {createUsagePoller, type UsagePollState} from '../usage/poller.js';
import {usageTargets} from '../usage/targets.js';

/**
What the background work knows and the panel draws. Refresh activity by the scheduler's key (a
provider's entry by its id, an inactive profile as `provider:profile`: activityKey below); usage
by the credential's key in the listing, which follows a profile through switches.
*/
export type PanelRuntimeState = {
	activity: Readonly<Record<string, RefreshActivity>>;
	usage: Readonly<Record<string, UsagePollState>>;
};

/** Where a view's refresh activity is kept (see PanelRuntimeState). */
export const activityKey = (view: CredentialView) =>
	view.active ? view.provider.id : view.key;

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
	refreshToken: (view: CredentialView) => void;
	/** `r`: fetch usage now, bypassing backoff. */
	refreshUsage: (view: CredentialView) => void;
	/** `d`: sign out of an entry or a profile (never needs the network). */
	logout: (view: CredentialView) => Promise<void>;
	/** `Enter`/`s` on an inactive profile: make it the active one (profiles/use.ts). */
	use: (view: CredentialView) => Promise<void>;
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
		targets: () =>
			usageTargets({
				views: listAll(
					store.getState().data,
					store.getState().profiles,
					env,
					now(),
				),
				config,
				fetch,
				now,
			}),
		onUpdate(provider, usage) {
			state.setState(current => ({
				usage: usage
					? {...current.usage, [provider]: usage}
					: without(current.usage, provider),
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
			// Another process changed a file (or we did): re-plan refreshes and usage at once.
			unsubscribe = store.subscribe((next, previous) => {
				if (
					next.data === previous.data &&
					next.profiles === previous.profiles
				) {
					return;
				}

				scheduler.reschedule();
				poller.reschedule();
			});
			scheduler.start();
			poller.start();
		},
		async stop() {
			unwatch?.();
			unsubscribe?.();
			poller.stop();
			await scheduler.stop();
		},
		refreshing: scheduler.busy,
		refreshToken(view) {
			void scheduler.refreshNow(activityKey(view));
		},
		refreshUsage(view) {
			void poller.refreshNow(view.key);
		},
		async logout(view) {
			const {removeCredentials} = await import('../profiles/remove.js');
			const [id = '', name] = view.key.split(':');
			await removeCredentials(store, [
				view.active || name === undefined
					? {kind: 'entry', id}
					: {kind: 'profile', provider: view.provider, name},
			]);
		},
		async use(view) {
			if (view.active || view.profile === undefined) return;
			const {useProfile} = await import('../profiles/use.js');
			await useProfile(store.getState().file, view.provider, view.profile, {
				now,
			});
			await store.getState().reload();
		},
	};
};
