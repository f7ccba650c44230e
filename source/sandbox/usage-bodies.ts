/*
Default bodies of the three usage endpoints (docs/usage.md), computed from the fake's clock so
reset times are always in the future. A test or the demo replaces them through each fake's
`settings.usage` / `settings.user`.

Public API: defaultAnthropicUsage(now), defaultCodexUsage(now, planType), defaultCopilotUser(now,
login, plan).
*/

export const defaultAnthropicUsage = (now: number) => {
	const window = (utilization: number, hours: number) => ({
		utilization,
		resets_at: new Date(now + hours * 3_600_000).toISOString(),
	});
	return {
		five_hour: window(42, 2.5),
		seven_day: window(18.5, 80),
		seven_day_oauth_apps: null,
		seven_day_opus: window(7.25, 80),
		seven_day_sonnet: window(12, 80),
		extra_usage: {
			is_enabled: false,
			monthly_limit: null,
			used_credits: null,
			utilization: null,
			currency: null,
		},
	};
};

export const defaultCodexUsage = (now: number, planType = 'plus') => {
	// docs/usage.md: windows are told apart by their length, not their position.
	const window = (usedPercent: number, length: number, resetAfter: number) => ({
		used_percent: usedPercent,
		limit_window_seconds: length,
		reset_after_seconds: resetAfter,
		reset_at: Math.floor(now / 1000) + resetAfter,
	});
	return {
		plan_type: planType,
		rate_limit: {
			allowed: true,
			limit_reached: false,
			primary_window: window(23, 18_000, 7200),
			secondary_window: window(61, 604_800, 259_200),
		},
		credits: {has_credits: false, unlimited: false, balance: '0'},
	};
};

const snapshot = (
	id: string,
	entitlement: number,
	remaining: number,
	unlimited: boolean,
) => ({
	quota_id: id,
	entitlement,
	remaining,
	percent_remaining: unlimited
		? 100
		: Math.round((remaining / entitlement) * 1000) / 10,
	unlimited,
	overage_count: 0,
	overage_permitted: false,
});

/** One metered quota (premium requests) and two unlimited ones, as an individual plan shows. */
export const defaultCopilotUser = (
	now: number,
	login: string,
	plan: string,
) => {
	const today = new Date(now);
	// Quotas reset on the first day of the next month (UTC).
	const reset = new Date(
		Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1),
	);
	return {
		login,
		copilot_plan: plan,
		access_type_sku: 'monthly_subscriber',
		chat_enabled: true,
		quota_reset_date: reset.toISOString().slice(0, 10),
		quota_reset_date_utc: reset.toISOString(),
		quota_snapshots: {
			premium_interactions: snapshot('premium_interactions', 300, 213, false),
			chat: snapshot('chat', 0, 0, true),
			completions: snapshot('completions', 0, 0, true),
		},
	};
};
