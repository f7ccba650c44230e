import {PiAuthError} from '../errors.js';
import {EDITOR_HEADERS} from '../providers/github-copilot.js';
import {boolean, epochMs, number, record, text} from './read-values.js';
import {getUsage} from './request.js';
import type {
	CopilotExtras,
	CopilotQuota,
	CopilotQuotaLabel,
	UsageFetcher,
	UsageReport,
	UsageWindow,
} from './types.js';

const QUOTAS: ReadonlyArray<[field: string, label: CopilotQuotaLabel]> = [
	['premium_interactions', 'premium'],
	['chat', 'chat'],
	['completions', 'completions'],
];

/*
Premium requests a month per plan (GitHub's plan pages, as of 2026). Since 1 June 2026 chat, agent
and CLI use is metered in AI credits instead (docs/usage.md), and the same
`premium_interactions` snapshot then carries credits: Pro 1,500, Pro+ 7,000, Max 20,000, and org
budgets far larger (ent=10000000 was seen). Annual plans keep premium requests until they renew,
so the date says nothing; the size does: an entitlement above the plan's premium-request
allowance can only be credits, and so can a fractional one (requests are whole) or a Max plan
(it never had premium requests).
*/
// A Map: the plan comes from the server, and a plain object would answer "constructor" too.
const PREMIUM_ALLOWANCE = new Map([
	['free', 50],
	['individual', 300],
	['individual_pro', 1500],
	['business', 300],
	['enterprise', 1000],
]);
const LARGEST_ALLOWANCE = 1500;

const creditMetered = (
	object: Record<string, unknown>,
	quota: Record<string, unknown>,
	entitlement: number | undefined,
): boolean => {
	const plan = text(object['copilot_plan'])?.toLowerCase() ?? '';
	const sku = text(object['access_type_sku'])?.toLowerCase() ?? '';
	if (/\bmax\b|_max|max_/.test(`${plan} ${sku}`)) return true;
	if (text(quota['quota_id'])?.includes('credit')) return true;
	if (entitlement === undefined || entitlement <= 0) return false;
	return (
		!Number.isInteger(entitlement) ||
		entitlement > (PREMIUM_ALLOWANCE.get(plan) ?? LARGEST_ALLOWANCE)
	);
};

type Quota = {usedPercent?: number; notMetered: boolean};

/**
docs/usage.md: used % = 100 − percent_remaining; `unlimited: true`, entitlement -1 (the
sentinel paid plans send for chat and completions), or entitlement 0 with remaining 0 is "not
metered", which must never read as 0 % used. Over quota, percent_remaining goes below 0 and the
used % above 100: kept, not clamped.
*/
const readQuota = (quota: Record<string, unknown>): Quota | undefined => {
	const entitlement = number(quota['entitlement']);
	const remaining = number(quota['remaining']);
	if (
		boolean(quota['unlimited']) === true ||
		entitlement === -1 ||
		(entitlement === 0 && remaining === 0)
	) {
		return {notMetered: true};
	}

	const left = number(quota['percent_remaining']);
	let used = left === undefined || left > 100 ? undefined : 100 - left;
	// Without percent_remaining the counts still tell, when there is an entitlement to divide by.
	if (
		used === undefined &&
		entitlement &&
		entitlement > 0 &&
		remaining !== undefined
	) {
		used = (100 * (entitlement - remaining)) / entitlement;
	}

	return used === undefined || used < 0
		? undefined
		: {usedPercent: used, notMetered: false};
};

/**
Free plans carry counts instead of snapshots: `limited_user_quotas` (left) out of `monthly_quotas`.
Read only for quotas the snapshots do not cover.
*/
const freeQuota = (object: Record<string, unknown>, field: string) => {
	const left = number(record(object['limited_user_quotas'])?.[field]);
	const total = number(record(object['monthly_quotas'])?.[field]);
	return left !== undefined && total !== undefined && total > 0 && left <= total
		? (100 * (total - left)) / total
		: undefined;
};

const countsOf = (
	quota: Record<string, unknown>,
	label: CopilotQuotaLabel,
): CopilotQuota | undefined => {
	const entitlement = number(quota['entitlement']) ?? null;
	const remaining =
		number(quota['remaining']) ?? number(quota['quota_remaining']) ?? null;
	if (entitlement === null && remaining === null) return undefined;
	return {
		label,
		unit: label === 'credits' ? 'credits' : 'requests',
		entitlement,
		remaining,
		overage: number(quota['overage_count']) ?? null,
		overagePermitted: boolean(quota['overage_permitted']) ?? null,
	};
};

