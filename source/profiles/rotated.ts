/*
Rotated tokens that could not be written at once (credentials/recovery.ts) go wherever the refresh
token they spent is now: the provider's entry in the credential file, or one of its profiles (a
switch may have moved the credential meanwhile). One live copy of every refresh token means there
is at most one such place; when there is none (signed out, signed in again), they are outdated.
*/
import type {AuthData} from '../credentials/auth-file.js';
import {isRecord} from '../credentials/credential.js';
import type {LockOptions} from '../credentials/file-lock.js';
import {
	type Rotated,
	dropRecovered,
	mergeRotated,
	readRecovery,
} from '../credentials/recovery.js';
import {lockedSettle} from './journal.js';
import {
	readState,
	withBothLocks,
	writeAuthChecked,
	writeProfilesChecked,
} from './locks.js';
import type {ProfilesData} from './profile-file.js';

/** The store with `rotated` merged into the profile holding the spent token, if one does. */
export const mergeIntoProfiles = (
	data: ProfilesData,
	rotated: Rotated,
): ProfilesData | undefined => {
	const key = Object.keys(data.profiles).find(candidate => {
		const entry = data.profiles[candidate];
		return (
			candidate.startsWith(`${rotated.id}:`) &&
			isRecord(entry) &&
			entry['refresh'] === rotated.spent
		);
	});
	return key === undefined
		? undefined
		: {...data, profiles: {...data.profiles, [key]: rotated.entry}};
};

/**
Merges each of `items` (or, without items, what the recovery file holds) where its spent token is,
under both locks, and resolves to the ids that were merged. Items found nowhere are outdated; the
recovery file's items are dropped from it once handled.
*/
export const mergeRotatedAnywhere = async (
	authFile: string,
	items?: readonly Rotated[],
	lock: LockOptions = {},
): Promise<string[]> =>
	withBothLocks(
		authFile,
		async held => {
			await lockedSettle(authFile, held);
			const state = await readState(authFile);
			const kept = items ?? readRecovery(authFile);
			let auth: AuthData = state.auth;
			let profiles: ProfilesData = state.profiles;
			const merged: string[] = [];
			for (const rotated of kept) {
				const intoAuth = mergeRotated(auth, rotated);
				const intoProfiles = intoAuth
					? undefined
					: mergeIntoProfiles(profiles, rotated);
				if (intoAuth) auth = intoAuth;
				if (intoProfiles) profiles = intoProfiles;
				if (intoAuth ?? intoProfiles) merged.push(rotated.id);
			}

			if (auth !== state.auth) {
				await writeAuthChecked(authFile, held, state.authRevision, auth);
			}

			if (profiles !== state.profiles) {
				await writeProfilesChecked(
					authFile,
					held,
					state.profilesRevision,
					profiles,
				);
			}

			if (!items) {
				dropRecovered(authFile, new Set(kept.map(item => item.spent)));
			}

			return merged;
		},
		lock,
	);

/** Writes the recovery file's tokens where they belong (the start of every command). */
export const restoreKept = async (
	authFile: string,
	lock: LockOptions = {},
): Promise<string[]> => mergeRotatedAnywhere(authFile, undefined, lock);
