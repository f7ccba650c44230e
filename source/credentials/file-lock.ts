import {PiAuthError} from '../errors.js';

/** pi's lock: proper-lockfile on the credential file, directory `<file>.lock`, stale after 30 s. */
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
};

const busyError = (file: string) =>
	new PiAuthError(
		'file-busy',
		`The credential file ${file} is locked by another process (${file}.lock). Try again in a moment; a lock left by a crashed process clears by itself after 30 seconds.`,
	);

/**
Runs `fn` while holding the file's lock. Retries with jittered backoff until `waitMs`, so a crowd
of processes queues instead of failing; a lock whose owner died is taken over once stale.
*/
export const withFileLock = async <T>(
	file: string,
	fn: (lock: {assertHeld(): void}) => Promise<T>,
	{waitMs = DEFAULT_LOCK_WAIT_MS}: LockOptions = {},
): Promise<T> => {
	// Loaded lazily: `token` with a valid token never takes the lock, and start-up time counts.
	const {lockfile} = await import('./lock-library.js');
	const deadline = Date.now() + waitMs;
	let compromised: Error | undefined;
	let delay = 10;
	let release: () => Promise<void>;
	for (;;) {
		try {
			release = await lockfile.lock(file, {
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
			const {code} = error as NodeJS.ErrnoException;
			/*
			ENOENT: the lock directory vanished between proper-lockfile's mkdir and its check — another
			process took over a stale lock at that moment and removed the one just made. Nobody holds
			it for us, so it is the same as busy: wait and try again (seen in the kill -9 stress suite).
			*/
			if (code !== 'ELOCKED' && code !== 'ENOENT') {
				throw new PiAuthError(
					'file-io',
					`Could not lock the credential file ${file} (${code ?? 'error'}). Check that its folder is writable.`,
					{cause: error},
				);
			}

			if (Date.now() + delay > deadline) throw busyError(file);
			await sleep(delay * (0.5 + Math.random()));
			delay = Math.min(delay * 1.5, 200);
		}
	}

	const assertHeld = () => {
		if (compromised) throw busyError(file);
	};

	try {
		return await fn({assertHeld});
	} finally {
		await release().catch(() => undefined);
	}
};
