import type {AuthData} from '../credentials/auth-file.js';
import {isRecord} from '../credentials/credential.js';
import {
	type CredentialView,
	listCredentials,
	storedView,
} from '../credentials/view.js';
import {providers} from '../providers/registry.js';
import type {Provider} from '../providers/types.js';
import {differentAccounts} from './identity.js';
import {DEFAULT_PROFILE, profileKey} from './names.js';
import {freshName, profileNames} from './lookup.js';
import type {ProfilesData} from './profile-file.js';

/** The name the provider's entry in the credential file has (the active profile on record). */
export const activeName = (data: ProfilesData, provider: string): string =>
	data.active[provider] ?? DEFAULT_PROFILE;

/**
The name the provider's entry in the credential file goes by: the active profile on record, or,
when the entry belongs to another account than the one on record (another program signed in), a
name of its own; `replaced` then names the profile on record.
*/
export const activeProfileOf = (
	auth: AuthData,
	data: ProfilesData,
	provider: string,
): {name: string; replaced?: string} => {
	const onRecord = activeName(data, provider);
	const raw = auth[provider];
	if (!differentAccounts(raw, data.activeAccounts[provider])) {
		return {name: onRecord};
	}

	return {
		name: freshName(data, provider, isRecord(raw) ? raw : undefined, [
			onRecord,
		]),
		replaced: onRecord,
	};
};

const activeView = (
	view: CredentialView,
	auth: AuthData,
	data: ProfilesData,
): CredentialView => {
	const id = view.provider.id;
	const record = data.activeAccounts[id];
	const {name, replaced} = activeProfileOf(auth, data, id);
	if (replaced) {
		return {
			...view,
			key: profileKey(id, name),
			profile: name,
			replaced: {
				profile: replaced,
				...(record?.account ? {account: record.account} : {}),
			},
		};
	}

	// pi drops pi-auth's `account` label when it refreshes an entry: the record still knows it.
	const account = view.account ?? record?.account;
	return {
		...view,
		key: profileKey(id, name),
		profile: name,
		...(account ? {account} : {}),
	};
};

const inactiveViews = (
	provider: Provider,
	data: ProfilesData,
	now: number,
): CredentialView[] =>
	profileNames(data, provider.id)
		.sort()
		.map(name => ({
			...storedView(
				provider,
				true,
				data.profiles[profileKey(provider.id, name)],
				now,
			),
			key: profileKey(provider.id, name),
			profile: name,
			active: false,
		}));

/**
Every credential `status` lists (docs/contract.md): per provider, in the registry's order, its
profiles by name (its entry in the credential file is the active one; an environment credential,
which has no name, comes first); then the other ids of the file as listCredentials has them.
*/
export const listAll = (
	data: AuthData,
	profiles: ProfilesData,
	env: NodeJS.ProcessEnv,
	now: number,
): CredentialView[] => {
	const base = listCredentials(data, env, now);
	// A provider's profiles by name, the active one among them: switching moves nothing on screen.
	const byName = (a: CredentialView, b: CredentialView) =>
		(a.profile ?? '').localeCompare(b.profile ?? '');
	const managed = providers.flatMap(provider =>
		[
			...base
				.filter(view => view.managed && view.provider.id === provider.id)
				.map(view =>
					view.source === 'file' ? activeView(view, data, profiles) : view,
				),
			...inactiveViews(provider, profiles, now),
		].sort(byName),
	);
	return [...managed, ...base.filter(view => !view.managed)];
};
