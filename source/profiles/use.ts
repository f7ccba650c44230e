import {PiAuthError} from '../errors.js';
import type {Provider} from '../providers/types.js';
import {differentAccounts} from './identity.js';
import {type SwitchOptions, runSwitch} from './journal.js';
import {entryOf, freshName} from './lookup.js';
import {profileKey} from './names.js';
import {unknownProfile} from './targets.js';
import {activeName, activeProfileOf} from './view.js';

export type UseResult = {
	provider: string;
	profile: string;
	/** It was already the active profile: nothing changed. */
	already: boolean;
	/** The profile the previously active entry was filed as. */
	keptAs?: string;
	/** The previous entry was another program's sign-in, not the profile on record (docs/contract.md). */
	replacedProfile?: string;
};

/**
`use <provider>:<name>`: the chosen profile becomes the provider's entry in the credential file,
and the entry there goes back to its profile exactly as it is on disk now (journal.ts).
*/
export const useProfile = async (
	authFile: string,
	provider: Provider,
	name: string,
	options: SwitchOptions = {},
): Promise<UseResult> =>
	runSwitch<UseResult>(
		authFile,
		({auth, profiles}) => {
			const id = provider.id;
			const current = entryOf(auth, id);
			const onRecord = activeName(profiles, id);
			const replaced =
				current !== undefined &&
				differentAccounts(current, profiles.activeAccounts[id]);
			if (current && !replaced && onRecord === name) {
				return {result: {provider: id, profile: name, already: true}};
			}

			const entry = profiles.profiles[profileKey(id, name)];
			if (!entry) {
				if (replaced && onRecord === name) {
					throw new PiAuthError(
						'not-signed-in',
						`${id}:${name} is gone: another program signed a different account in over it. Sign in to it again: pi-auth login ${id} --profile ${name}`,
					);
				}

				throw unknownProfile(
					provider,
					name,
					profiles,
					current && activeProfileOf(auth, profiles, id).name,
				);
			}

			// The entry goes back under its name, unless another program put another account there,
			// or the name is (oddly) taken already: then it gets a name of its own.
			const keepAs =
				current === undefined
					? undefined
					: replaced ||
						  profiles.profiles[profileKey(id, onRecord)] !== undefined
						? freshName(profiles, id, current, [name, onRecord])
						: onRecord;
			return {
				result: {
					provider: id,
					profile: name,
					already: false,
					...(keepAs ? {keptAs: keepAs} : {}),
					...(replaced ? {replacedProfile: onRecord} : {}),
				},
				change: {
					provider: id,
					incoming: {name, entry},
					...(keepAs ? {keepAs} : {}),
				},
			};
		},
		options,
	);
