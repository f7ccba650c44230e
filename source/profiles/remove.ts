import {isWriteConflict} from '../credentials/auth-file.js';
import {isRecord} from '../credentials/credential.js';
import type {AuthStore} from '../credentials/store.js';
import {lockedSettle} from './journal.js';
import {
	readState,
	withBothLocks,
	writeAuthChecked,
	writeProfilesChecked,
} from './locks.js';
import {profileKey} from './names.js';
import {type ProfilesData, profilesExist} from './profile-file.js';
import {type ResolvedTarget, targetLabel} from './targets.js';

export type Removal = {removed: string[]; notStored: string[]};

const without = <T>(record: Readonly<Record<string, T>>, key: string) => {
	const {[key]: _gone, ...rest} = record;
	return rest;
};

/**
Signs out of entries and profiles (logout), holding both locks: entries leave the credential file
(first write), profiles and the active record of a signed-out entry leave the profile store
(second write). A crash between the two leaves only a record of an entry that is gone, which
nothing reads. `'all'`: every entry of the credential file and every profile.
*/
export const removeCredentials = async (
	store: AuthStore,
	targets: readonly ResolvedTarget[] | 'all',
): Promise<Removal> => {
	const {file} = store.getState();
	if (!profilesExist(file)) {
		// No profile store (profiles never used here): only the credential file, as before.
		const wanted =
			targets === 'all'
				? Object.keys(store.getState().data).map(id => ({id, label: id}))
				: targets.map(target => ({
						id: target.kind === 'entry' ? target.id : '',
						label: targetLabel(target),
					}));
		const removed = await store.getState().remove(wanted.map(item => item.id));
		return {
			removed: wanted
				.filter(item => removed.includes(item.id))
				.map(item => item.label),
			notStored: wanted
				.filter(item => !removed.includes(item.id))
				.map(item => item.label),
		};
	}

	for (let attempt = 1; ; attempt++) {
		try {
			const removal = await withBothLocks(file, async held => {
				await lockedSettle(file, held);
				const state = await readState(file);
				const auth = {...state.auth};
				let profiles: ProfilesData = state.profiles;
				const removed: string[] = [];
				const notStored: string[] = [];
				const dropEntry = (id: string, label: string) => {
					if (!Object.hasOwn(auth, id)) {
						notStored.push(label);
						return;
					}

					delete auth[id];
					profiles = {
						...profiles,
						active: without(profiles.active, id),
						activeAccounts: without(profiles.activeAccounts, id),
					};
					removed.push(label);
				};

				if (targets === 'all') {
					for (const id of Object.keys(state.auth)) dropEntry(id, id);
					removed.push(...Object.keys(profiles.profiles));
					profiles = {...profiles, profiles: {}};
				} else {
					for (const target of targets) {
						if (target.kind === 'entry') {
							dropEntry(target.id, targetLabel(target));
							continue;
						}

						const key = profileKey(target.provider.id, target.name);
						if (isRecord(profiles.profiles[key])) {
							profiles = {
								...profiles,
								profiles: without(profiles.profiles, key),
							};
							removed.push(key);
						} else {
							notStored.push(key);
						}
					}
				}

				if (Object.keys(auth).length !== Object.keys(state.auth).length) {
					await writeAuthChecked(file, held, state.authRevision, auth);
				}

				if (profiles !== state.profiles) {
					await writeProfilesChecked(
						file,
						held,
						state.profilesRevision,
						profiles,
					);
				}

				return {removed, notStored};
			});
			await store.getState().reload();
			return removal;
		} catch (error) {
			// Pure file actions run again on what is there now (as the store's own actions do).
			if (!isWriteConflict(error) || attempt >= 3) throw error;
		}
	}
};
