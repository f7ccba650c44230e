import fsSync, {constants as fsConstants} from 'node:fs';
import path from 'node:path';
import {PiAuthError} from '../errors.js';
import {isRecord} from './credential.js';
import {withFileLock, type LockOptions} from './file-lock.js';

/** The file's raw object, keyed by provider id. Unknown entries and fields are kept as read. */
export type AuthData = Record<string, unknown>;

// The write path only: reading the getter loads node:fs/promises on first use, not at start-up.
const fsp = () => fsSync.promises;

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

const errnoCode = (error: unknown): string | undefined =>
	isRecord(error) && typeof error['code'] === 'string'
		? error['code']
		: undefined;

/*
Node's SyntaxError quotes the text around the error (`Unexpected token 'x', ..."ab12cd34",x]" is
not valid JSON`), and in a credential file that text can be the end of a token. Only the part
before the quote is kept, and the SyntaxError itself is not kept as a cause.
*/
const syntaxReason = (error: unknown): string =>
	String((error as Error).message).replace(/,\s*(?:\.\.\.)?".*$/s, '');

/** Parses the file's text; anything but a JSON object is a typed error naming the file. */
export const parseAuthData = (text: string, file: string): AuthData => {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		const reason =
			text.trim() === '' ? 'the file is empty' : syntaxReason(error);
		throw new PiAuthError(
			'file-corrupt',
			`The credential file ${file} is not valid JSON (${reason}). pi-auth will not touch it: fix or move it, then sign in again.`,
		);
	}

	if (!isRecord(value)) {
		const kind = Array.isArray(value) ? 'an array' : `a ${typeof value}`;
		throw new PiAuthError(
			'file-corrupt',
			`The credential file ${file} holds ${kind}, not a JSON object. pi-auth will not touch it: fix or move it, then sign in again.`,
		);
	}

	return value;
};

export const serializeAuthData = (data: AuthData): string =>
	`${JSON.stringify(data, null, 2)}\n`;

const ioError = (file: string, action: string, error: unknown) =>
	new PiAuthError(
		'file-io',
		`Could not ${action} the credential file ${file} (${errnoCode(error) ?? 'error'}). Check that the path and its folder are readable and writable.`,
		{cause: error},
	);

/**
Reads the file; a missing file is an empty one. Tightens a looser mode to 0600 on the way
(cli-contract.md: 0600 also when the file existed before with looser modes). Synchronous on
purpose: the file is a few KB, and node:fs/promises costs `token` ~2 ms of start-up to load.
*/
export const readAuthFile = async (file: string): Promise<AuthData> => {
	let fd: number;
	try {
		fd = fsSync.openSync(file, fsConstants.O_RDONLY);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') return {};
		throw ioError(file, 'read', error);
	}

	try {
		const text = fsSync.readFileSync(fd, 'utf8');
		if ((fsSync.fstatSync(fd).mode & 0o077) !== 0) {
			try {
				fsSync.fchmodSync(fd, FILE_MODE);
			} catch {
				// Best effort: a file owned by someone else stays as it is.
			}
		}

		return parseAuthData(text, file);
	} catch (error) {
		if (error instanceof PiAuthError) throw error;
		throw ioError(file, 'read', error);
	} finally {
		fsSync.closeSync(fd);
	}
};

/** A directory pi-auth creates is 0700; an existing one is left as it is (cli-contract.md). */
export const ensureDirectory = async (file: string): Promise<void> => {
	try {
		await fsp().mkdir(path.dirname(file), {recursive: true, mode: DIR_MODE});
	} catch (error) {
		throw ioError(file, 'create the folder of', error);
	}
};

const tempPrefix = (file: string) => `.${path.basename(file)}.`;
const TEMP_PATTERN = /\.(\d+)\.[\da-f]+\.tmp$/;

const isAlive = (pid: number): boolean => {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return errnoCode(error) === 'EPERM';
	}
};

/** Temp files of writers that were killed mid-write (kill -9) are removed by the next write. */
const removeOrphanTemps = async (file: string): Promise<void> => {
	const prefix = tempPrefix(file);
	const names = await fsp()
		.readdir(path.dirname(file))
		.catch(() => []);
	await Promise.all(
		names.map(async name => {
			if (!name.startsWith(prefix)) return;
			const pid = Number(TEMP_PATTERN.exec(name)?.[1]);
			if (!pid || pid === process.pid || isAlive(pid)) return;
			await fsp().rm(path.join(path.dirname(file), name), {force: true});
		}),
	);
};

let writes = 0;
/** Unique within the process; `wx` below refuses a clash anyway. node:crypto is not worth its start-up cost here. */
const uniqueSuffix = () =>
	`${(writes++).toString(16)}${Math.floor(Math.random() * 0xff_ff_ff).toString(16)}`;

/**
Atomic replace: temp file in the same directory (so rename never crosses filesystems), fsync,
rename, fsync the directory. Readers see the old or the new file, never a half-written one.
Call it only while holding the lock (see withFileLock).
*/
export const writeAuthFile = async (
	file: string,
	data: AuthData,
): Promise<void> => {
	await ensureDirectory(file);
	const temp = path.join(
		path.dirname(file),
		`${tempPrefix(file)}${process.pid}.${uniqueSuffix()}.tmp`,
	);
	try {
		const handle = await fsp().open(temp, 'wx', FILE_MODE);
		try {
			await handle.writeFile(serializeAuthData(data), 'utf8');
			await handle.chmod(FILE_MODE);
			await handle.sync();
		} finally {
			await handle.close();
		}

		await fsp().rename(temp, file);
	} catch (error) {
		await fsp().rm(temp, {force: true});
		throw ioError(file, 'write', error);
	}

	await syncDirectory(path.dirname(file));
	await removeOrphanTemps(file);
};

const syncDirectory = async (directory: string): Promise<void> => {
	try {
		const handle = await fsp().open(directory, fsConstants.O_RDONLY);
		await handle.sync().finally(async () => handle.close());
	} catch {
		// Not every filesystem lets a directory be fsynced; the rename is still atomic.
	}
};

export type Mutation<T> = {data?: AuthData; result: T};

/**
The one read-modify-write: lock, re-read (another process may have written since we last looked),
mutate, write only when something changed, unlock. `mutate` may be async (a refresh runs inside).
*/
export const updateAuthFile = async <T>(
	file: string,
	mutate: (current: AuthData) => Mutation<T> | Promise<Mutation<T>>,
	options: LockOptions = {},
): Promise<{data: AuthData; result: T}> => {
	await ensureDirectory(file);
	return withFileLock(
		file,
		async ({assertHeld}) => {
			const current = await readAuthFile(file);
			const {data, result} = await mutate(current);
			if (data && data !== current) {
				assertHeld();
				await writeAuthFile(file, data);
			}

			return {data: data ?? current, result};
		},
		options,
	);
};
