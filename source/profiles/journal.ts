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
import type {AuthData} from '../credentials/auth-file.js';
import type {LockOptions} from '../credentials/file-lock.js';
import {differentAccounts} from './identity.js';
import {
	commitPending,
	credentialFileWritten,
	fileIdOf,
} from './journal-rules.js';
import {
	type Held,
	readState,
	type State,
	withBothLocks,
	writeAuthChecked,
	writeProfilesChecked,
} from './locks.js';
import {entryOf, freshName} from './lookup.js';
import {profileKey} from './names.js';
import {type ProfilesData, readProfiles} from './profile-file.js';

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
