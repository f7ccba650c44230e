/*
Reading the usage cache back (cache-data.ts has its shape): the file is pi-auth's own, but another
version, another tool or a damaged disk may have written it, and its text reaches the terminal. So
every field is checked and every string made printable; what does not fit is dropped, and a file
that is not a usage cache of this version is no cache at all (ignored, then replaced).
*/
import {printableText} from '../printable.js';
import {
	CACHE_VERSION,
	type CacheData,
	type CacheEntry,
	type CacheSnapshot,
	emptyCache,
} from './cache-data.js';
import {type History, type HistoryPoint, orderedPoints} from './history.js';
import {boolean, number, record} from './read-values.js';
import type {
	CopilotQuota,
	CopilotQuotaLabel,
	UsageExtras,
	UsageWindow,
} from './types.js';

const text = (value: unknown) => printableText(value)?.trim() || undefined;
const orNull = <T>(value: T | undefined): T | null => value ?? null;
const time = (value: unknown) => {
	const parsed = number(value);
	return parsed !== undefined && parsed >= 0 && parsed <= 8.64e15
		? parsed
		: undefined;
};

const QUOTA_LABELS: readonly CopilotQuotaLabel[] = [
	'premium',
	'credits',
	'chat',
	'completions',
];
const quotaLabel = (value: unknown) =>
	QUOTA_LABELS.find(label => label === value);

const readWindow = (value: unknown): UsageWindow | undefined => {
	const window = record(value);
	const label = text(window?.['label']);
	const usedPercent = number(window?.['usedPercent']);
	const resets = window?.['resetsAt'];
	const resetsAt = resets === null ? null : time(resets);
	return label &&
		usedPercent !== undefined &&
		usedPercent >= 0 &&
		resetsAt !== undefined
		? {label, usedPercent, resetsAt}
		: undefined;
};

const readQuota = (value: unknown): CopilotQuota[] => {
	const quota = record(value);
	const label = quotaLabel(quota?.['label']);
	if (!quota || !label) return [];
	return [
		{
			label,
			unit: quota['unit'] === 'credits' ? 'credits' : 'requests',
			entitlement: orNull(number(quota['entitlement'])),
			remaining: orNull(number(quota['remaining'])),
			overage: orNull(number(quota['overage'])),
			overagePermitted: orNull(boolean(quota['overagePermitted'])),
		},
	];
};

/** The provider facts beside the windows, field by field (types.ts). */
const readExtras = (value: unknown, provider: string): UsageExtras => {
	const extras = record(value) ?? {};
	const plan = text(extras['plan']);
	if (provider === 'github-copilot') {
		const overage = record(extras['overage']);
		const quotas = Array.isArray(extras['quotas'])
			? extras['quotas'].flatMap(readQuota)
			: [];
		const notMetered = Array.isArray(extras['notMetered'])
			? extras['notMetered'].flatMap(label => {
					const known = quotaLabel(label);
					return known ? [known] : [];
				})
			: [];
		const login = text(extras['login']);
		return {
			provider: 'github-copilot',
			notMetered,
			...(plan ? {plan} : {}),
			...(login ? {login} : {}),
			...(overage
				? {
						overage: {
							count: orNull(number(overage['count'])),
							permitted: orNull(boolean(overage['permitted'])),
						},
					}
				: {}),
			...(quotas.length > 0 ? {quotas} : {}),
		};
	}

	if (provider === 'openai-codex') {
		const credits = record(extras['credits']);
		const limitReached = boolean(extras['limitReached']);
		const allowed = boolean(extras['allowed']);
		return {
			provider: 'openai-codex',
			...(plan ? {plan} : {}),
			...(credits
				? {
						credits: {
							hasCredits: orNull(boolean(credits['hasCredits'])),
							unlimited: orNull(boolean(credits['unlimited'])),
							balance: orNull(text(credits['balance'])),
						},
					}
				: {}),
			...(limitReached === undefined ? {} : {limitReached}),
			...(allowed === undefined ? {} : {allowed}),
		};
	}

	const extra = record(extras['extraUsage']);
	return {
		provider: 'anthropic',
		...(extra
			? {
					extraUsage: {
						enabled: orNull(boolean(extra['enabled'])),
						monthlyLimitCents: orNull(number(extra['monthlyLimitCents'])),
						usedCents: orNull(number(extra['usedCents'])),
						utilization: orNull(number(extra['utilization'])),
						currency: orNull(text(extra['currency'])),
					},
				}
			: {}),
	};
};

