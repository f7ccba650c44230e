import {PiAuthError} from '../errors.js';
import {EDITOR_HEADERS} from '../providers/github-copilot.js';
import {boolean, epochMs, number, record, text} from './read-values.js';
import {getUsage} from './request.js';
import type {
	CopilotExtras,
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

type Quota = {usedPercent?: number; notMetered: boolean};

/**
usage-endpoints.md: used % = 100 − percent_remaining; `unlimited: true`, or entitlement 0 with
remaining 0, is "not metered", which must never read as 0 % used.
*/
const readQuota = (value: unknown): Quota | undefined => {
	const quota = record(value);
	if (!quota) return undefined;
	const entitlement = number(quota['entitlement']);
	const remaining = number(quota['remaining']);
	if (
		boolean(quota['unlimited']) === true ||
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

/** The Copilot `user` body (usage-endpoints.md). */
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
	for (const [field, label] of QUOTAS) {
		const quota = readQuota(snapshots?.[field]);
		if (quota?.notMetered) {
			notMetered.push(label);
			continue;
		}

		const usedPercent = quota?.usedPercent ?? freeQuota(object, field);
		// Huge counts (entitlement 1e308) overflow to Infinity, which JSON turns into null.
		if (usedPercent !== undefined && Number.isFinite(usedPercent)) {
			windows.push({label, usedPercent, resetsAt});
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
	};
	return {windows, extras};
};

export const copilotUsage: UsageFetcher = {
	endpoint: 'user',
	parse: parseCopilotUsage,
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