/** The Copilot `user` body (docs/usage.md). */
export const parseCopilotUsage = (body: unknown): UsageReport => {
	const object = record(body) ?? {};
	const snapshots = record(object['quota_snapshots']);
	const resetsAt =
		epochMs(object['quota_reset_date_utc']) ??
		epochMs(object['quota_reset_date']) ??
		epochMs(object['limited_user_reset_date']) ??
		null;
	const windows: UsageWindow[] = [];
	const notMetered: CopilotQuotaLabel[] = [];
	const quotas: CopilotQuota[] = [];
	for (const [field, base] of QUOTAS) {
		const snapshot = record(snapshots?.[field]);
		const label =
			base === 'premium' &&
			snapshot &&
			creditMetered(object, snapshot, number(snapshot['entitlement']))
				? 'credits'
				: base;
		const quota = snapshot ? readQuota(snapshot) : undefined;
		if (quota?.notMetered) {
			notMetered.push(label);
			continue;
		}

		const usedPercent = quota?.usedPercent ?? freeQuota(object, field);
		// Huge counts (entitlement 1e308) overflow to Infinity, which JSON turns into null.
		if (usedPercent !== undefined && Number.isFinite(usedPercent)) {
			windows.push({label, usedPercent, resetsAt});
			const counts = snapshot ? countsOf(snapshot, label) : undefined;
			if (counts) quotas.push(counts);
		}
	}

	const premium = record(snapshots?.['premium_interactions']);
	const overageCount = number(premium?.['overage_count']);
	const overagePermitted = boolean(premium?.['overage_permitted']);
	const plan = text(object['copilot_plan']);
	const login = text(object['login']);
	const extras: CopilotExtras = {
		provider: 'github-copilot',
		notMetered,
		...(plan ? {plan} : {}),
		...(login ? {login} : {}),
		...(overageCount === undefined && overagePermitted === undefined
			? {}
			: {
					overage: {
						count: overageCount ?? null,
						permitted: overagePermitted ?? null,
					},
				}),
		...(quotas.length > 0 ? {quotas} : {}),
	};
	return {windows, extras};
};

const HEADER_PREFIX = 'x-quota-snapshot-';
// VS Code reads premium_models where premium_interactions is missing: the same quota.
const HEADER_IDS: Record<string, string> = {
	premium_interactions: 'premium_interactions',
	premium_models: 'premium_interactions',
	chat: 'chat',
	completions: 'completions',
};

type HeaderSource =
	| {get: (name: string) => string | null}
	| Readonly<Record<string, string | readonly string[] | undefined>>;

const headerValue = (headers: HeaderSource, name: string) => {
	if (typeof headers.get === 'function') {
		return (
			(headers as {get: (name: string) => string | null}).get(name) ?? undefined
		);
	}

	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== name) continue;
		return Array.isArray(value) ? value[0] : (value as string | undefined);
	}

	return undefined;
};

/**
The same numbers as response headers (docs/usage.md; Menci/Floway PR #339): every successful
Copilot API response carries `x-quota-snapshot-<id>: ent=…&ov=…&ovPerm=…&rem=<% left>&rst=<ISO
reset>&totRem=<left>`. Read into the `user` body's shape and parsed as that is, so both forms give
the same windows. `account` adds what the headers lack (plan, login). pi-auth itself makes no
Copilot API call today, so nothing reads these headers yet: the parser is ready for a proxy mode
that would see pi's requests (docs/usage.md).
*/
export const parseCopilotQuotaHeaders = (
	headers: HeaderSource,
	account: {copilot_plan?: string; login?: string} = {},
): UsageReport => {
	const snapshots: Record<string, unknown> = {};
	let reset: string | undefined;
	for (const [id, field] of Object.entries(HEADER_IDS)) {
		const raw = headerValue(headers, `${HEADER_PREFIX}${id}`);
		if (raw === undefined || field in snapshots) continue;
		const params = new URLSearchParams(raw);
		const value = (name: string) => params.get(name) ?? undefined;
		snapshots[field] = {
			entitlement: value('ent'),
			remaining: value('totRem'),
			percent_remaining: value('rem'),
			overage_count: value('ov'),
			overage_permitted: value('ovPerm'),
			quota_id: field,
		};
		reset ??= value('rst');
	}

	return parseCopilotUsage({
		...account,
		quota_snapshots: snapshots,
		...(reset ? {quota_reset_date_utc: reset} : {}),
	});
};

export const copilotUsage: UsageFetcher = {
	endpoint: 'user',
	parse: parseCopilotUsage,
	identity: credential =>
		credential.type === 'oauth'
			? [credential.refresh, credential.enterpriseUrl ?? '']
			: [credential.key],
	unavailable(credential) {
		// The quota endpoint takes the GitHub token (the stored `refresh`), not the Copilot token.
		return credential.type === 'oauth' && credential.refresh === ''
			? 'Usage needs the GitHub token, which this entry lacks. Sign in again: pi-auth login github-copilot'
			: undefined;
	},
	async fetch(context, credential) {
		const githubToken = credential.type === 'oauth' ? credential.refresh : '';
		return getUsage(
			context,
			{
				Authorization: `token ${githubToken}`,
				...EDITOR_HEADERS,
				'X-Github-Api-Version': '2025-04-01',
			},
			parseCopilotUsage,
			error =>
				// Here a 401 is the GitHub token itself: it was revoked, and only a new sign-in helps.
				error.status === 401
					? new PiAuthError(
							'revoked',
							'GitHub refused the stored GitHub token (HTTP 401). Sign in again: pi-auth login github-copilot',
							{status: 401, cause: error},
						)
					: undefined,
		);
	},
};
