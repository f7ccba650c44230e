import {
	boolean,
	epochMs,
	number,
	percent,
	record,
	slug,
	text,
} from './read-values.js';
import {accessRefused, getUsage} from './request.js';
import type {
	AnthropicExtraUsage,
	UsageFetcher,
	UsageReport,
	UsageWindow,
} from './types.js';

/** docs/usage.md: without a claude-code User-Agent a much stricter rate-limit bucket applies. */
export const CLAUDE_CODE_VERSION = '2.1.90';

export const SETUP_TOKEN_REASON =
	'Usage is not available for setup tokens: they lack the user:profile scope the usage endpoint needs. To see usage, sign in with: pi-auth login anthropic --method oauth';

const FLAT_WINDOWS: ReadonlyArray<[field: string, label: string]> = [
	['five_hour', '5h'],
	['seven_day', '7d'],
	['seven_day_opus', '7d-opus'],
	['seven_day_sonnet', '7d-sonnet'],
];

const window = (
	label: string,
	used: unknown,
	resets: unknown,
): UsageWindow | undefined => {
	const usedPercent = percent(used);
	return usedPercent === undefined
		? undefined
		: {label, usedPercent, resetsAt: epochMs(resets) ?? null};
};

/**
A weekly limit scoped to a model: Opus and Sonnet keep the contract's labels, others get a slug of
their name. The name is the model's display name, else its id, else the limit's group (other than
the generic `weekly`). A name that leaves no slug (only punctuation, or only letters outside a-z:
`"!"`, `"—"`) gives way to the next one, so a model shown as `"—"` with the id `claude-haiku-5` is
still `7d-claude-haiku-5`; with none left the label is plain `7d-scoped`, never `7d-`.
*/
const scopedLabel = (limit: Record<string, unknown>): string => {
	const model = record(record(limit['scope'])?.['model']);
	const group = text(limit['group']);
	const names = [
		text(model?.['display_name']),
		text(model?.['id']),
		group === 'weekly' ? undefined : group,
	];
	for (const name of names) {
		if (name === undefined) continue;
		const lower = name.toLowerCase();
		if (lower.includes('opus')) return '7d-opus';
		if (lower.includes('sonnet')) return '7d-sonnet';
		const fragment = slug(name);
		if (fragment) return `7d-${fragment}`;
	}

	return '7d-scoped';
};

// A Map: the kind comes from the server, and a plain object would answer "__proto__" too.
const LIMIT_LABELS = new Map<
	string,
	(limit: Record<string, unknown>) => string
>([
	['session', () => '5h'],
	['weekly_all', () => '7d'],
	['weekly_scoped', scopedLabel],
]);

/** The newer `limits` array; entries of kinds not known yet are dropped (their window is unknown). */
const limitWindows = (value: unknown): UsageWindow[] => {
	if (!Array.isArray(value)) return [];
	return value.flatMap(entry => {
		const limit = record(entry);
		const labelOf = LIMIT_LABELS.get(text(limit?.['kind']) ?? '');
		if (!limit || !labelOf) return [];
		const parsed = window(labelOf(limit), limit['percent'], limit['resets_at']);
		return parsed ? [parsed] : [];
	});
};

const extraUsage = (value: unknown): AnthropicExtraUsage | undefined => {
	const extra = record(value);
	if (!extra) return undefined;
	return {
		enabled: boolean(extra['is_enabled']) ?? null,
		monthlyLimitCents: number(extra['monthly_limit']) ?? null,
		usedCents: number(extra['used_credits']) ?? null,
		utilization: percent(extra['utilization']) ?? null,
		currency: text(extra['currency']) ?? null,
	};
};

/** Two limits with one label (two Opus models, say): the fuller one is the one that binds. */
const addWindow = (windows: Map<string, UsageWindow>, next: UsageWindow) => {
	const current = windows.get(next.label);
	if (!current || next.usedPercent > current.usedPercent) {
		windows.set(next.label, next);
	}
};

/**
Anthropic's `usage` body (docs/usage.md). The `limits` array, where present, supersedes the
flat fields label by label: a flat `seven_day_*` window is kept only when `limits` carries nothing
for that label, so an older or partial `limits` never hides a window the flat fields still show.
*/
export const parseAnthropicUsage = (body: unknown): UsageReport => {
	const object = record(body) ?? {};
	const fromLimits = new Map<string, UsageWindow>();
	for (const limit of limitWindows(object['limits'])) {
		addWindow(fromLimits, limit);
	}

	const windows = new Map<string, UsageWindow>();
	for (const [field, label] of FLAT_WINDOWS) {
		const flat = record(object[field]);
		const parsed =
			fromLimits.get(label) ??
			(flat
				? window(label, flat['utilization'], flat['resets_at'])
				: undefined);
		if (parsed) windows.set(label, parsed);
	}

	for (const [label, limit] of fromLimits) {
		if (!windows.has(label)) windows.set(label, limit);
	}

	const extra = extraUsage(object['extra_usage']);
	return {
		windows: [...windows.values()],
		extras: {provider: 'anthropic', ...(extra ? {extraUsage: extra} : {})},
	};
};

export const anthropicUsage: UsageFetcher = {
	endpoint: 'usage',
	parse: parseAnthropicUsage,
	identity: credential =>
		credential.type === 'oauth' ? [credential.access] : [credential.key],
	unavailable(credential) {
		// A setup token is stored with an empty refresh (docs/providers.md); the endpoint answers it 403.
		if (credential.type === 'oauth' && credential.refresh === '') {
			return SETUP_TOKEN_REASON;
		}

		return undefined;
	},
	async fetch(context, credential) {
		const access = credential.type === 'oauth' ? credential.access : '';
		return getUsage(
			context,
			{
				Authorization: `Bearer ${access}`,
				'anthropic-beta': 'oauth-2025-04-20',
				'User-Agent': `claude-code/${CLAUDE_CODE_VERSION}`,
			},
			parseAnthropicUsage,
			error =>
				// docs/usage.md: tokens without user:profile (setup tokens) get 403, as an API
				// error (JSON). A 403 page that is not JSON is a proxy or CDN, not the token.
				error.status === 403 && error.serverCode !== undefined
					? {status: 'unavailable', reason: SETUP_TOKEN_REASON}
					: accessRefused(error, 'anthropic'),
		);
	},
};
