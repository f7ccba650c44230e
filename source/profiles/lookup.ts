import type {AuthData} from '../credentials/auth-file.js';
import {isRecord, parseCredential} from '../credentials/credential.js';
import {findProvider} from '../providers/registry.js';
import {accountFields} from './identity.js';
import {nameFromAccount, splitKey} from './names.js';
import type {ProfilesData} from './profile-file.js';

type Entry = Record<string, unknown>;

export const entryOf = (
	data: AuthData,
	provider: string,
): Entry | undefined => {
	const entry = data[provider];
	return isRecord(entry) ? entry : undefined;
};

/** Names of a provider's inactive profiles. */
export const profileNames = (data: ProfilesData, provider: string): string[] =>
	Object.keys(data.profiles).flatMap(key => {
		const parts = splitKey(key);
		return parts?.[0] === provider ? [parts[1]] : [];
	});

/** The label of whoever an entry belongs to (email, login), where it tells. */
export const accountLabel = (
	provider: string,
	entry: Entry | undefined,
): string | undefined => {
	const credential = parseCredential(entry);
	return (
		(credential && findProvider(provider)?.account?.(credential)) ??
		accountFields(entry).account
	);
};

/** A free name for an entry that is not the profile on record (another program signed it in). */
export const freshName = (
	data: ProfilesData,
	provider: string,
	entry: Entry | undefined,
	alsoTaken: readonly string[] = [],
): string =>
	nameFromAccount(
		// An entry without a label (pi's own sign-in) may still carry Codex's account id.
		accountLabel(provider, entry) ?? accountFields(entry).accountId,
		new Set([...profileNames(data, provider), ...alsoTaken]),
	);
