import {watch, watchFile, unwatchFile, type FSWatcher} from 'node:fs';
import path from 'node:path';
import {createStore} from 'zustand/vanilla';
import {PiAuthError} from '../errors.js';
import {
	type AuthData,
	type Mutation,
	isWriteConflict,
	updateAuthFile,
} from './auth-file.js';
import type {Credential, OAuthCredential} from './credential.js';
import type {LockOptions} from './file-lock.js';
import {
	type ProfilesData,
	emptyProfiles,
	profilesFile,
} from '../profiles/profile-file.js';
import {readSnapshot, settleUnderLock} from '../profiles/snapshot.js';

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
Calls `onChange` when `file` changes. Writers replace files by rename, so the directory is
watched; where that is impossible (no directory yet) the file is polled.
*/
const watchOne = (
	file: string,
	onChange: () => void,
	pollMs: number,
): (() => void) => {
	let watcher: FSWatcher | undefined;
	try {
		watcher = watch(path.dirname(file), {persistent: false}, (_event, name) => {
			if (name === null || name === path.basename(file)) onChange();
		});
		watcher.on('error', () => undefined);
	} catch {
		watchFile(file, {interval: pollMs, persistent: false}, onChange);
	}

	return () => {
		if (watcher) watcher.close();
		else unwatchFile(file, onChange);
	};
};

/**
Reloads the store when another process changes the credential file or the profile store (a
sign-in, a refresh, a switch, a sign-out elsewhere).
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

	const stops = [
		watchOne(file, schedule, pollMs),
		watchOne(profilesFile(file), schedule, pollMs),
	];
	return () => {
		clearTimeout(timer);
		for (const stop of stops) stop();
	};
};
