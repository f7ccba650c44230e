import {type StoreApi, createStore} from 'zustand/vanilla';
import type {CommandContext} from '../commands/io.js';
import {type AuthStore, watchAuthFile} from '../credentials/store.js';
import type {CredentialView} from '../credentials/view.js';
import {formatClock} from '../format.js';
import {listAll} from '../profiles/view.js';
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

/**
What the background work knows and the panel draws. Refresh activity by the scheduler's key (a
provider's entry by its id, an inactive profile as `provider:profile`: activityKey below); usage
by the credential's usage key (usage/targets.ts), which follows a profile through switches.
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

/** "Anthropic", "GitHub Copilot": the provider's name without its plans. */
const shortName = (id: string) =>
	(findProvider(id)?.name ?? id).replace(/\s*\(.*\)$/, '');

/** "Anthropic (work)" for a named profile's usage key (`anthropic:work`); the default stays bare. */
const profileSuffix = (name: string, key: string) => {
	const profile = key.split(':')[1];
	return profile && profile !== 'default' ? `${name} (${profile})` : name;
};

const without = <T>(record: Readonly<Record<string, T>>, key: string) => {
	const {[key]: _gone, ...rest} = record;
	return rest;
};

/**
The live panel's background work, outside React (docs/architecture.md "House style"): the refresh scheduler keeps
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
			profileSuffix(shortName(usage.provider), key),
			snapshot.windows,
			at => formatClock(at, now()),
		)) {
			notify(alert);
		}
	};

	// Every credential the panel lists: the file's entries, inactive profiles, the environment.
	const listed = () =>
		listAll(store.getState().data, store.getState().profiles, env, now());
	const alertCredentials = (views: readonly CredentialView[]) => {
		if (!notify) return;
		for (const view of views) {
			// pi-auth cannot sign in to an id it does not manage: no sign-in to suggest.
			if (!view.managed) continue;
			const name = shortName(view.provider.id);
			for (const alert of alerts.credential(
				usageKeyOf(view),
				view.active || !view.profile ? name : `${name} (${view.profile})`,
				view.state,
				`pi-auth login ${view.provider.id}${view.active || !view.profile ? '' : ` --profile ${view.profile}`}`,
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
				views: listed(),
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
			// Another process changed a file (or we did): re-plan refreshes and usage at once.
			unsubscribe = store.subscribe((next, previous) => {
				if (
					next.data === previous.data &&
					next.profiles === previous.profiles
				) {
					return;
				}

				alertCredentials(listed());
				scheduler.reschedule();
				poller.reschedule();
			});
			// What is so when the panel opens is on screen: the alerts start from it.
			alertCredentials(listed());
			scheduler.start();
			poller.start();
		},
		async stop() {
			unwatch?.();
			unsubscribe?.();
			await Promise.all([poller.stop(), scheduler.stop()]);
		},
		refreshing: scheduler.busy,
		refreshToken(view) {
			void scheduler.refreshNow(activityKey(view));
		},
		refreshUsage(view) {
			void poller.refreshNow(usageKeyOf(view));
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
