/*
The journal's pure rules (journal.ts has the writes): the last write of a switch made from its
journal, and how to tell, after a crash, whether the credential file was written.
*/
import fs from 'node:fs';
import {accountFields, sameAccount} from './identity.js';
import {profileKey} from './names.js';
import type {Pending, ProfilesData} from './profile-file.js';

type Entry = Record<string, unknown>;

/** The credential file as a file: a rename gives a new inode, pi's in-place writes keep it. */
export const fileIdOf = (file: string): string => {
	try {
		const stat = fs.statSync(file, {bigint: true});
		return `${stat.dev}:${stat.ino}`;
	} catch {
		return 'missing';
	}
};

const fingerprint = (entry: Entry) =>
	JSON.stringify([
		entry['type'],
		entry['access'],
		entry['refresh'],
		entry['key'],
	]);

/** Step 3, from the journal: file the replaced entry, name the active one, drop the journal. */
export const commitPending = (data: ProfilesData): ProfilesData => {
	const {pending, ...rest} = data;
	if (!pending) return data;
	const {provider, incoming, replaced} = pending;
	const profiles = {...rest.profiles};
	delete profiles[profileKey(provider, incoming.name)];
	if (replaced?.keepAs) {
		profiles[profileKey(provider, replaced.keepAs)] = replaced.entry;
	}

	return {
		...rest,
		profiles,
		active: {...rest.active, [provider]: incoming.name},
		activeAccounts: {
			...rest.activeAccounts,
			[provider]: accountFields(incoming.entry),
		},
	};
};

/** Whether step 2 of the journal reached the credential file (see the top of this file). */
export const credentialFileWritten = (
	pending: Pending,
	current: Entry | undefined,
	fileId: string,
): boolean => {
	const {incoming, replaced} = pending;
	if (current) {
		if (fingerprint(current) === fingerprint(incoming.entry)) return true;
		if (replaced && fingerprint(current) === fingerprint(replaced.entry)) {
			return false;
		}

		if (
			sameAccount(current, incoming.entry) &&
			!sameAccount(current, replaced?.entry)
		) {
			return true;
		}

		if (
			replaced &&
			sameAccount(current, replaced.entry) &&
			!sameAccount(current, incoming.entry)
		) {
			return false;
		}
	}

	return fileId !== pending.fileId;
};
