/*
The usage cache's content and the rules every process applies to it (cache-file.ts does the I/O):
the last snapshot per credential with its time, the backoff after failures (per token: 429s are per
access token, docs/usage.md), a claim while one process fetches, and the history. Everything
here is a pure function of the data and the clock, so the rules are tested without files.

`pi-auth/usage.json` (docs/contract.md "Where things live"):
  {"version": 1, "entries": {"<key>": {
     "provider": "<id>", "seenAt": <ms>, "account"?: "<account>",
     "snapshot"?: {"token": "<digest>", "fetchedAt": <ms>, "windows": [...], "extras": {...}},
     "unavailable"?: {"token", "reason", "at"},
     "error"?: {"code", "message", "at"},
     "backoff"?: {"token", "until", "strikes", "failures"},
     "claim"?: {"token", "pid", "at", "until"},
     "history"?: {"<label>": [[<unix s>, <% used>], ...]}}}}
The key is a provider id, `<provider>@env` for an environment credential, and (with profiles)
`<provider>:<profile>`. A token digest (targets.ts) is never a token.
*/
import {type ErrorCode, isPiAuthError} from '../errors.js';
import {type History, addSnapshot} from './history.js';
import {
	DEFAULT_INTERVAL_MS,
	RATE_LIMIT_MAX_MS,
	usageBackoffMs,
} from './poll-policy.js';
import type {UsageSnapshot} from './types.js';

export const CACHE_VERSION = 1;
/** A fetch is bounded by 15 s (request.ts); a claim older than this is a process that died. */
export const CLAIM_MS = 20_000;
/** Credentials not seen for this long are dropped (a sign-out, an old profile). */
export const ENTRY_TTL_MS = 8 * 24 * 3_600_000;
export const MAX_ENTRIES = 32;
/** About 18 bytes a point: the history of the whole file stays under ~300 KB. */
export const MAX_POINTS = 16_000;
/** Trimmed to this when over, so the trimming (a sort) is not redone on every write after. */
const TRIMMED_POINTS = 14_400;

export type CacheSnapshot = UsageSnapshot & {token: string};

export type CacheEntry = {
	provider: string;
	seenAt: number;
	account?: string;
	snapshot?: CacheSnapshot;
	unavailable?: {token: string; reason: string; at: number};
	error?: {code: ErrorCode | 'unexpected'; message: string; at: number};
	backoff?: {token: string; until: number; strikes: number; failures: number};
	claim?: {token: string; pid: number; at: number; until: number};
	history?: History;
};

export type CacheData = {version: 1; entries: Record<string, CacheEntry>};

export const emptyCache = (): CacheData => ({
	version: CACHE_VERSION,
	entries: {},
});

// --- the rules

export type Decision =
	| {fetch: true}
	| {
			fetch: false;
			until: number;
			why: 'fresh' | 'backoff' | 'claimed' | 'unavailable';
	  };

export type DecideOptions = {
	/** A snapshot of this token younger than this is used as it is. */
	maxAgeMs: number;
	/** The `r` key: fetch now, whatever the backoff or another process says. */
	force?: boolean;
	/** Whether a claim's process still runs (a claim of a dead process is void). */
	alive?: (pid: number) => boolean;
};

/** Whether this process should fetch now, or until when the cache answers for it. */
export const decide = (
	entry: CacheEntry | undefined,
	token: string,
	now: number,
	{maxAgeMs, force = false, alive = () => true}: DecideOptions,
): Decision => {
	if (force || !entry) return {fetch: true};
	const {claim, backoff, unavailable, snapshot} = entry;
	if (claim && claim.until > now && claim.at <= now && alive(claim.pid)) {
		// Someone is fetching: look again shortly for the answer.
		return {
			fetch: false,
			until: Math.min(claim.until, now + 1000),
			why: 'claimed',
		};
	}

	if (backoff && backoff.token === token && backoff.until > now) {
		return {fetch: false, until: backoff.until, why: 'backoff'};
	}

	if (
		unavailable &&
		unavailable.token === token &&
		now - unavailable.at < RATE_LIMIT_MAX_MS
	) {
		return {
			fetch: false,
			until: unavailable.at + RATE_LIMIT_MAX_MS,
			why: 'unavailable',
		};
	}

	// A new token is fetched once (what a new sign-in shows), by whichever process gets there first.
	if (
		snapshot &&
		snapshot.token === token &&
		now - snapshot.fetchedAt < maxAgeMs
	) {
		return {fetch: false, until: snapshot.fetchedAt + maxAgeMs, why: 'fresh'};
	}

	return {fetch: true};
};

