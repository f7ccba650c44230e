/*
Provider facts beside the windows, in words, for the panel, `status --usage` and `status --line`:
Copilot's quota in the account's unit (credits or requests, overage visible), Anthropic's extra
usage (spent and limit, in its currency: what third-party use such as pi draws on once the
subscription's windows are spent).
*/
import type {AnthropicExtraUsage, CopilotQuota, UsageExtras} from './types.js';

/**
Up to two decimals, thousands grouped, the same on every machine ("1,203.55"): what
toLocaleString('en-US', {maximumFractionDigits: 2}) says (rounding the shortest decimal form half
up, as ICU does), without it. Its first call loads ICU's number formatting, ~30 ms of the panel's
first frame (npm run bench). test/usage/describe.test.ts compares the two.
*/
export const amount = (value: number): string => {
	const shortest = String(Math.abs(value));
	// The exponent form: under 1e-6, which is 0, or 1e21 and over, no amount of credits.
	if (!/^\d+(?:\.\d+)?$/.test(shortest))
		return Math.abs(value) < 1 ? '0' : String(value);
	const [whole = '0', fraction = ''] = shortest.split('.');
	let cents = BigInt(`${whole}${fraction.padEnd(2, '0').slice(0, 2)}`);
	if ((fraction[2] ?? '0') >= '5') cents += 1n;
	const digits = cents.toString().padStart(3, '0');
	const grouped = digits.slice(0, -2).replaceAll(/\B(?=(?:\d{3})+$)/g, ',');
	const decimals = digits.slice(-2).replace(/0+$/, '');
	// A negative amount that rounds to nothing is 0, where ICU says "-0".
	const sign = value < 0 && cents > 0n ? '-' : '';
	return `${sign}${grouped}${decimals === '' ? '' : `.${decimals}`}`;
};

/** Minor units (cents) as the currency's amount: "12.34 USD". */
export const money = (cents: number, currency: string | null): string =>
	`${(cents / 100).toFixed(2)}${currency ? ` ${currency}` : ''}`;

/** "credits: 1,203.55 of 1,500 left", "premium: 42 requests over 300 (overage 42)". */
export const quotaText = (quota: CopilotQuota): string | undefined => {
	const {label, unit, entitlement, remaining, overage} = quota;
	const what = unit === 'credits' ? 'credits' : 'requests';
	const over =
		overage !== null && overage > 0 ? ` (overage ${amount(overage)})` : '';
	if (entitlement === null || entitlement <= 0) return undefined;
	if (remaining === null) {
		return `${label}: ${amount(entitlement)} ${what} a month${over}`;
	}

	return remaining < 0
		? `${label}: ${amount(-remaining)} ${what} over the ${amount(entitlement)}${over}`
		: `${label}: ${amount(remaining)} of ${amount(entitlement)} ${what} left${over}`;
};

/** "extra usage: 12.34 of 50.00 USD this month", or undefined when it is off. */
export const extraUsageText = (
	extra: AnthropicExtraUsage | undefined,
): string | undefined => {
	if (!extra?.enabled || extra.usedCents === null) return undefined;
	const spent = money(extra.usedCents, extra.currency);
	return extra.monthlyLimitCents === null
		? `extra usage: ${spent} this month`
		: `extra usage: ${(extra.usedCents / 100).toFixed(2)} of ${money(extra.monthlyLimitCents, extra.currency)} this month`;
};

/** Plan, credits, quotas that are not metered and extra usage: facts beside the bars. */
export const extrasText = (extras: UsageExtras): string | undefined => {
	switch (extras.provider) {
		case 'anthropic': {
			return extraUsageText(extras.extraUsage);
		}

		case 'openai-codex': {
			const parts = [
				extras.plan ? `plan ${extras.plan}` : undefined,
				extras.credits?.unlimited
					? 'credits unlimited'
					: extras.credits?.balance
						? `credits ${extras.credits.balance}`
						: undefined,
				extras.limitReached ? 'limit reached' : undefined,
			].filter(Boolean);
			return parts.length > 0 ? parts.join(' · ') : undefined;
		}

		case 'github-copilot': {
			const quotas = (extras.quotas ?? []).flatMap(quota => {
				const text = quotaText(quota);
				return text ? [text] : [];
			});
			const parts = [
				extras.plan ? `plan ${extras.plan}` : undefined,
				...quotas,
				...extras.notMetered.map(label => `${label}: not metered`),
				// The overage is in the quota's line where its counts are known.
				quotas.length === 0 && extras.overage?.count
					? `${amount(extras.overage.count)} overage`
					: undefined,
			].filter(Boolean);
			return parts.length > 0 ? parts.join(' · ') : undefined;
		}
	}
};
