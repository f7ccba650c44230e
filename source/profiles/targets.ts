import type {AuthData} from '../credentials/auth-file.js';
import {isRecord} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {resolveProvider, resolveStoredId} from '../providers/resolve.js';
import type {Provider} from '../providers/types.js';
import {parseTarget, profileKey} from './names.js';
import type {ProfilesData} from './profile-file.js';
import {profileNames} from './lookup.js';
import {activeProfileOf} from './view.js';

/** A provider's profile names, the active one first and marked (for messages). */
export const namesForMessage = (
	provider: Provider,
	data: ProfilesData,
	active: string | undefined,
): string => {
	const names = [
		...(active ? [`${provider.id}:${active} (active)`] : []),
		...profileNames(data, provider.id)
			.sort()
			.map(name => `${provider.id}:${name}`),
	];
	return names.length > 0 ? names.join(', ') : 'none yet';
};

/**
docs/contract.md: an unknown profile is a usage error that lists the provider's profiles. `active`
is the name the provider's entry goes by, when it has one.
*/
export const unknownProfile = (
	provider: Provider,
	name: string,
	data: ProfilesData,
	active: string | undefined,
) =>
	new PiAuthError(
		'usage',
		`${provider.id} has no profile "${name}". Profiles: ${namesForMessage(provider, data, active)}. Sign in to a new one with: pi-auth login ${provider.id} --profile ${name}`,
	);

/**
A `<target>` (docs/contract.md): the provider's entry in the credential file (a provider id, any
other id stored there, or the active profile by name), or an inactive profile.
*/
export type ResolvedTarget =
	| {kind: 'entry'; id: string; profile?: string}
	| {kind: 'profile'; provider: Provider; name: string};

export const resolveTarget = (
	text: string,
	auth: AuthData,
	profiles: ProfilesData,
): ResolvedTarget => {
	const {id, profile} = parseTarget(text);
	if (profile === undefined)
		return {kind: 'entry', id: resolveStoredId(id, auth)};
	const provider = resolveProvider(id);
	const active = isRecord(auth[id])
		? activeProfileOf(auth, profiles, id).name
		: undefined;
	if (active === profile) return {kind: 'entry', id, profile};

	if (isRecord(profiles.profiles[profileKey(id, profile)])) {
		return {kind: 'profile', provider, name: profile};
	}

	throw unknownProfile(provider, profile, profiles, active);
};

/** How a target is named in messages. */
export const targetLabel = (target: ResolvedTarget): string =>
	target.kind === 'profile'
		? profileKey(target.provider.id, target.name)
		: target.profile
			? profileKey(target.id, target.profile)
			: target.id;