const readSnapshot = (
	value: unknown,
	provider: string,
): CacheSnapshot | undefined => {
	const snapshot = record(value);
	const token = text(snapshot?.['token']);
	const fetchedAt = time(snapshot?.['fetchedAt']);
	const windows = snapshot?.['windows'];
	if (
		!snapshot ||
		!token ||
		fetchedAt === undefined ||
		!Array.isArray(windows)
	) {
		return undefined;
	}

	return {
		token,
		fetchedAt,
		windows: windows.flatMap(window => {
			const parsed = readWindow(window);
			return parsed ? [parsed] : [];
		}),
		extras: readExtras(snapshot['extras'], provider),
	};
};

const readHistory = (value: unknown): History => {
	const result: History = {};
	for (const [label, points] of Object.entries(record(value) ?? {})) {
		const name = text(label);
		if (!name || !Array.isArray(points)) continue;
		const kept = points.flatMap((point): HistoryPoint[] => {
			if (!Array.isArray(point)) return [];
			const at = number(point[0]);
			const used = number(point[1]);
			return at !== undefined && at >= 0 && used !== undefined && used >= 0
				? [[at, used]]
				: [];
		});
		if (kept.length > 0) result[name] = orderedPoints(kept);
	}

	return result;
};

const readEntry = (
	value: unknown,
	withHistory: boolean,
): CacheEntry | undefined => {
	const entry = record(value);
	const provider = text(entry?.['provider']);
	const seenAt = time(entry?.['seenAt']);
	if (!entry || !provider || seenAt === undefined) return undefined;
	const result: CacheEntry = {provider, seenAt};
	const account = text(entry['account']);
	if (account) result.account = account;
	const snapshot = readSnapshot(entry['snapshot'], provider);
	if (snapshot) result.snapshot = snapshot;

	const unavailable = record(entry['unavailable']);
	const reason = text(unavailable?.['reason']);
	const unavailableToken = text(unavailable?.['token']);
	const unavailableAt = time(unavailable?.['at']);
	if (reason && unavailableToken && unavailableAt !== undefined) {
		result.unavailable = {token: unavailableToken, reason, at: unavailableAt};
	}

	const error = record(entry['error']);
	const message = text(error?.['message']);
	const errorAt = time(error?.['at']);
	if (message && errorAt !== undefined) {
		result.error = {
			code: (text(error?.['code']) ?? 'unexpected') as NonNullable<
				CacheEntry['error']
			>['code'],
			message,
			at: errorAt,
		};
	}

	const backoff = record(entry['backoff']);
	const backoffToken = text(backoff?.['token']);
	const until = time(backoff?.['until']);
	if (backoffToken && until !== undefined) {
		result.backoff = {
			token: backoffToken,
			until,
			strikes: Math.max(0, Math.floor(number(backoff?.['strikes']) ?? 0)),
			failures: Math.max(0, Math.floor(number(backoff?.['failures']) ?? 0)),
		};
	}

	const claim = record(entry['claim']);
	const claimToken = text(claim?.['token']);
	const pid = number(claim?.['pid']);
	const claimAt = time(claim?.['at']);
	const claimUntil = time(claim?.['until']);
	if (
		claimToken &&
		pid !== undefined &&
		claimAt !== undefined &&
		claimUntil !== undefined
	) {
		result.claim = {token: claimToken, pid, at: claimAt, until: claimUntil};
	}

	if (!withHistory) return result;
	const history = readHistory(entry['history']);
	if (Object.keys(history).length > 0) result.history = history;
	return result;
};

/**
The cache in a parsed file, or undefined when the value is not a usage cache of this version (a
foreign or damaged file is ignored, and replaced by the next write). `history: false` leaves the
history out, for readers that only show the numbers (a status line runs every few seconds).
*/
export const readCacheData = (
	value: unknown,
	{history = true}: {history?: boolean} = {},
): CacheData | undefined => {
	const object = record(value);
	const entries = record(object?.['entries']);
	if (!object || object['version'] !== CACHE_VERSION || !entries) {
		return undefined;
	}

	const data = emptyCache();
	for (const [key, entry] of Object.entries(entries)) {
		const name = text(key);
		const parsed = readEntry(entry, history);
		if (name && parsed) data.entries[name] = parsed;
	}

	return data;
};
