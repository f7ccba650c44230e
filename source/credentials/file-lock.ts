import {PiAuthError} from '../errors.js';
import {realTarget} from './real-path.js';

/**
pi's lock: proper-lockfile on the credential file's real path (symbolic links resolved), which is
the directory `<realpath>.lock`, stale after 30 s (docs/pi-compat.md).
*/
export const LOCK_STALE_MS = 30_000;
export const DEFAULT_LOCK_WAIT_MS = 20_000;

// Not node:timers/promises: this module loads with every command, and that one costs start-up time.
const sleep = async (ms: number) =>
	new Promise<void>(resolve => {
		setTimeout(resolve, ms);
	});

export type LockOptions = {
	/** How long to wait for a lock held by another process before saying "busy". */
	waitMs?: number;
	/** What the file is, in messages (default "credential file"; pi-auth's profile store has its own lock). */
	what?: string;
	/** Told once when the lock is held by another process and this one starts waiting for it. */
	onWait?: (file: string) => void;
};

const busyError = (file: string, target: string, what: string) =>
	new PiAuthError(
		'file-busy',
		`The ${what} ${file} is locked by another process (${target}.lock). Try again in a moment; a lock left by a crashed process clears by itself after 30 seconds.`,
	);

/**
Runs `fn` while holding the file's lock. Retries with jittered backoff until `waitMs`, so a crowd
of processes queues instead of failing; a lock whose owner died is taken over once stale.
*/
export const withFileLock = async <T>(
	file: string,
	fn: (lock: {assertHeld(): void}) => Promise<T>,
	{
		waitMs = DEFAULT_LOCK_WAIT_MS,
		what = 'credential file',
		onWait,
	}: LockOptions = {},
): Promise<T> => {
	// Loaded lazily: `token` with a valid token never takes the lock, and start-up time counts.
	const {lockfile} = await import('./lock-library.js');
	const target = realTarget(file);
	const deadline = Date.now() + waitMs;
	let compromised: Error | undefined;
	let delay = 10;
	let release: () => Promise<void>;
	for (;;) {
		try {
			// Resolved above: proper-lockfile's own realpath fails for a file not created yet.
			release = await lockfile.lock(target, {
				realpath: false,
				stale: LOCK_STALE_MS,
				retries: 0,
				onCompromised(error) {
					// The default throws from a timer and kills the process; fail the operation instead.
					compromised = error;
				},
			});
			break;
		} catch (error) {
			const {code, syscall} = error as NodeJS.ErrnoException;
			/*
			ENOENT after the mkdir: the lock directory vanished between proper-lockfile's mkdir and its
			check — another process took over a stale lock at that moment and removed the one just
			made. Nobody holds it for us, so it is the same as busy: wait and try again (seen in the
			kill -9 stress suite). ENOENT from the mkdir itself means the folder cannot hold a lock
			(it vanished, or it is /proc): like EACCES or EROFS, said at once, never waited on.
			*/
			const vanished = code === 'ENOENT' && syscall !== 'mkdir';
			if (code !== 'ELOCKED' && !vanished) {
				throw new PiAuthError(
					'file-io',
					`Could not lock the ${what} ${file} (${code ?? 'error'}: ${target}.lock cannot be created). Check that its folder exists and is writable, or choose another file with --auth-file.`,
					{cause: error},
				);
			}

			if (Date.now() + delay > deadline) throw busyError(file, target, what);
			if (delay === 10) onWait?.(file);
			await sleep(delay * (0.5 + Math.random()));
			delay = Math.min(delay * 1.5, 200);
		}
	}

	const assertHeld = () => {
		if (compromised) throw busyError(file, target, what);
	};

	try {
		return await fn({assertHeld});
	} finally {
		await release().catch(() => undefined);
	}
};
