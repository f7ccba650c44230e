import fsSync, {constants as fsConstants} from 'node:fs';
import path from 'node:path';
import {PiAuthError} from '../errors.js';
import {isRecord} from './credential.js';
import {withFileLock, type LockOptions} from './file-lock.js';
import {realTarget} from './real-path.js';

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

const CREDENTIAL_FILE = 'credential file';

/** docs/contract.md: a credential file is a few KB; anything over 1 MiB is refused as corrupt. */
export const MAX_FILE_BYTES = 1024 * 1024;

export const corrupt = (
	file: string,
	problem: string,
	what = CREDENTIAL_FILE,
) =>
	new PiAuthError(
		'file-corrupt',
		`The ${what} ${file} ${problem}. pi-auth will not touch it: fix or move it, then sign in again.`,
	);

/**
Parses the file's text; anything but a JSON object is a typed error naming the file. A BOM is
dropped as pi drops it. An empty file is an empty object only when `emptyIsEmpty` (read under
the lock): pi writes in place, so without the lock an empty file can be pi's write in progress.
*/
export const parseAuthData = (
	text: string,
	file: string,
	{emptyIsEmpty = false}: {emptyIsEmpty?: boolean} = {},
): AuthData => {
	const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
	if (emptyIsEmpty && body.trim() === '') return {};
	let value: unknown;
	try {
		value = JSON.parse(body);
	} catch (error) {
		const reason =
			body.trim() === ''
				? 'the file is empty'
				: error instanceof RangeError
					? 'it is nested too deeply to read'
					: syntaxReason(error);
		throw corrupt(file, `is not valid JSON (${reason})`);
	}

	if (!isRecord(value)) {
		const kind = Array.isArray(value) ? 'an array' : `a ${typeof value}`;
		throw corrupt(file, `holds ${kind}, not a JSON object`);
	}

	return value;
};

export const serializeAuthData = (data: AuthData, file = ''): string => {
	try {
		return `${JSON.stringify(data, null, 2)}\n`;
	} catch (error) {
		// Only a RangeError is possible here (the data came from JSON.parse): nesting too deep.
		throw new PiAuthError(
			'file-corrupt',
			`The credential file ${file} holds an entry nested too deeply to write back. pi-auth left it unchanged: remove that entry by hand, then try again.`,
			{cause: error},
		);
	}
};

const ioError = (
	file: string,
	action: string,
	error: unknown,
	what = CREDENTIAL_FILE,
) =>
	new PiAuthError(
		'file-io',
		`Could not ${action} the ${what} ${file} (${errnoCode(error) ?? 'error'}). Check that the path and its folder are readable and writable.`,
		{cause: error},
	);

/**
The file's text, or undefined when it does not exist. Opened non-blocking and checked to be a
regular file, so a FIFO or a device at the path is an error and never a hang; over 1 MiB is
refused unread. Tightens a looser mode to 0600 on the way (docs/contract.md). Synchronous on
purpose: the file is a few KB, and node:fs/promises costs `token` ~2 ms of start-up to load.
*/
export const readText = (
	file: string,
	what = CREDENTIAL_FILE,
): string | undefined => {
	let fd: number;
	try {
		fd = fsSync.openSync(
			file,
			fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY,
		);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') return undefined;
		throw ioError(file, 'read', error, what);
	}

	try {
		const stat = fsSync.fstatSync(fd);
		if (!stat.isFile()) {
			throw new PiAuthError(
				'file-io',
				`The ${what} ${file} is not a regular file (${stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a named pipe' : 'a device or socket'}). Move it away, or choose another file with --auth-file.`,
			);
		}

		if (stat.size > MAX_FILE_BYTES) {
			throw corrupt(file, `is ${stat.size} bytes, larger than 1 MiB`, what);
		}

		if ((stat.mode & 0o077) !== 0) {
			try {
				fsSync.fchmodSync(fd, FILE_MODE);
			} catch {
				// Best effort: a file owned by someone else stays as it is.
			}
		}

		return fsSync.readFileSync(fd, 'utf8');
	} catch (error) {
		if (error instanceof PiAuthError) throw error;
		throw ioError(file, 'read', error, what);
	} finally {
		fsSync.closeSync(fd);
	}
};

