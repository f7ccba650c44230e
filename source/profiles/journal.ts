/*
Replacing the provider's entry in the credential file with another profile's credential (`use`, and
a sign-in to the active profile) touches two files, each written atomically but not together. The
write order, and the journal that makes a crash at any point recoverable (docs/profiles.md):

  1. profiles.json: the incoming profile leaves `profiles` and, with a copy of the entry it
     replaces and the credential file's dev:ino, goes into `pending` (the journal).
  2. the credential file: the provider's entry becomes the incoming credential.
  3. profiles.json: the replaced entry is filed under its profile, `active` names the incoming one,
     and `pending` is gone.

Both locks are held throughout (the credential file's first), so the replaced entry is exactly what
was on disk (pi and pi-auth refresh under that lock). Copies in the journal are never used as
credentials: everything that writes either file finishes a journal it finds first (settle, below),
so after any crash every credential is recoverable and one refresh token has one live copy.

Settling has to know whether step 2 happened. Between the crash and the next pi-auth command pi may
have refreshed (rotated) the entry, so the answer comes from, in order: the tokens themselves (the
incoming or the replaced credential, unchanged), the account (Codex's account id survives pi's
refresh; an email survives pi-auth's), and the file's inode: step 2 renames a new file into place,
while pi writes in place and keeps the inode, and every pi-auth writer settles before writing.
Step 2 done: step 3 is written. Not done: the switch runs again from step 1 with the entry on disk
now, so a rotated token is what gets filed.
*/
import fs from 'node:fs';
import {
	type AuthData,
	changedWhileLocked,
	ensureDirectory,
	readAuthFile,
	revisionOf,
	writeAuthFile,
} from '../credentials/auth-file.js';
import {isRecord, parseCredential} from '../credentials/credential.js';
import {type LockOptions, withFileLock} from '../credentials/file-lock.js';
import {findProvider} from '../providers/registry.js';
import {accountFields, differentAccounts, sameAccount} from './identity.js';
import {nameFromAccount, profileKey, splitKey} from './names.js';
import {
	type Pending,
	type ProfilesData,
	WHAT,
	profilesFile,
	readProfiles,
	withProfilesLock,
	writeProfiles,
} from './profile-file.js';

type Entry = Record<string, unknown>;

/**
Where a test may stop a switch (the kill -9 suite): with both locks held and nothing written yet,
then after each of the three writes.
*/
export type SwitchStep = 'locked' | 'journal' | 'credential-file' | 'committed';

export type SwitchOptions = {
	lock?: LockOptions;
	now?: () => number;
	/** Called after each write of a switch; the crash suite kills the process there. */
	onStep?: (step: SwitchStep) => Promise<void> | void;
};

export type SwitchChange = {
	provider: string;
	incoming: {name: string; entry: Entry};
	/** The profile the current entry is kept as; undefined: the incoming one replaces it for good. */
	keepAs?: string;
};

export type Held = {assertHeld(): void};

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

/** Steps 1 to 3, holding both locks, on the state just read under them. */
const applySwitch = async (
	authFile: string,
	held: Held,
	state: State,
	change: SwitchChange,
	options: SwitchOptions,
): Promise<void> => {
	const {provider, incoming, keepAs} = change;
	const current = entryOf(state.auth, provider);
	const profiles = {...state.profiles.profiles};
	delete profiles[profileKey(provider, incoming.name)];
	const journal: ProfilesData = {
		...state.profiles,
		profiles,
		pending: {
			provider,
			incoming,
			...(current
				? {replaced: {entry: current, ...(keepAs ? {keepAs} : {})}}
				: {}),
			fileId: fileIdOf(authFile),
			at: (options.now ?? Date.now)(),
		},
	};
	await options.onStep?.('locked');
	let revision = await writeProfilesChecked(
		authFile,
		held,
		state.profilesRevision,
		journal,
	);
	await options.onStep?.('journal');

	await writeAuthChecked(authFile, held, state.authRevision, {
		...state.auth,
		[provider]: incoming.entry,
	});
	await options.onStep?.('credential-file');

	revision = await writeProfilesChecked(
		authFile,
		held,
		revision,
		commitPending(journal),
	);
	await options.onStep?.('committed');
};

/**
Finishes a journal a crash left behind. Call holding both locks (the credential file's first).
Resolves to the provider whose switch was finished, if there was one.
*/
export const lockedSettle = async (
	authFile: string,
	held: Held,
	options: SwitchOptions = {},
): Promise<string | undefined> => {
	if (!readProfiles(authFile).pending) return undefined;
	const state = await readState(authFile);
	const data = state.profiles;
	const {pending} = data;
	if (!pending) return undefined;
	const current = entryOf(state.auth, pending.provider);
	if (credentialFileWritten(pending, current, fileIdOf(authFile))) {
		await writeProfilesChecked(
			authFile,
			held,
			state.profilesRevision,
			commitPending(data),
		);
		return pending.provider;
	}

	// Not written: run the switch again with what the file holds now (maybe refreshed by pi).
	const {replaced} = pending;
	const base: ProfilesData = {...data};
	delete base.pending;
	let keepAs = replaced?.keepAs;
	if (current && replaced && differentAccounts(current, replaced.entry)) {
		// Another program signed a different account in since: the entry the journal copied is
		// no longer on disk anywhere, so its copy is kept, and the newcomer gets its own name.
		if (keepAs) {
			base.profiles = {
				...base.profiles,
				[profileKey(pending.provider, keepAs)]: replaced.entry,
			};
		}

		keepAs = freshName(base, pending.provider, current, [
			pending.incoming.name,
		]);
	}

	await applySwitch(
		authFile,
		held,
		{...state, profiles: base},
		{
			provider: pending.provider,
			incoming: pending.incoming,
			...(current && keepAs ? {keepAs} : {}),
		},
		options,
	);
	return pending.provider;
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

/** Finishes a journal a crash left behind, taking both locks; a no-op without one. */
export const settlePending = async (
	authFile: string,
	options: SwitchOptions = {},
): Promise<string | undefined> =>
	withBothLocks(
		authFile,
		async held => lockedSettle(authFile, held, options),
		options.lock,
	);

export type SwitchDecision<T> = {
	result: T;
	/** Replace the provider's entry (the journal's three writes). */
	change?: SwitchChange;
	/** Or only change the profile store (one write). */
	profiles?: ProfilesData;
};

/**
The one way to change which credential is a provider's entry: both locks, any old journal
finished first, then `decide` on the state as it is now, then the three writes of the journal.
*/
export const runSwitch = async <T>(
	authFile: string,
	decide: (state: {
		auth: AuthData;
		profiles: ProfilesData;
	}) => SwitchDecision<T>,
	options: SwitchOptions = {},
): Promise<T> =>
	withBothLocks(
		authFile,
		async held => {
			await lockedSettle(authFile, held, options);
			const state = await readState(authFile);
			const {result, change, profiles} = decide(state);
			if (change) {
				await applySwitch(authFile, held, state, change, options);
			} else if (profiles && profiles !== state.profiles) {
				await writeProfilesChecked(
					authFile,
					held,
					state.profilesRevision,
					profiles,
				);
			}

			return result;
		},
		options.lock,
	);
