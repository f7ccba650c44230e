import type {OAuthCredential} from '../credentials/credential.js';
import type {Rotated} from '../credentials/recovery.js';
import {
	type RefreshDeps,
	type RefreshOptions,
	type RefreshOutcome,
	ProfileMoved,
	refreshCredential,
	refreshEntry,
	saveAnswered,
} from '../engine/refresh.js';
import {PiAuthError} from '../errors.js';
import type {Provider} from '../providers/types.js';
import {settlePending} from './journal.js';
import {profileKey} from './names.js';
import {hasPending, updateProfiles} from './profile-file.js';
import {activeProfileOf} from './view.js';

const SETTLE_ATTEMPTS = 3;

/**
Refreshes an inactive profile in place, under the profile store's lock only: the credential file
and its lock are never touched (`token anthropic:work` leaves the active entry alone). Like the
credential file's path it re-reads under the lock and refreshes only if still due, so processes
racing on one single-use refresh token make one refresh. Rejects with ProfileMoved when the
profile is no longer inactive (refreshNamed looks again).
*/
export const refreshProfile = async (
	deps: RefreshDeps,
	provider: Provider,
	name: string,
	options: RefreshOptions = {},
): Promise<RefreshOutcome> => {
	const {file} = deps.store.getState();
	const key = profileKey(provider.id, name);
	type Result = RefreshOutcome | {error: unknown} | 'journal' | 'moved';
	for (let attempt = 1; attempt <= SETTLE_ATTEMPTS; attempt++) {
		// A journal left by a crash holds the lock order's other file: finished with both locks first.
		if (hasPending(file)) await settlePending(file);
		let answered: Rotated | undefined;
		let result: Result;
		try {
			({result} = await updateProfiles<Result>(file, async current => {
				if (current.pending) return {result: 'journal'};
				const raw = current.profiles[key];
				if (raw === undefined) return {result: 'moved'};
				const step = await refreshEntry(
					deps,
					provider,
					raw,
					{...options, profile: name},
					() =>
						new PiAuthError(
							'needs-login',
							`The stored ${key} entry is incomplete. Sign in again: pi-auth login ${provider.id} --profile ${name}`,
						),
				);
				if (step.answered) answered = {...step.answered, profile: name};
				return step.entry
					? {
							data: {
								...current,
								profiles: {...current.profiles, [key]: step.entry},
							},
							result: step.result,
						}
					: {result: step.result};
			}));
		} catch (error) {
			if (!answered) throw error;
			return saveAnswered(deps, answered, error);
		}

		if (result === 'journal') continue;
		if (result === 'moved') throw new ProfileMoved(key);
		if ('error' in result) throw result.error;
		await deps.store.getState().reload();
		return result as {credential: OAuthCredential; refreshed: boolean};
	}

	throw new PiAuthError(
		'file-busy',
		`A profile switch of ${provider.id} kept getting in the way of refreshing ${key}. Try again.`,
	);
};

const LOOKS = 3;

/**
A named profile's token refreshed where the profile is now: as the provider's entry while it is the
active one, else in place in the store. A switch between looking and locking moves it; then it is
looked up again (bounded), so `token anthropic:work` never returns another account's token.
*/
export const refreshNamed = async (
	deps: RefreshDeps,
	provider: Provider,
	name: string,
	options: RefreshOptions = {},
): Promise<RefreshOutcome> => {
	const key = profileKey(provider.id, name);
	for (let look = 1; ; look++) {
		await deps.store.getState().reload();
		const {data, profiles} = deps.store.getState();
		const active =
			data[provider.id] !== undefined &&
			activeProfileOf(data, profiles, provider.id).name === name;
		if (!active && profiles.profiles[key] === undefined) {
			throw new PiAuthError(
				'not-signed-in',
				`${key} is no longer stored (signed out meanwhile). Sign in again: pi-auth login ${provider.id} --profile ${name}`,
			);
		}

		try {
			return active
				? await refreshCredential(deps, provider, {
						...options,
						expectProfile: name,
					})
				: await refreshProfile(deps, provider, name, options);
		} catch (error) {
			if (!(error instanceof ProfileMoved)) throw error;
			if (look >= LOOKS) {
				throw new PiAuthError(
					'file-busy',
					`${key} kept being switched while this refresh looked for it. Try again.`,
				);
			}
		}
	}
};