/** The entry a fetch starts from: seen now, the same account (else started afresh). */
export const touch = (
	entry: CacheEntry | undefined,
	provider: string,
	now: number,
	account?: string,
): CacheEntry => {
	// Another account under the same key (a sign-in to someone else): its numbers are not ours.
	if (
		!entry ||
		entry.provider !== provider ||
		(account && entry.account && entry.account !== account)
	) {
		return {provider, seenAt: now, ...(account ? {account} : {})};
	}

	return {...entry, seenAt: now, ...(account ? {account} : {})};
};

export const withClaim = (
	entry: CacheEntry,
	token: string,
	now: number,
	pid: number,
): CacheEntry => ({
	...entry,
	claim: {token, pid, at: now, until: now + CLAIM_MS},
});

export type FetchResult =
	| {status: 'ok'; snapshot: UsageSnapshot}
	| {status: 'unavailable'; reason: string}
	| {status: 'failed'; error: unknown};

const messageOf = (error: unknown) =>
	// PiAuthError messages hold no secret; anything else might quote one.
	isPiAuthError(error) ? error.message : 'Fetching usage failed unexpectedly.';

/**
What a fetch changes: a snapshot clears the error and the backoff and adds to the history; an
unavailable answer is remembered for the token; a failure keeps the snapshot and backs the token
off (a 429: Retry-After, else 5 min doubling to 1 h; others: the cadence doubling, poll-policy.ts),
counting on from a backoff of the same token whoever recorded it.
*/
export const recordResult = (
	entry: CacheEntry,
	token: string,
	result: FetchResult,
	now: number,
	{
		intervalMs = DEFAULT_INTERVAL_MS,
		pid,
	}: {intervalMs?: number; pid?: number} = {},
): CacheEntry => {
	const {claim, ...rest} = entry;
	// Only the process that claimed the fetch (or a forced one) lifts the claim.
	const next: CacheEntry =
		claim && pid !== undefined && claim.pid !== pid ? {...rest, claim} : rest;
	if (result.status === 'ok') {
		const {
			error: _error,
			backoff: _backoff,
			unavailable: _unavailable,
			...kept
		} = next;
		return {
			...kept,
			snapshot: {...result.snapshot, token},
			history: addSnapshot(next.history ?? {}, result.snapshot),
		};
	}

	if (result.status === 'unavailable') {
		// A fact about the credential: its old numbers (another token's) must not be shown as current.
		const {
			error: _error,
			backoff: _backoff,
			snapshot: _snapshot,
			...kept
		} = next;
		return {...kept, unavailable: {token, reason: result.reason, at: now}};
	}

	const previous = next.backoff?.token === token ? next.backoff : undefined;
	const rateLimited =
		isPiAuthError(result.error) && result.error.code === 'rate-limited';
	const strikes = (previous?.strikes ?? 0) + (rateLimited ? 1 : 0);
	const failures = (previous?.failures ?? 0) + 1;
	return {
		...next,
		error: {
			code: isPiAuthError(result.error) ? result.error.code : 'unexpected',
			message: messageOf(result.error),
			at: now,
		},
		backoff: {
			token,
			strikes,
			failures,
			until: now + usageBackoffMs(result.error, strikes, failures, intervalMs),
		},
	};
};

/**
The data with old entries gone and the history within its bound: credentials not seen for 8
days, then the least recently seen beyond MAX_ENTRIES, then, beyond MAX_POINTS, the oldest points
of all (down to 90 % of it).
*/
export const bounded = (data: CacheData, now: number): CacheData => {
	const entries = Object.entries(data.entries)
		.filter(([, entry]) => now - entry.seenAt <= ENTRY_TTL_MS)
		.sort(([, a], [, b]) => b.seenAt - a.seenAt)
		.slice(0, MAX_ENTRIES);
	let count = 0;
	for (const [, entry] of entries) {
		for (const series of Object.values(entry.history ?? {})) {
			count += series.length;
		}
	}

	if (count <= MAX_POINTS) {
		return {version: CACHE_VERSION, entries: Object.fromEntries(entries)};
	}

	const kept = new Set(
		entries
			.flatMap(([, entry]) => Object.values(entry.history ?? {}).flat())
			.sort((a, b) => b[0] - a[0])
			.slice(0, TRIMMED_POINTS),
	);
	return {
		version: CACHE_VERSION,
		entries: Object.fromEntries(
			entries.map(([key, entry]) => {
				const history: History = {};
				for (const [label, series] of Object.entries(entry.history ?? {})) {
					const left = series.filter(point => kept.has(point));
					if (left.length > 0) history[label] = left;
				}

				return [key, {...entry, history}];
			}),
		),
	};
};
