import type {Credential} from '../credentials/credential.js';
import type {Provider} from '../providers/types.js';
import {differentAccounts, sameAccount} from './identity.js';
import {type SwitchOptions, runSwitch} from './journal.js';
import {accountLabel, entryOf, freshName, profileNames} from './lookup.js';
import {DEFAULT_PROFILE, profileKey} from './names.js';
import type {ProfilesData} from './profile-file.js';
import {activeName} from './view.js';

export type SaveSignInOptions = SwitchOptions & {
	/** `--profile NAME`, or the name the wizard asked for; undefined: the active profile. */
	profile?: string;
	/**
	The person asked for another account (the wizard's "Add another account"): when the account is
	one a profile already holds, say so even though that profile is the one updated.
	*/
	adding?: boolean;
};

export type SavedSignIn = {
	profile: string;
	/** It is the provider's entry in the credential file (pi uses it). */
	active: boolean;
	/** The account was already this profile's, which was updated instead of the one asked for. */
	matched?: {requested?: string};
	/** The account the profile held before, when it was another one. */
	previousAccount?: string;
	/** The entry that was there was another program's sign-in, now kept under this name. */
	keptAs?: string;
};

type State = {auth: Record<string, unknown>; profiles: ProfilesData};

/** The profile that already holds this account, if one does (docs/contract.md "Profiles"). */
export const profileOfAccount = (
	provider: Provider,
	credential: Credential,
	{auth, profiles}: State,
): {name: string; active: boolean} | undefined => {
	const id = provider.id;
	const current = entryOf(auth, id);
	const record = profiles.activeAccounts[id];
	if (
		current &&
		!differentAccounts(current, record) &&
		(sameAccount(credential, current) || sameAccount(credential, record))
	) {
		return {name: activeName(profiles, id), active: true};
	}

	const name = profileNames(profiles, id).find(candidate =>
		sameAccount(credential, profiles.profiles[profileKey(id, candidate)]),
	);
	return name ? {name, active: false} : undefined;
};

/**
Where a new sign-in goes (docs/contract.md "Profiles"): to the profile that already holds the
account, else to the one named, else to the active one (`default` for a first sign-in). The active
profile, or any profile of a provider without an entry, becomes the credential file's entry (the
journal's three writes); any other is stored as an inactive profile (one write).
*/
export const saveSignIn = async (
	authFile: string,
	provider: Provider,
	credential: Credential,
	options: SaveSignInOptions = {},
): Promise<SavedSignIn> =>
	runSwitch<SavedSignIn>(
		authFile,
		state => {
			const {auth, profiles} = state;
			const id = provider.id;
			const current = entryOf(auth, id);
			const onRecord = activeName(profiles, id);
			const replacedByOther =
				current !== undefined &&
				differentAccounts(current, profiles.activeAccounts[id]);
			// The new sign-in is the account in the file, whatever name that entry has.
			const supersedes =
				current !== undefined && sameAccount(credential, current);
			const fresh = (...taken: string[]) =>
				freshName(profiles, id, credential, taken);
			const intended =
				options.profile ??
				(current === undefined
					? profileNames(profiles, id).includes(DEFAULT_PROFILE)
						? fresh()
						: DEFAULT_PROFILE
					: replacedByOther && supersedes
						? fresh(onRecord)
						: onRecord);
			const holder = profileOfAccount(provider, credential, state);
			const name = holder?.name ?? intended;
			const toEntry = current === undefined || name === onRecord || supersedes;
			const before = toEntry
				? current
				: profiles.profiles[profileKey(id, name)];
			const previous = differentAccounts(before, credential)
				? accountLabel(id, before)
				: undefined;
			const saved = {
				...(holder && (holder.name !== intended || options.adding)
					? {matched: options.profile ? {requested: options.profile} : {}}
					: {}),
				...(previous && !replacedByOther ? {previousAccount: previous} : {}),
			};
			if (!toEntry) {
				return {
					result: {profile: name, active: false, ...saved},
					profiles: {
						...profiles,
						profiles: {
							...profiles.profiles,
							[profileKey(id, name)]: credential,
						},
					},
				};
			}

			// Another program's sign-in of another account is kept, under a name of its own.
			const keepAs =
				replacedByOther && !supersedes
					? freshName(profiles, id, current, [name, onRecord])
					: undefined;
			return {
				result: {
					profile: name,
					active: true,
					...saved,
					...(keepAs ? {keptAs: keepAs} : {}),
				},
				change: {
					provider: id,
					incoming: {name, entry: credential},
					...(keepAs ? {keepAs} : {}),
				},
			};
		},
		options,
	);

/** Where a sign-in went, in words (the scripted login and the wizard's success screen). */
export const describeSaved = (
	provider: Provider,
	saved: SavedSignIn,
): string[] => {
	const name = `${provider.id}:${saved.profile}`;
	const lines: string[] = [];
	if (saved.matched) {
		lines.push(
			saved.matched.requested
				? `This account is already profile ${name}: updated it instead of creating ${provider.id}:${saved.matched.requested}.`
				: `This account is already profile ${name}: updated it.`,
		);
	}

	if (saved.previousAccount) {
		lines.push(`${name} was ${saved.previousAccount} before; it is replaced.`);
	}

	if (saved.keptAs) {
		lines.push(
			`The entry another program had signed in is kept as profile ${provider.id}:${saved.keptAs}.`,
		);
	}

	lines.push(
		saved.active
			? `${name} is the active profile: pi uses it.`
			: `${name} is stored as an inactive profile; make it the one pi uses with: pi-auth use ${name}`,
	);
	return lines;
};
