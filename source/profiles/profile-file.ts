/*
pi-auth's profile store, `<folder of the credential file>/pi-auth/profiles.json` (docs/contract.md
"Profiles", docs/profiles.md): the accounts that are not the active one of their provider. The
active one lives only in the credential file, where pi reads it. Written atomically (0600, folder
0700) under its own proper-lockfile lock; a process that needs both files locks the credential
file first, then this one, and never the other way round.
*/
import fs from 'node:fs';
import path from 'node:path';
import {
	changedWhileLocked,
	corrupt,
	ensureDirectory,
	readText,
	revisionOf,
	writeAuthFile,
} from '../credentials/auth-file.js';
import {isRecord} from '../credentials/credential.js';
import {type LockOptions, withFileLock} from '../credentials/file-lock.js';
import {stateFolder} from '../credentials/recovery.js';
import type {AccountFields} from './identity.js';

export const WHAT = 'profile store';

type Entry = Record<string, unknown>;

/**
The journal of a switch under way (journal.ts): what the credential file's entry becomes, and the
entry it replaces with the profile that entry is kept as (none when a sign-in replaces it for
good). Present only between the first and the last write of a switch; nothing ever uses the
copies in it as credentials.
*/
export type Pending = {
	provider: string;
	incoming: {name: string; entry: Entry};
	replaced?: {entry: Entry; keepAs?: string};
	/** The credential file's `dev:ino` before the switch wrote it (journal.ts: who wrote last). */
	fileId: string;
	at: number;
};

export type ProfilesData = {
	version: 1;
	/** provider → name of the profile whose credential is the provider's entry in the credential file. */
	active: Record<string, string>;
	/** `provider:name` → a credential as in the credential file (inactive profiles only). */
	profiles: Record<string, Entry>;
	/** provider → whose the active entry was when pi-auth last wrote it (to notice another tool's sign-in). */
	activeAccounts: Record<string, AccountFields>;
	pending?: Pending;
	/** Fields a later version may add ride along. */
	[field: string]: unknown;
};

export const emptyProfiles = (): ProfilesData => ({
	version: 1,
	active: {},
	profiles: {},
	activeAccounts: {},
});

export const profilesFile = (authFile: string) =>
	path.join(stateFolder(authFile), 'profiles.json');

const records = <T>(
	value: unknown,
	valid: (item: unknown) => item is T,
): Record<string, T> | undefined => {
	if (value === undefined) return {};
	if (!isRecord(value)) return undefined;
	return Object.values(value).every(item => valid(item))
		? (value as Record<string, T>)
		: undefined;
};

const isString = (value: unknown): value is string => typeof value === 'string';

const isPending = (value: unknown): value is Pending =>
	isRecord(value) &&
	typeof value['provider'] === 'string' &&
	isRecord(value['incoming']) &&
	typeof value['incoming']['name'] === 'string' &&
	isRecord(value['incoming']['entry']) &&
	(value['replaced'] === undefined ||
		(isRecord(value['replaced']) &&
			isRecord(value['replaced']['entry']) &&
			(value['replaced']['keepAs'] === undefined ||
				typeof value['replaced']['keepAs'] === 'string'))) &&
	typeof value['fileId'] === 'string';

export const parseProfiles = (text: string, file: string): ProfilesData => {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw corrupt(file, 'is not valid JSON', WHAT);
	}

	if (!isRecord(value)) throw corrupt(file, 'is not a JSON object', WHAT);
	if (value['version'] !== 1) {
		throw corrupt(
			file,
			`has version ${JSON.stringify(value['version'])}, which this pi-auth does not know (a newer pi-auth wrote it?)`,
			WHAT,
		);
	}

	const active = records(value['active'], isString);
	const profiles = records(value['profiles'], isRecord);
	const activeAccounts = records(value['activeAccounts'], isRecord);
	const pending = value['pending'];
	if (!active || !profiles || !activeAccounts) {
		throw corrupt(file, 'does not have the shape of a profile store', WHAT);
	}

	if (pending !== undefined && !isPending(pending)) {
		throw corrupt(file, 'holds an unreadable switch journal', WHAT);
	}

	return {
		...value,
		version: 1,
		active,
		profiles,
		activeAccounts: activeAccounts as Record<string, AccountFields>,
		...(pending ? {pending} : {}),
	};
};

/**
The store as on disk; a missing file is an empty store. Read without the lock: every writer
replaces the file atomically, so a read sees one whole version or the other.
*/
export const readProfiles = (authFile: string): ProfilesData => {
	const file = profilesFile(authFile);
	const text = readText(file, WHAT);
	return text === undefined ? emptyProfiles() : parseProfiles(text, file);
};

/** True when a switch journal waits to be finished (one read, on every command). */
export const hasPending = (authFile: string): boolean => {
	try {
		return readProfiles(authFile).pending !== undefined;
	} catch {
		// A corrupt store is reported by the command that needs it.
		return false;
	}
};

export const profilesExist = (authFile: string) =>
	fs.existsSync(profilesFile(authFile));

export const writeProfiles = async (
	authFile: string,
	data: ProfilesData,
): Promise<void> => {
	await writeAuthFile(profilesFile(authFile), data, WHAT);
};

export type ProfilesMutation<T> = {data?: ProfilesData; result: T};

/** Runs `fn` holding the store's lock (take the credential file's lock first, if both are needed). */
export const withProfilesLock = async <T>(
	authFile: string,
	fn: (lock: {assertHeld(): void}) => Promise<T>,
	options: LockOptions = {},
): Promise<T> => {
	const file = profilesFile(authFile);
	await ensureDirectory(file, WHAT);
	return withFileLock(file, fn, {...options, what: WHAT});
};

/**
The store's read-modify-write: lock, re-read, mutate, write only when changed, with the same
guard as the credential file's (a lock taken over while this process was paused is a conflict).
*/
export const updateProfiles = async <T>(
	authFile: string,
	mutate: (
		current: ProfilesData,
	) => ProfilesMutation<T> | Promise<ProfilesMutation<T>>,
	options: LockOptions = {},
): Promise<{data: ProfilesData; result: T}> =>
	withProfilesLock(
		authFile,
		async lock => lockedUpdate(authFile, lock, mutate),
		options,
	);

/** updateProfiles' body, for a caller that already holds the store's lock. */
export const lockedUpdate = async <T>(
	authFile: string,
	lock: {assertHeld(): void},
	mutate: (
		current: ProfilesData,
	) => ProfilesMutation<T> | Promise<ProfilesMutation<T>>,
): Promise<{data: ProfilesData; result: T}> => {
	const file = profilesFile(authFile);
	const revision = revisionOf(file);
	const current = readProfiles(authFile);
	const {data, result} = await mutate(current);
	if (data && data !== current) {
		lock.assertHeld();
		if (revisionOf(file) !== revision) throw changedWhileLocked(file, WHAT);
		await writeProfiles(authFile, data);
	}

	return {data: data ?? current, result};
};
