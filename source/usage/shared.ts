/*
One fetch per credential per interval, across every process (issue 13): before a fetch a process
reads the usage cache; when the cache already answers (a fresh snapshot, a backoff after a 429, a
credential without usage, another process fetching now) it uses that. Otherwise it takes the
cache's lock, checks again, writes a claim, lets the lock go, fetches, and records the outcome under
the lock again. The lock is held for a read and a write, never across a request.

Without a file (tests, or a folder that cannot hold it) the same rules run on memory, so a
process on its own behaves exactly as before the cache existed.
*/
import {
	type CacheData,
	type CacheEntry,
	type Decision,
	type FetchResult,
	decide,
	emptyCache,
	recordResult,
	touch,
	withClaim,
} from './cache-data.js';
import {readUsageCache, updateUsageCache} from './cache-file.js';
import type {UsageOutcome} from './types.js';

export type RunOptions = {
	/** cache-data.ts: a provider id, `<provider>@env`, or `<provider>:<profile>`. */
	key: string;
	provider: string;
	/** The digest of what the endpoint sees (targets.ts). */
	token: string;
	account?: string;
	/** A snapshot of this token younger than this is used as it is. */
	maxAgeMs: number;
	/** The cadence after which this process would look again (for the backoff after failures). */
	intervalMs: number;
	/** The `r` key: fetch now whatever the cache says. */
	force?: boolean;
	/** Stopped meanwhile (the panel quit, the token changed): the answer is recorded nowhere. */
	signal?: AbortSignal;
	/**
	What this process read of the cache a moment ago (a one-shot command reads the file once for
	all its credentials); the first look uses it instead of reading the file again.
	*/
	seen?: CacheData;
};

export type RunResult = {
	entry: CacheEntry | undefined;
	/** Whether this process made the request. */
	fetched: boolean;
	/** When the cache next stops answering for this credential (its next fetch is due). */
	nextAt: number;
};

export type UsageCache = {
	/** What the cache holds now (no lock). */
	read: () => CacheData;
	/** Fetches through the cache: at most one request per credential per interval. */
	run: (
		options: RunOptions,
		fetch: () => Promise<UsageOutcome>,
	) => Promise<RunResult>;
};

/** A process that is gone cannot be fetching. Signal 0 only asks; EPERM means it exists. */
const processAlive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
};

const settle = async (
	fetch: () => Promise<UsageOutcome>,
): Promise<FetchResult> => {
	try {
		return await fetch();
	} catch (error) {
		return {status: 'failed', error};
	}
};

/**
Until when this credential needs no request after `entry` was written: the snapshot's age, the
backoff or the hour of an unavailable answer, whichever the rules say (cache-data.ts decide).
*/
const nextDue = (
	entry: CacheEntry | undefined,
	options: RunOptions,
	now: number,
	alive: (pid: number) => boolean,
) => {
	const decision = decide(entry, options.token, now, {
		maxAgeMs: options.maxAgeMs,
		alive,
	});
	return decision.fetch ? now : decision.until;
};

export const createUsageCache = (deps: {
	/** The cache file; undefined keeps the cache in memory (this process alone). */
	file?: string;
	now: () => number;
	pid?: number;
	alive?: (pid: number) => boolean;
	waitMs?: number;
}): UsageCache => {
	const pid = deps.pid ?? process.pid;
	const alive = deps.alive ?? processAlive;
	let memory = emptyCache();
	// Once the folder turned out unusable, this process keeps its cache in memory.
	let broken = deps.file === undefined;

	const read = () =>
		broken || !deps.file ? memory : readUsageCache(deps.file);

	/** A locked change; on a broken folder the memory copy takes it instead. */
	const change = async <T>(
		apply: (data: CacheData) => {data?: CacheData; result: T},
	): Promise<{status: 'done'; result: T} | {status: 'busy'}> => {
		if (!broken && deps.file) {
			const outcome = await updateUsageCache(deps.file, apply, {
				now: deps.now,
				...(deps.waitMs === undefined ? {} : {waitMs: deps.waitMs}),
			});
			if (outcome.status === 'done') {
				memory = outcome.data;
				return {status: 'done', result: outcome.result};
			}

			if (outcome.status === 'busy') return {status: 'busy'};
			broken = true;
		}

		const {data, result} = apply(memory);
		if (data) memory = data;
		return {status: 'done', result};
	};

	return {
		read,
		async run(options, fetch) {
			const {key, provider, token, account} = options;
			const decideNow = (entry: CacheEntry | undefined) =>
				decide(entry, token, deps.now(), {
					maxAgeMs: options.maxAgeMs,
					force: options.force ?? false,
					alive,
				});

			// Most calls end here, without the lock: the cache answers.
			const seen = (options.seen ?? read()).entries[key];
			const first = decideNow(seen);
			if (!first.fetch) {
				return {entry: seen, fetched: false, nextAt: first.until};
			}

			const claimed = await change<{
				entry: CacheEntry | undefined;
				decision: Decision;
			}>(data => {
				const entry = data.entries[key];
				const decision = decideNow(entry);
				if (!decision.fetch) return {result: {entry, decision}};
				const next = withClaim(
					touch(entry, provider, deps.now(), account),
					token,
					deps.now(),
					pid,
				);
				return {
					data: {...data, entries: {...data.entries, [key]: next}},
					result: {entry: next, decision},
				};
			});
			if (claimed.status === 'busy') {
				// Others are writing the cache right now: their answer is a moment away.
				return {entry: seen, fetched: false, nextAt: deps.now() + 1000};
			}

			const {decision} = claimed.result;
			if (!decision.fetch) {
				return {
					entry: claimed.result.entry,
					fetched: false,
					nextAt: decision.until,
				};
			}

			const result = await settle(fetch);
			if (options.signal?.aborted) {
				// Not the endpoint's doing: lift this process's claim and record nothing.
				await change<undefined>(data => {
					const entry = data.entries[key];
					if (entry?.claim?.pid !== pid) return {result: undefined};
					const {claim: _claim, ...rest} = entry;
					return {
						data: {...data, entries: {...data.entries, [key]: rest}},
						result: undefined,
					};
				});
				return {entry: seen, fetched: true, nextAt: deps.now()};
			}

			const recorded = await change<CacheEntry>(data => {
				const entry = recordResult(
					touch(data.entries[key], provider, deps.now(), account),
					token,
					result,
					deps.now(),
					{intervalMs: options.intervalMs, pid},
				);
				return {
					data: {...data, entries: {...data.entries, [key]: entry}},
					result: entry,
				};
			});
			// Still busy after the wait: this process keeps what it learnt (its claim expires).
			const entry =
				recorded.status === 'done'
					? recorded.result
					: recordResult(
							touch(claimed.result.entry, provider, deps.now(), account),
							token,
							result,
							deps.now(),
							{intervalMs: options.intervalMs, pid},
						);
			return {
				entry,
				fetched: true,
				nextAt: nextDue(entry, options, deps.now(), alive),
			};
		},
	};
};
