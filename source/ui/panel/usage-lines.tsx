import {Box, Text} from 'ink';
import {formatClock, formatDuration} from '../../format.js';
import {printable} from '../../printable.js';
import {runOutFromHistory} from '../../usage/pace.js';
import {type UsagePollState, usageFreshness} from '../../usage/poller.js';
import type {UsageExtras, UsageWindow} from '../../usage/types.js';
import {theme} from '../theme.js';

const BAR_WIDTH = 20;

/** usage-endpoints.md: green under 50 %, yellow under 80 %, red above. */
const colourOf = (usedPercent: number) =>
	usedPercent < 50
		? theme.success
		: usedPercent < 80
			? theme.warning
			: theme.error;

const Bar = ({usedPercent}: {usedPercent: number}) => {
	const filled = Math.round(
		(Math.min(100, Math.max(0, usedPercent)) / 100) * BAR_WIDTH,
	);
	return (
		<Text>
			<Text color={colourOf(usedPercent)}>{'█'.repeat(filled)}</Text>
			<Text color={theme.muted}>{'░'.repeat(BAR_WIDTH - filled)}</Text>
		</Text>
	);
};

const resetText = (resetsAt: number | null, now: number) =>
	resetsAt === null
		? 'no reset time given'
		: `resets in ${formatDuration(resetsAt - now)} (${formatClock(resetsAt, now)})`;

const WindowLine = ({
	window,
	runOut,
	showLeft,
	now,
}: {
	window: UsageWindow;
	runOut: number | undefined;
	showLeft: boolean;
	now: number;
}) => {
	const percent = showLeft ? 100 - window.usedPercent : window.usedPercent;
	return (
		<Text>
			<Text color={theme.muted}>{window.label.padEnd(10)}</Text>
			<Bar usedPercent={window.usedPercent} />
			<Text>
				{' '}
				{`${percent.toFixed(0)}%`.padStart(4)} {showLeft ? 'left' : 'used'}
			</Text>
			<Text color={theme.muted}> · {resetText(window.resetsAt, now)}</Text>
			{runOut === undefined ? null : (
				<Text color={theme.warning}>
					{' '}
					· at this pace runs out at {formatClock(runOut, now)}
				</Text>
			)}
		</Text>
	);
};

const money = (cents: number | null, currency: string | null) =>
	cents === null ? '?' : `${(cents / 100).toFixed(2)} ${currency ?? ''}`.trim();

/** Plan, credits and quotas that are not metered: facts beside the bars, never shown as 0 %. */
const extrasText = (extras: UsageExtras): string | undefined => {
	switch (extras.provider) {
		case 'anthropic': {
			const extra = extras.extraUsage;
			return extra?.enabled
				? `extra usage: ${money(extra.usedCents, extra.currency)} of ${money(extra.monthlyLimitCents, extra.currency)} this month`
				: undefined;
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
			const parts = [
				extras.plan ? `plan ${extras.plan}` : undefined,
				...extras.notMetered.map(label => `${label}: not metered`),
				extras.overage?.count
					? `${extras.overage.count} overage requests`
					: undefined,
			].filter(Boolean);
			return parts.length > 0 ? parts.join(' · ') : undefined;
		}
	}
};

/** One credential's usage: a bar per window, the pace, and the age of stale data. */
export const UsageLines = ({
	usage,
	showLeft,
	now,
}: {
	usage: UsagePollState | undefined;
	showLeft: boolean;
	now: number;
}) => {
	if (!usage || (!usage.snapshot && !usage.lastError && !usage.unavailable)) {
		return <Text color={theme.muted}>usage: loading…</Text>;
	}

	if (usage.unavailable) {
		return (
			<Text color={theme.muted}>usage: {printable(usage.unavailable)}</Text>
		);
	}

	const {snapshot, lastError} = usage;
	const {ageMs, stale} = usageFreshness(usage, now);
	// Plan names and credits are the provider's words (printable.ts).
	const extras = snapshot ? extrasText(snapshot.extras) : undefined;
	return (
		<Box flexDirection="column">
			{snapshot?.windows.map(window => (
				<WindowLine
					key={window.label}
					window={window}
					runOut={runOutFromHistory(usage.history, window.label)}
					showLeft={showLeft}
					now={now}
				/>
			))}
			{snapshot && snapshot.windows.length === 0 ? (
				<Text color={theme.muted}>usage: no metered windows</Text>
			) : null}
			{extras ? <Text color={theme.muted}>{printable(extras)}</Text> : null}
			{stale && ageMs !== undefined ? (
				<Text color={theme.warning}>
					usage is {formatDuration(ageMs)} old
					{lastError
						? ` — last fetch failed: ${printable(lastError.message)}`
						: ''}
				</Text>
			) : null}
			{!snapshot && lastError ? (
				<Text color={theme.error}>usage: {printable(lastError.message)}</Text>
			) : null}
		</Box>
	);
};
