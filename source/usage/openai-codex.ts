import {
	boolean,
	dateMs,
	epochMs,
	number,
	percent,
	record,
	text,
} from './read-values.js';
import {accessRefused, getUsage} from './request.js';
import type {
	CodexExtras,
	UsageFetcher,
	UsageReport,
	UsageWindow,
} from './types.js';

/**
docs/usage.md: label by `limit_window_seconds`, not by position (some plans have only a
weekly window, and it then arrives as the primary one).
*/
export const codexWindowLabel = (seconds: number): string | undefined => {
	if (!(seconds > 0)) return undefined;
	if (seconds === 18_000) return '5h';
	if (seconds === 604_800) return '7d';
	// docs/contract.md: else `<n>h`; a tenth of an hour keeps odd lengths (30 min → 0.5h) honest.
	return `${Math.round((seconds / 3600) * 10) / 10}h`;
};

const codexWindow = (value: unknown, now: number): UsageWindow | undefined => {
	const entry = record(value);
	const seconds = number(entry?.['limit_window_seconds']);
	const label = seconds === undefined ? undefined : codexWindowLabel(seconds);
	const usedPercent = percent(entry?.['used_percent']);
	if (!entry || label === undefined || usedPercent === undefined) {
		return undefined;
	}

	const after = number(entry['reset_after_seconds']);
	// A huge reset_after_seconds (1e308) is past any date a Date can hold: no reset time.
	const fromNow =
		after !== undefined && after >= 0 ? dateMs(now + after * 1000) : undefined;
	return {
		label,
		usedPercent,
		resetsAt: epochMs(entry['reset_at']) ?? fromNow ?? null,
	};
};

const credits = (value: unknown): CodexExtras['credits'] => {
	const entry = record(value);
	if (!entry) return undefined;
	const balance = entry['balance'];
	return {
		hasCredits: boolean(entry['has_credits']) ?? null,
		unlimited: boolean(entry['unlimited']) ?? null,
		balance:
			text(balance) ??
			(typeof balance === 'number' && Number.isFinite(balance)
				? String(balance)
				: null),
	};
};

/** The Codex `usage` body (docs/usage.md); `now` turns reset_after_seconds into a time. */
export const parseCodexUsage = (body: unknown, now: number): UsageReport => {
	const object = record(body) ?? {};
	const limits = record(object['rate_limit']);
	const windows = new Map<string, UsageWindow>();
	for (const field of ['primary_window', 'secondary_window']) {
		const parsed = codexWindow(limits?.[field], now);
		const current = parsed ? windows.get(parsed.label) : undefined;
		if (parsed && (!current || parsed.usedPercent > current.usedPercent)) {
			windows.set(parsed.label, parsed);
		}
	}

	const plan = text(object['plan_type']);
	const credit = credits(object['credits']);
	const limitReached = boolean(limits?.['limit_reached']);
	const allowed = boolean(limits?.['allowed']);
	return {
		windows: [...windows.values()],
		extras: {
			provider: 'openai-codex',
			...(plan ? {plan} : {}),
			...(credit ? {credits: credit} : {}),
			...(limitReached === undefined ? {} : {limitReached}),
			...(allowed === undefined ? {} : {allowed}),
		},
	};
};

export const codexUsage: UsageFetcher = {
	endpoint: 'usage',
	parse: parseCodexUsage,
	identity: credential =>
		credential.type === 'oauth'
			? [credential.access, credential.accountId ?? '']
			: [credential.key],
	unavailable(credential) {
		if (
			credential.type === 'oauth' &&
			(typeof credential.accountId !== 'string' || credential.accountId === '')
		) {
			return 'Usage needs the ChatGPT account id, which this entry lacks. Sign in again: pi-auth login openai-codex';
		}

		return undefined;
	},
	async fetch(context, credential) {
		const access = credential.type === 'oauth' ? credential.access : '';
		const accountId =
			credential.type === 'oauth' ? (credential.accountId ?? '') : '';
		return getUsage(
			context,
			{Authorization: `Bearer ${access}`, 'ChatGPT-Account-Id': accountId},
			parseCodexUsage,
			error => accessRefused(error, 'openai-codex'),
		);
	},
};
