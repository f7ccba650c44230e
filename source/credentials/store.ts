import {watch, watchFile, unwatchFile, type FSWatcher} from 'node:fs';
import path from 'node:path';
import {createStore} from 'zustand/vanilla';
import {PiAuthError} from '../errors.js';
import {
	type AuthData,
	type Mutation,
	isWriteConflict,
	readAuthFile,
	revisionOf,
	updateAuthFile,
} from './auth-file.js';
import type {Credential, OAuthCredential} from './credential.js';
import type {LockOptions} from './file-lock.js';
import {
	type ProfilesData,
	emptyProfiles,
	hasPending,
	readProfiles,
} from '../profiles/profile-file.js';

const SNAPSHOT_TRIES = 5;

type Snapshot = {
	data: AuthData;
	profiles: ProfilesData;
	profilesError: PiAuthError | undefined;
};

/** The profile store, or its error: a broken store never hides the credential file. */
const readStore = (
	file: string,
): Pick<Snapshot, 'profiles' | 'profilesError'> => {
	try {
		return {profiles: readProfiles(file), profilesError: undefined};
	} catch (error) {
		if (!(error instanceof PiAuthError)) throw error;
		return {profiles: emptyProfiles(), profilesError: error};
	}
};

/**
The credential file and the profile store as one consistent picture, without the lock: the
credential file's revision is the same before the store is read and after the file is read, and no
switch is half done. Otherwise a switch is under way (or a crash left one): read again, and in the
end wait for it by finishing any journal under both locks (profiles/journal.ts), then read.
*/
const readSnapshot = async (file: string): Promise<Snapshot> => {
	for (let attempt = 1; attempt <= SNAPSHOT_TRIES; attempt++) {
		const before = revisionOf(file);
		const store = readStore(file);
		const data = await readAuthFile(file);
		if (revisionOf(file) === before && !store.profiles.pending) {
			return {data, ...store};
		}

		if (store.profiles.pending && attempt === SNAPSHOT_TRIES - 1) {
			const {settlePending} = await import('../profiles/journal.js');
			await settlePending(file).catch(() => undefined);
		}
	}

	const store = readStore(file);
	return {data: await readAuthFile(file), ...store};
};

/**
Finishes a journal under the credential file's lock (the profile store's lock is taken inside:
the one order). Loaded only when a journal is there: one read of the profile store otherwise.
*/
const settleUnderLock = async (file: string, lock: {assertHeld(): void}) => {
	if (!hasPending(file)) return;
	const {lockedSettle} = await import('../profiles/journal.js');
	const {withProfilesLock} = await import('../profiles/profile-file.js');
	await withProfilesLock(file, async profiles =>
		lockedSettle(file, {
			assertHeld() {
				lock.assertHeld();
				profiles.assertHeld();
			},
		}),
	);
};

export type AuthState = {
	file: string;
	/** The file's raw object as last read or written. */
	data: AuthData;
	/** pi-auth's profile store beside the file (profiles/profile-file.ts), as last read. */
	profiles: ProfilesData;
	/** Set when the profile store could not be read; `profiles` then keeps what was there before. */
	profilesError: PiAuthError | undefined;
	/** Set when the file could not be read; `data` then keeps what was there before. */
	error: PiAuthError | undefined;
	loaded: boolean;
	/** Reads the credential file and the profile store again. */
	reload: () => Promise<void>;
	/** A login: replaces the provider's whole entry. */
	save: (provider: string, credential: Credential) => Promise<void>;
	/** A refresh: merges into the entry, keeping its other fields. */
	merge: (provider: string, fields: Partial<OAuthCredential>) => Promise<void>;
	/** Removes entries; resolves to the ids that were there. */
	remove: (providers: readonly string[]) => Promise<string[]>;
	/** Any other locked read-modify-write (the refresh path uses it). */
	update: <T>(
		mutate: (current: AuthData) => Mutation<T> | Promise<Mutation<T>>,
	) => Promise<T>;
};

export type AuthStore = ReturnType<typeof createAuthStore>;

export const createAuthStore = (options: {file: string; lock?: LockOptions}) =>
	createStore<AuthState>()(set => {
		/*
		The actions below are pure functions of the file's content, so when the file changed under a
		lock taken over as stale (auth-file.ts) they simply run again on what is there now. `update`
		does not: its caller (the refresh path) may have spent a refresh token, and handles it.
		*/
		const rerunOnConflict = async <T>(
			mutate: (current: AuthData) => Mutation<T> | Promise<Mutation<T>>,
		): Promise<T> => {
			for (let attempt = 1; ; attempt++) {
				try {
					return await update(mutate);
				} catch (error) {
					if (!isWriteConflict(error) || attempt >= 3) throw error;
				}
			}
		};

		const update: AuthState['update'] = async mutate => {
			try {
				const {data, result} = await updateAuthFile(options.file, mutate, {
					...options.lock,
					// A profile switch a crash left half done is finished before any other write.
					beforeRead: async lock => settleUnderLock(options.file, lock),
				});
				set({data, error: undefined, loaded: true});
				return result;
			} catch (error) {
				if (error instanceof PiAuthError && error.code === 'file-corrupt') {
					set({error, loaded: true});
				}

				throw error;
			}
		};

		return {
			file: options.file,
			data: {},
			profiles: emptyProfiles(),
			profilesError: undefined,
			error: undefined,
			loaded: false,
			async reload() {
				try {
					set({
						...(await readSnapshot(options.file)),
						error: undefined,
						loaded: true,
					});
				} catch (error) {
					if (!(error instanceof PiAuthError)) throw error;
					set({error, loaded: true});
				}
			},

			async save(provider, credential) {
				await rerunOnConflict(current => ({
					data: {...current, [provider]: credential},
					result: undefined,
				}));
			},
			async merge(provider, fields) {
				await rerunOnConflict(current => ({
					data: {
						...current,
						[provider]: {...(current[provider] as object), ...fields},
					},
					result: undefined,
				}));
			},
			async remove(ids) {
				return rerunOnConflict(current => {
					const present = ids.filter(id => Object.hasOwn(current, id));
					if (present.length === 0) return {result: []};
					const data = {...current};
					for (const id of present) delete data[id];
					return {data, result: present};
				});
			},
			update,
		};
	});

/**
Reloads the store when another process changes the file. Writers replace the file by rename, so
the directory is watched; where that is impossible (no directory yet) the file is polled.
*/
export const watchAuthFile = (
	store: AuthStore,
	{debounceMs = 50, pollMs = 1000}: {debounceMs?: number; pollMs?: number} = {},
): (() => void) => {
	const {file} = store.getState();
	let timer: NodeJS.Timeout | undefined;
	const schedule = () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			void store.getState().reload();
		}, debounceMs);
	};

	let watcher: FSWatcher | undefined;
	try {
		watcher = watch(path.dirname(file), {persistent: false}, (_event, name) => {
			if (name === null || name === path.basename(file)) schedule();
		});
		watcher.on('error', () => undefined);
	} catch {
		watchFile(file, {interval: pollMs, persistent: false}, schedule);
	}

	return () => {
		clearTimeout(timer);
		if (watcher) watcher.close();
		else unwatchFile(file, schedule);
	};
};
