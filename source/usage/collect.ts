/*
Usage for one-shot commands (`status --usage`, `status --line`, `status --check --usage-over`),
through the usage cache (shared.ts): read as it is, or brought up to `maxAgeMs` first, fetching
only what the cache cannot answer. Never throws: one credential's failure is its own entry.
*/
import type {Config} from '../config.js';
import type {CredentialView} from '../credentials/view.js';
import type {Fetch} from '../oauth/http.js';
import type {CacheEntry} from './cache-data.js';
import {readUsageCache, usageCacheFile} from './cache-file.js';
import {extrasText, quotaText} from './describe.js';
import {formatUsageReport} from './format.js';
import {fetchUsage, usageUnavailable} from './registry.js';
import {createUsageCache} from './shared.js';
import {tokenKeyOf, usageKeyOf} from './targets.js';
import type {
	AnthropicExtraUsage,
	CopilotQuota,
	UsageReport,
	UsageWindow,
} from './types.js';

/** The `usage` member of a `status --json` entry (docs/contract.md), plus the provider's counts. */
export type UsageJson = {
	windows: UsageWindow[];
	fetchedAt: number;
	error?: string;
	/** Copilot: each metered quota in the account's unit (credits or requests). */
	quotas?: CopilotQuota[];
	/** Anthropic: pay-as-you-go credits beside the subscription, in minor units. */
	extraUsage?: AnthropicExtraUsage;
};

export type CachedUsage = {
	view: CredentialView;
	/** Why this credential has no usage at all (API key, setup token, …), decided without I/O. */
	unavailable?: string;
	entry?: CacheEntry;
};

export type CollectInput = {
	/** The credential file: the cache lives beside it (cache-file.ts). */
	file: string;
	config: Config;
	fetch: () => Promise<Fetch>;
	now: () => number;
	/**
	Fetch what is older than this first (0: everything the backoff allows). Undefined: read the
	cache as it is, no network and no write.
	*/
	maxAgeMs?: number;
	/** When another process is fetching a credential, wait for its answer (bounded). */
	waitForOthers?: boolean;
	/** How long to wait for the cache's lock (PI_AUTH_LOCK_WAIT), else a few seconds. */
	waitMs?: number;
	timeoutMs?: number;
};

const WAIT_STEP_MS = 100;

const sleep = async (ms: number) =>
	new Promise<void>(resolve => {
		setTimeout(resolve, ms);
	});

export const collectUsage = async (
	views: readonly CredentialView[],
	input: CollectInput,
): Promise<CachedUsage[]> => {
	const file = usageCacheFile(input.file);
	const now = input.now();
	// The numbers only: one-shot commands show no history.
	const cached = readUsageCache(file, {history: false});
	const cache =
		input.maxAgeMs === undefined
			? undefined
			: createUsageCache({
					file,
					now: input.now,
					...(input.waitMs === undefined ? {} : {waitMs: input.waitMs}),
				});
	return Promise.all(
		views.map(async (view): Promise<CachedUsage> => {
			const reason = usageUnavailable(view.provider, view.credential, now);
			if (reason !== undefined) return {view, unavailable: reason};
			const key = usageKeyOf(view);
			if (!cache || input.maxAgeMs === undefined) {
				const entry = cached.entries[key];
				return entry ? {view, entry} : {view};
			}

			const token = tokenKeyOf(view);
			const result = await cache.run(
				{
					key,
					provider: view.provider.id,
					token,
					...(view.account ? {account: view.account} : {}),
					maxAgeMs: input.maxAgeMs,
					intervalMs: Math.max(input.maxAgeMs, 1000),
					seen: cached,
				},
				async () =>
					fetchUsage({
						provider: view.provider,
						credential: view.credential,
						config: input.config,
						fetch: await input.fetch(),
						now: input.now,
						...(input.timeoutMs === undefined
							? {}
							: {timeoutMs: input.timeoutMs}),
					}),
			);
			let {entry} = result;
			// Another process is fetching this one: its answer is what a fetch here would bring.
			const deadline = input.now() + 20_000;
			while (
				input.waitForOthers &&
				entry?.claim &&
				entry.claim.until > input.now() &&
				input.now() < deadline
			) {
				await sleep(WAIT_STEP_MS);
				entry = cache.read().entries[key];
			}

			return entry ? {view, entry} : {view};
		}),
	);
};

/** The usage JSON of one credential (docs/contract.md `status --json`). */
export const usageJson = (usage: CachedUsage, now: number): UsageJson => {
	if (usage.unavailable !== undefined) {
		return {windows: [], fetchedAt: now, error: usage.unavailable};
	}

	const {entry, view} = usage;
	const token = tokenKeyOf(view);
	if (entry?.unavailable?.token === token) {
		return {
			windows: [],
			fetchedAt: entry.unavailable.at,
			error: entry.unavailable.reason,
		};
	}

	const snapshot = entry?.snapshot;
	const error =
		entry?.error && (!snapshot || entry.error.at >= snapshot.fetchedAt)
			? entry.error
			: undefined;
	const extras = snapshot?.extras;
	return {
		windows: snapshot?.windows ?? [],
		fetchedAt: snapshot?.fetchedAt ?? error?.at ?? now,
		...(error
			? {error: error.message}
			: snapshot
				? {}
				: {error: 'No usage fetched yet.'}),
		...(extras?.provider === 'github-copilot' && extras.quotas
			? {quotas: extras.quotas}
			: {}),
		...(extras?.provider === 'anthropic' && extras.extraUsage
			? {extraUsage: extras.extraUsage}
			: {}),
	};
};

/** The text snapshot's line for one credential. */
export const usageLine = (usage: CachedUsage, now: number): string => {
	const json = usageJson(usage, now);
	const snapshot = usage.entry?.snapshot;
	if (!snapshot || (json.windows.length === 0 && json.error)) {
		return json.error ?? 'no usage windows reported';
	}

	const {extras} = snapshot;
	const report: UsageReport = {windows: snapshot.windows, extras};
	// Copilot's plan and unmetered quotas are in the report's line already; its counts are not.
	const facts =
		extras.provider === 'github-copilot'
			? (extras.quotas ?? []).flatMap(quota => quotaText(quota) ?? [])
			: [extrasText(extras) ?? []].flat();
	return [
		formatUsageReport(report, now),
		...facts,
		...(json.error ? [`last fetch failed: ${json.error}`] : []),
	].join(' · ');
};
