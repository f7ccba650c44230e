import type {Credential} from '../credentials/credential.js';
import type {Fetch} from '../oauth/http.js';

/**
One rate-limit window as the status panel and `status --json` show it (docs/contract.md).
`usedPercent` is what the provider reported, 0–100 (above 100 only when the provider says so);
a window whose percentage cannot be read is left out, never shown as 0 %.
*/
export type UsageWindow = {
	label: string;
	usedPercent: number;
	/** Epoch ms, or null when the provider gave no reset time. */
	resetsAt: number | null;
};

/** Anthropic's pay-as-you-go credits beside the subscription (`extra_usage`). */
export type AnthropicExtraUsage = {
	enabled: boolean | null;
	/** Minor currency units (cents), as the endpoint sends them. */
	monthlyLimitCents: number | null;
	usedCents: number | null;
	utilization: number | null;
	currency: string | null;
};

export type AnthropicExtras = {
	provider: 'anthropic';
	extraUsage?: AnthropicExtraUsage;
};

export type CodexExtras = {
	provider: 'openai-codex';
	plan?: string;
	credits?: {
		hasCredits: boolean | null;
		unlimited: boolean | null;
		/** A decimal string, as the endpoint sends it. */
		balance: string | null;
	};
	limitReached?: boolean;
	allowed?: boolean;
};

/** docs/contract.md: `premium` (premium requests) or `credits` (AI credits, June 2026 billing). */
export type CopilotQuotaLabel = 'premium' | 'credits' | 'chat' | 'completions';

/**
A metered Copilot quota in the account's own unit (docs/usage.md: "show the entitlement and
what is left in the unit the account uses"; keep over-quota values visible).
*/
export type CopilotQuota = {
	label: CopilotQuotaLabel;
	unit: 'credits' | 'requests';
	entitlement: number | null;
	/** What is left; below 0 once the quota is overdrawn. */
	remaining: number | null;
	/** Used beyond the entitlement (overage_count). */
	overage: number | null;
	overagePermitted: boolean | null;
};

export type CopilotExtras = {
	provider: 'github-copilot';
	plan?: string;
	login?: string;
	/** Quotas that are unlimited or not metered: left out of `windows`, never shown as 0 %. */
	notMetered: CopilotQuotaLabel[];
	/** Premium requests (or credits) beyond the entitlement (docs/usage.md). */
	overage?: {count: number | null; permitted: boolean | null};
	/** The metered quotas' counts, where the answer carried them. */
	quotas?: CopilotQuota[];
};

export type UsageExtras = AnthropicExtras | CodexExtras | CopilotExtras;

/** What a parser makes of one response body: the windows it could read, plus provider facts. */
export type UsageReport = {
	windows: UsageWindow[];
	extras: UsageExtras;
};

/** A report with the time its answer arrived (epoch ms). */
export type UsageSnapshot = UsageReport & {fetchedAt: number};

/**
A fetch either yields a snapshot or says usage cannot be had for this credential (API key, setup
token, …): that is a fact about the credential, not a failure to retry. Failures (429, network,
5xx, bad answers) are thrown as PiAuthError.
*/
export type UsageOutcome =
	| {status: 'ok'; snapshot: UsageSnapshot}
	| {status: 'unavailable'; reason: string};

/** What one provider's fetcher gets: everything that talks to the world is injected. */
export type UsageContext = {
	fetch: Fetch;
	/** The endpoint's URL, from endpointsFor (so the config file can override it). */
	url: string;
	now: () => number;
	signal?: AbortSignal;
	timeoutMs?: number;
};

export type UsageFetcher = {
	/** The endpoint name in docs/providers.md and the config file. */
	endpoint: string;
	/** Why usage cannot be fetched for this credential, decided without the network. */
	unavailable: (credential: Credential, now: number) => string | undefined;
	/** Fetches and parses; called only when `unavailable` said nothing. */
	fetch: (
		context: UsageContext,
		credential: Credential,
	) => Promise<UsageOutcome>;
	/** The pure, tolerant parser of the endpoint's body. */
	parse: (body: unknown, now: number) => UsageReport;
	/**
	What the endpoint sees of the credential (the token it is sent, and the account): its digest
	keys the backoff, since 429s are per token (docs/usage.md). Copilot's quota endpoint takes
	the GitHub token, so the Copilot token refreshed every half hour is not part of it.
	*/
	identity: (credential: Credential) => string[];
};

/** Timer functions, injected so tests drive the poller with a fake clock (as engine/scheduler.ts). */
export type Timers = {
	setTimeout: (callback: () => void, ms: number) => unknown;
	clearTimeout: (handle: unknown) => void;
};
