/*
Tokens a provider has already rotated must reach the credential file: the refresh token that bought
them is spent, so losing them logs the account out. When the write after a refresh fails (a write
error, a lock taken over while the process was paused), the refresh path tries again under a fresh
lock, merging into whatever the file holds by then; as a last resort the tokens go to a 0600
recovery file in pi-auth's state folder, which the next command merges (docs/architecture.md).

A rotated credential replaces the entry only while the entry still holds the refresh token that
was spent: if the entry changed meanwhile (a new sign-in, a logout) the file's version wins.
*/
import fs from 'node:fs';
import path from 'node:path';
import type {AuthData} from './auth-file.js';
import {isRecord} from './credential.js';

export type Rotated = {
	/** The provider id (the entry's key). */
	id: string;
	/** The whole entry as it should be written. */
	entry: Record<string, unknown>;
	/** The refresh token the provider consumed to make it. */
	spent: string;
	/** The profile it was refreshed as, for messages; it is merged wherever `spent` is now. */
	profile?: string;
};

/** pi-auth's own state folder beside the credential file (docs/contract.md). */
export const stateFolder = (file: string) =>
	path.join(path.dirname(file), 'pi-auth');

export const recoveryFile = (file: string) =>
	path.join(stateFolder(file), 'recovery.json');

/** The file's data with `rotated` merged in, or undefined when the entry is no longer the spent one. */
export const mergeRotated = (
	current: AuthData,
	rotated: Rotated,
): AuthData | undefined => {
	const entry = current[rotated.id];
	if (!isRecord(entry) || entry['refresh'] !== rotated.spent) return undefined;
	return {...current, [rotated.id]: rotated.entry};
};

export const readRecovery = (file: string): Rotated[] => {
	try {
		const value = JSON.parse(
			fs.readFileSync(recoveryFile(file), 'utf8'),
		) as unknown;
		return Array.isArray(value)
			? value.filter(
					(item): item is Rotated =>
						isRecord(item) &&
						typeof item['id'] === 'string' &&
						typeof item['spent'] === 'string' &&
						isRecord(item['entry']),
				)
			: [];
	} catch {
		return [];
	}
};

/** Keeps rotated tokens in the recovery file (0600, atomic), next to any kept before. */
export const keepForRecovery = (file: string, rotated: Rotated): string => {
	const target = recoveryFile(file);
	fs.mkdirSync(path.dirname(target), {recursive: true, mode: 0o700});
	const kept = readRecovery(file).filter(item => item.spent !== rotated.spent);
	const temp = `${target}.${process.pid}.tmp`;
	fs.writeFileSync(temp, `${JSON.stringify([...kept, rotated], null, 2)}\n`, {
		mode: 0o600,
	});
	fs.renameSync(temp, target);
	return target;
};

/**
Drops the items whose spent tokens are in `handled` (merged, or outdated) and removes the file once
it is empty. Items another process kept meanwhile stay for the next command.
*/
export const dropRecovered = (file: string, handled: ReadonlySet<string>) => {
	const left = readRecovery(file).filter(item => !handled.has(item.spent));
	if (left.length === 0) {
		fs.rmSync(recoveryFile(file), {force: true});
		return;
	}

	const target = recoveryFile(file);
	const temp = `${target}.${process.pid}.tmp`;
	fs.writeFileSync(temp, `${JSON.stringify(left, null, 2)}\n`, {mode: 0o600});
	fs.renameSync(temp, target);
};

/** True when a recovery file waits to be merged (one stat on every command). */
export const hasRecovery = (file: string) => fs.existsSync(recoveryFile(file));
