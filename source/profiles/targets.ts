import type {AuthData} from '../credentials/auth-file.js';
import {isRecord} from '../credentials/credential.js';
import {resolveProvider, resolveStoredId} from '../providers/resolve.js';
import type {Provider} from '../providers/types.js';
import {parseTarget, profileKey} from './names.js';
import type {ProfilesData} from './profile-file.js';
import {unknownProfile} from './use.js';
import {activeProfileOf} from './view.js';

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
