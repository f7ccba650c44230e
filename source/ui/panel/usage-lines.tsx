import {Box, Text} from 'ink';
import {formatClock, formatDuration} from '../../format.js';
import {printable} from '../../printable.js';
import {extrasText} from '../../usage/describe.js';
import {
	HISTORY_SPAN_MS,
	samplesOf,
	sparkline,
	usedToday,
	windowSpanMs,
} from '../../usage/history.js';
import {runOutFromSamples} from '../../usage/pace.js';
import {type UsagePollState, usageFreshness} from '../../usage/poller.js';
import type {UsageWindow} from '../../usage/types.js';
import {theme} from '../theme.js';

const BAR_WIDTH = 20;

/** docs/usage.md: green under 50 %, yellow under 80 %, red above. */
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

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "15:20" today, "Fri 15:20" within the week (a weekly window's line has room for no more). */
const whenText = (at: number, now: number) =>
	at - now < 6 * 24 * 3_600_000 && at > now
		? formatClock(at, now).replace(
				/^\d{4}-\d{2}-\d{2}/,
				WEEKDAYS[new Date(at).getDay()] ?? '',
			)
		: formatClock(at, now);

const resetText = (resetsAt: number | null, now: number) =>
	resetsAt === null
		? 'no reset time given'
		: `resets in ${formatDuration(resetsAt - now)} (${whenText(resetsAt, now)})`;

/** What the history adds to a window: its sparkline, and for a weekly window the use of today. */
const historyText = (
	window: UsageWindow,
	samples: ReadonlyArray<{at: number; usedPercent: number}>,
	now: number,
) => {
	const line = sparkline(
		samples,
		now,
		windowSpanMs(window.label) ?? HISTORY_SPAN_MS,
	);
	const today = window.label.startsWith('7d')
		? usedToday(samples, now)
		: undefined;
	const parts = [
		line,
		today === undefined ? '' : `+${Math.round(today)}% today`,
	].filter(Boolean);
	return parts.length > 0 ? ` · ${parts.join(' ')}` : '';
};

const WindowLine = ({
	window,
	samples,
	fetchedAt,
	showLeft,
	now,
}: {
	window: UsageWindow;
	samples: ReadonlyArray<{at: number; usedPercent: number}>;
	fetchedAt: number;
	showLeft: boolean;
	now: number;
}) => {
	const percent = showLeft ? 100 - window.usedPercent : window.usedPercent;
	const runOut = runOutFromSamples(
		samples.filter(sample => sample.at <= fetchedAt),
		window.resetsAt,
		windowSpanMs(window.label),
	);
	return (
		<Text>
			<Text color={theme.muted}>{window.label.padEnd(10)}</Text>
			<Bar usedPercent={window.usedPercent} />
			<Text>
				{' '}
				{`${percent.toFixed(0)}%`.padStart(4)} {showLeft ? 'left' : 'used'}
			</Text>
			<Text color={theme.muted}>
				{' '}
				· {resetText(window.resetsAt, now)}
				{historyText(window, samples, now)}
			</Text>
			{runOut === undefined ? null : (
				<Text color={theme.warning}>
					{' '}
					· at this pace runs out at {formatClock(runOut, now)}
				</Text>
			)}
		</Text>
	);
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
	const extras = snapshot ? extrasText(snapshot.extras) : undefined;
	return (
		<Box flexDirection="column">
			{snapshot?.windows.map(window => (
				<WindowLine
					key={window.label}
					window={window}
					samples={samplesOf(usage.history[window.label], {
						at: snapshot.fetchedAt,
						usedPercent: window.usedPercent,
					})}
					fetchedAt={snapshot.fetchedAt}
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
