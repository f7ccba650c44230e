/*
The usage cache on disk: `pi-auth/usage.json` beside the credential file (docs/contract.md), 0600 in
a 0700 folder, written atomically (a temporary file renamed over it) under its own proper-lockfile
lock, `usage.json.lock`, never the credential file's. Every panel, `status --usage` and
`status --line --max-age` reads and writes it (shared.ts), so they share one snapshot, one backoff
and one history per credential.

Nothing here is ever fatal. A file that is not a regular file, is larger than 1 MiB, is not JSON,
or is not a usage cache of this version reads as an empty cache and is replaced by the next write;
a folder that cannot hold the file or the lock leaves the caller without a cache (it fetches for
itself); a lock held longer than a short wait is "busy", and the caller tries again later.
*/
import fs from 'node:fs';
import path from 'node:path';
import {stateFolder} from '../credentials/recovery.js';
import {type CacheData, bounded, emptyCache} from './cache-data.js';
import {readCacheData} from './cache-read.js';

export const MAX_CACHE_BYTES = 1024 * 1024;
/** proper-lockfile's stale time: a lock of a process that died is taken over after this. */
export const CACHE_LOCK_STALE_MS = 10_000;
/** The lock is held for a read and a write (milliseconds); a few seconds of waiting is plenty. */
export const DEFAULT_CACHE_WAIT_MS = 3000;

/** `<dir of the credential file>/pi-auth/usage.json`. */
export const usageCacheFile = (authFile: string) =>
	path.join(stateFolder(authFile), 'usage.json');

/**
The cache as the file holds it, or an empty one. Opened without following a symbolic link and
without blocking (a FIFO put in its place never hangs a status bar). `history: false` skips
reading the history (cache-read.ts).
*/
export const readUsageCache = (
	file: string,
	options: {history?: boolean} = {},
): CacheData => {
	let fd: number | undefined;
	try {
		fd = fs.openSync(
			file,
			fs.constants.O_RDONLY |
				fs.constants.O_NONBLOCK |
				fs.constants.O_NOFOLLOW |
				fs.constants.O_NOCTTY,
		);
		const stat = fs.fstatSync(fd);
		if (!stat.isFile() || stat.size > MAX_CACHE_BYTES) return emptyCache();
		const text = fs.readFileSync(fd, 'utf8');
		return readCacheData(JSON.parse(text), options) ?? emptyCache();
	} catch {
		return emptyCache();
	} finally {
		if (fd !== undefined) fs.closeSync(fd);
	}
};

const writeAtomically = (file: string, data: CacheData) => {
	const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
	try {
		fs.writeFileSync(temporary, `${JSON.stringify(data)}\n`, {
			mode: 0o600,
			flag: 'wx',
		});
		fs.renameSync(temporary, file);
	} catch (error) {
		fs.rmSync(temporary, {force: true});
		throw error;
	}
};

export type CacheUpdate<T> =
	| {status: 'done'; data: CacheData; result: T}
	/** The lock stayed taken for the whole wait: try again later. */
	| {status: 'busy'}
	/** The folder cannot hold the lock or the file (read-only, not a folder, …). */
	| {status: 'broken'};

const sleep = async (ms: number) =>
	new Promise<void>(resolve => {
		setTimeout(resolve, ms);
	});

/**
A locked read-modify-write of the cache: `change` gets what the file holds now and returns the
new data (or undefined to leave the file as it is) and a result. The data written is always
bounded (cache-data.ts), so the file cannot grow past its limits whatever the callers do.
*/
export const updateUsageCache = async <T>(
	file: string,
	change: (data: CacheData) => {data?: CacheData; result: T},
	{now, waitMs = DEFAULT_CACHE_WAIT_MS}: {now: () => number; waitMs?: number},
): Promise<CacheUpdate<T>> => {
	try {
		fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	} catch {
		return {status: 'broken'};
	}

	// Loaded on first need: a status line that finds the cache fresh never takes the lock.
	const {lockfile} = await import('../credentials/lock-library.js');
	const deadline = Date.now() + waitMs;
	let delay = 5;
	let release: () => Promise<void>;
	for (;;) {
		try {
			release = await lockfile.lock(file, {
				realpath: false,
				stale: CACHE_LOCK_STALE_MS,
				retries: 0,
				// The default throws from a timer; a compromised lock only means another took over.
				onCompromised() {},
			});
			break;
		} catch (error) {
			const {code} = error as NodeJS.ErrnoException;
			if (code !== 'ELOCKED') return {status: 'broken'};
			if (Date.now() + delay > deadline) return {status: 'busy'};
			await sleep(delay * (0.5 + Math.random()));
			delay = Math.min(delay * 1.5, 100);
		}
	}

	try {
		const current = readUsageCache(file);
		const {data, result} = change(current);
		if (data) {
			const next = bounded(data, now());
			try {
				writeAtomically(file, next);
			} catch {
				return {status: 'broken'};
			}

			return {status: 'done', data: next, result};
		}

		return {status: 'done', data: current, result};
	} finally {
		await release().catch(() => undefined);
	}
};
