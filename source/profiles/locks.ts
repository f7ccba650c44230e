/*
Both files under both locks (docs/profiles.md): the credential file's lock first, then the profile
store's, always in that order and never the other way round, so two pi-auth processes never wait
for each other in a circle; pi takes only the first. Reads and writes here assume both are held.
*/
import {
	type AuthData,
	changedWhileLocked,
	ensureDirectory,
	readAuthFile,
	revisionOf,
	writeAuthFile,
} from '../credentials/auth-file.js';
import {type LockOptions, withFileLock} from '../credentials/file-lock.js';
import {
	type ProfilesData,
	WHAT,
	profilesFile,
	readProfiles,
	withProfilesLock,
	writeProfiles,
} from './profile-file.js';

export type Held = {assertHeld(): void};

export const writeProfilesChecked = async (
	authFile: string,
	held: Held,
	revision: string,
	data: ProfilesData,
) => {
	held.assertHeld();
	const file = profilesFile(authFile);
	if (revisionOf(file) !== revision) throw changedWhileLocked(file, WHAT);
	await writeProfiles(authFile, data);
	return revisionOf(file);
};

export type State = {
	auth: AuthData;
	profiles: ProfilesData;
	/** Revisions taken before the reads: a write by a process that took a lock over shows up. */
	authRevision: string;
	profilesRevision: string;
};

/** Both files, read holding both locks. */
export const readState = async (authFile: string): Promise<State> => {
	const authRevision = revisionOf(authFile);
	const profilesRevision = revisionOf(profilesFile(authFile));
	return {
		auth: await readAuthFile(authFile, {locked: true}),
		profiles: readProfiles(authFile),
		authRevision,
		profilesRevision,
	};
};

/** Writes the credential file holding both locks, unless it changed since `revision` was taken. */
export const writeAuthChecked = async (
	authFile: string,
	held: Held,
	revision: string,
	data: AuthData,
) => {
	held.assertHeld();
	if (revisionOf(authFile) !== revision) throw changedWhileLocked(authFile);
	await writeAuthFile(authFile, data);
};

/** Runs `fn` holding the credential file's lock, then the profile store's: the one order. */
export const withBothLocks = async <T>(
	authFile: string,
	fn: (held: Held) => Promise<T>,
	options: LockOptions = {},
): Promise<T> => {
	await ensureDirectory(authFile);
	return withFileLock(
		authFile,
		async auth =>
			withProfilesLock(
				authFile,
				async profiles =>
					fn({
						assertHeld() {
							auth.assertHeld();
							profiles.assertHeld();
						},
					}),
				options,
			),
		options,
	);
};
