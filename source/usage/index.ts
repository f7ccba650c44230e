/** The usage layer's public surface for the live panel (React-free). */
export {
	CLAUDE_CODE_VERSION,
	SETUP_TOKEN_REASON,
	parseAnthropicUsage,
} from './anthropic.js';
export {type CollectedUsage, type UsageJson, collectUsage} from './collect.js';
export {formatPercent, formatUsageReport, formatUsageWindow} from './format.js';
export {parseCopilotUsage} from './github-copilot.js';
export {codexWindowLabel, parseCodexUsage} from './openai-codex.js';
export {
	type WindowSample,
	estimateRunOut,
	resetBetween,
	runOutFromHistory,
} from './pace.js';
export {
	DEFAULT_INTERVAL_MS,
	type UsageError,
	type UsagePollState,
	type UsagePoller,
	type UsagePollerDeps,
	type UsageTarget,
	createUsagePoller,
	usageBackoffMs,
	usageFreshness,
} from './poller.js';
export {
	type UsageRequest,
	fetchUsage,
	usageFetchers,
	usageUnavailable,
} from './registry.js';
export {tokenKeyOf, usageTargets} from './targets.js';
export type * from './types.js';
