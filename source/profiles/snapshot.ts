/*
What every command and the panel read: the credential file and the profile store together, as one
picture that a switch under way (profiles/journal.ts) cannot tear.
*/
import {
	type AuthData,
	readAuthFile,
	revisionOf,
} from '../credentials/auth-file.js';
import {PiAuthError} from '../errors.js';
import {
	type ProfilesData,
	emptyProfiles,
	hasPending,
	readProfiles,
	withProfilesLock,
} from './profile-file.js';

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
export const readSnapshot = async (file: string): Promise<Snapshot> => {
	for (let attempt = 1; attempt <= SNAPSHOT_TRIES; attempt++) {
		const before = revisionOf(file);
		const store = readStore(file);
		const data = await readAuthFile(file);
		if (revisionOf(file) === before && !store.profiles.pending) {
			return {data, ...store};
		}

		if (store.profiles.pending && attempt === SNAPSHOT_TRIES - 1) {
			const {settlePending} = await import('./journal.js');
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
export const settleUnderLock = async (
	file: string,
	lock: {assertHeld(): void},
) => {
	if (!hasPending(file)) return;
	const {lockedSettle} = await import('./journal.js');
	await withProfilesLock(file, async profiles =>
		lockedSettle(file, {
			assertHeld() {
				lock.assertHeld();
				profiles.assertHeld();
			},
		}),
	);
};