/**
Reads the file; a missing file is an empty one. pi writes the file in place under its lock, so a
read without the lock can catch a write half done: text that does not parse is read once more
under the lock before the file is called corrupt (docs/pi-compat.md).
*/
export const readAuthFile = async (
	file: string,
	{locked = false}: {locked?: boolean} = {},
): Promise<AuthData> => {
	const text = readText(file);
	if (text === undefined) return {};
	try {
		return parseAuthData(text, file, {emptyIsEmpty: locked});
	} catch (error) {
		if (locked) throw error;
		return withFileLock(file, async () => readAuthFile(file, {locked: true}));
	}
};

/** A directory pi-auth creates is 0700; an existing one is left as it is (docs/contract.md). */
export const ensureDirectory = async (
	file: string,
	what = CREDENTIAL_FILE,
): Promise<void> => {
	try {
		await fsp().mkdir(path.dirname(file), {recursive: true, mode: DIR_MODE});
	} catch (error) {
		throw ioError(file, 'create the folder of', error, what);
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
Atomic replace: temp file in the target's directory (so rename never crosses filesystems), fsync,
rename, fsync the directory. Readers see the old or the new file, never a half-written one. The
target is the real file: a symlinked auth.json stays a symlink, its target is replaced.
Call it only while holding the lock (see withFileLock).
*/
export const writeAuthFile = async (
	file: string,
	data: AuthData,
	what = CREDENTIAL_FILE,
): Promise<void> => {
	const text = serializeAuthData(data, file);
	await ensureDirectory(file, what);
	const target = realTarget(file);
	if (target !== path.resolve(file)) await ensureDirectory(target, what);
	const temp = path.join(
		path.dirname(target),
		`${tempPrefix(target)}${process.pid}.${uniqueSuffix()}.tmp`,
	);
	try {
		const handle = await fsp().open(temp, 'wx', FILE_MODE);
		try {
			await handle.writeFile(text, 'utf8');
			await handle.chmod(FILE_MODE);
			await handle.sync();
		} finally {
			await handle.close();
		}

		await fsp().rename(temp, target);
	} catch (error) {
		await fsp().rm(temp, {force: true});
		throw ioError(file, 'write', error, what);
	}

	await syncDirectory(path.dirname(target));
	await removeOrphanTemps(target);
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
What a write shows up in: an atomic rename makes a new inode, pi's in-place write a new size or
mtime. Not ctime, which the read's own chmod to 0600 changes.
*/
export const revisionOf = (file: string): string => {
	try {
		const stat = fsSync.statSync(file, {bigint: true});
		return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
	} catch {
		return 'missing';
	}
};

/** The file changed under a lock believed held: another process took the lock over as stale. */
export const isWriteConflict = (error: unknown): boolean =>
	error instanceof PiAuthError &&
	error.code === 'file-busy' &&
	error.serverCode === 'changed-while-locked';

/** A write refused because the file changed under a lock believed held (see updateAuthFile). */
export const changedWhileLocked = (file: string, what = CREDENTIAL_FILE) =>
	new PiAuthError(
		'file-busy',
		`The ${what} ${file} was changed by another process while this one held its lock. Try again.`,
		{serverCode: 'changed-while-locked'},
	);

export type UpdateOptions = LockOptions & {
	/**
	Runs under the lock before the file is read: the store finishes a profile switch that a crash
	left half done (profiles/journal.ts) before any other write to the file.
	*/
	beforeRead?: (lock: {assertHeld(): void}) => Promise<void>;
};

/**
The one read-modify-write: lock, re-read (another process may have written since we last looked),
mutate, write only when something changed, unlock. `mutate` may be async (a refresh runs inside).
*/
export const updateAuthFile = async <T>(
	file: string,
	mutate: (current: AuthData) => Mutation<T> | Promise<Mutation<T>>,
	{beforeRead, ...options}: UpdateOptions = {},
): Promise<{data: AuthData; result: T}> => {
	await ensureDirectory(file);
	return withFileLock(
		file,
		async ({assertHeld}) => {
			await beforeRead?.({assertHeld});
			// Taken before the read: a write in between reads as a change (the safe side).
			const revision = revisionOf(file);
			const current = await readAuthFile(file, {locked: true});
			const {data, result} = await mutate(current);
			if (data && data !== current) {
				assertHeld();
				/*
				A process paused past the lock's 30 s (SIGSTOP, a laptop lid) finds its lock taken over
				and the file rewritten; proper-lockfile may not have noticed yet. Writing now would
				drop the other write: the caller reads again instead.
				*/
				if (revisionOf(file) !== revision) throw changedWhileLocked(file);
				await writeAuthFile(file, data);
			}

			return {data: data ?? current, result};
		},
		options,
	);
};
