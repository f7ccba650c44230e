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
import {SEPARATOR, flowPhrases, linesOf} from '../flow.js';
import {theme} from '../theme.js';
import {
	LABEL_WIDTH,
	type Phrase,
	type WindowLayout,
	type WindowParts,
	layoutWindow,
	windowHeight,
} from './window-layout.js';

/** docs/usage.md: green under 50 %, yellow under 80 %, red above. */
const colourOf = (usedPercent: number) =>
	usedPercent < 50
		? theme.success
		: usedPercent < 80
			? theme.warning
			: theme.error;

/** Filled as far as the number beside it says (used, or left after `u`); coloured by what is used. */
const Bar = ({
	usedPercent,
	showLeft,
	width,
}: {
	usedPercent: number;
	showLeft: boolean;
	width: number;
}) => {
	const used = Math.min(100, Math.max(0, usedPercent));
	const filled = Math.round(((showLeft ? 100 - used : used) / 100) * width);
	return (
		<Text>
			<Text color={colourOf(usedPercent)}>{'█'.repeat(filled)}</Text>
			<Text color={theme.muted}>{'░'.repeat(width - filled)}</Text>
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
const historyParts = (
	window: UsageWindow,
	samples: ReadonlyArray<{at: number; usedPercent: number}>,
	now: number,
): Pick<WindowParts, 'sparkline' | 'today'> => {
	const line = sparkline(
		samples,
		now,
		windowSpanMs(window.label) ?? HISTORY_SPAN_MS,
	);
	const today = window.label.startsWith('7d')
		? usedToday(samples, now)
		: undefined;
	return {
		...(line ? {sparkline: line} : {}),
		...(today === undefined ? {} : {today: `+${Math.round(today)}% today`}),
	};
};

type Samples = ReadonlyArray<{at: number; usedPercent: number}>;

/** Everything one window's line says, as phrases to lay out (window-layout.ts). */
const partsOf = (
	window: UsageWindow,
	samples: Samples,
	fetchedAt: number,
	showLeft: boolean,
	now: number,
): WindowParts => {
	const percent = showLeft ? 100 - window.usedPercent : window.usedPercent;
	const runOut = runOutFromSamples(
		samples.filter(sample => sample.at <= fetchedAt),
		window.resetsAt,
		windowSpanMs(window.label),
	);
	return {
		percent: ` ${`${percent.toFixed(0)}%`.padStart(4)} ${showLeft ? 'left' : 'used'}`,
		reset: resetText(window.resetsAt, now),
		...historyParts(window, samples, now),
		...(runOut === undefined
			? {}
			: {pace: `at this pace runs out at ${formatClock(runOut, now)}`}),
	};
};

const colourOfPhrase = (phrase: Phrase) =>
	phrase.kind === 'pace' ? theme.warning : theme.muted;

const Phrases = ({phrases, lead}: {phrases: Phrase[]; lead: boolean}) => (
	<>
		{phrases.map((phrase, index) => (
			<Text key={phrase.kind} color={colourOfPhrase(phrase)}>
				{lead || index > 0 ? SEPARATOR : ''}
				{phrase.text}
			</Text>
		))}
	</>
);

/** One window: label, bar, percentage and the phrases beside it, then any lines below. */
const WindowLines = ({
	window,
	layout,
	percent,
	showLeft,
}: {
	window: UsageWindow;
	layout: WindowLayout;
	percent: string;
	showLeft: boolean;
}) => (
	<>
		<Text>
			<Text color={theme.muted}>{window.label.padEnd(LABEL_WIDTH)}</Text>
			<Bar
				usedPercent={window.usedPercent}
				showLeft={showLeft}
				width={layout.barWidth}
			/>
			<Text>{percent}</Text>
			<Phrases lead phrases={layout.first} />
		</Text>
		{layout.rest.map(line => (
			<Text key={line.phrases.map(phrase => phrase.kind).join()}>
				{' '.repeat(line.indent)}
				<Phrases lead={false} phrases={line.phrases} />
			</Text>
		))}
	</>
);

/** Each window's parts and layout, and the lines below them: what UsageLines draws and counts. */
const planUsage = (
	usage: UsagePollState,
	width: number,
	showLeft: boolean,
	now: number,
) => {
	const {snapshot, lastError} = usage;
	const {ageMs, stale} = usageFreshness(usage, now);
	const windows = (snapshot?.windows ?? []).map(window => {
		const parts = partsOf(
			window,
			samplesOf(usage.history[window.label], {
				at: snapshot?.fetchedAt ?? now,
				usedPercent: window.usedPercent,
			}),
			snapshot?.fetchedAt ?? now,
			showLeft,
			now,
		);
		return {window, parts, layout: layoutWindow(parts, width)};
	});
	const extras = snapshot ? extrasText(snapshot.extras) : undefined;
	const notes: Array<{text: string; color: string}> = [];
	if (snapshot && snapshot.windows.length === 0) {
		notes.push({text: 'usage: no metered windows', color: theme.muted});
	}

	const extraLines = extras
		? flowPhrases(printable(extras).split(SEPARATOR), width)
		: [];
	if (stale && ageMs !== undefined) {
		notes.push({
			text: `usage is ${formatDuration(ageMs)} old${lastError ? ` — last fetch failed: ${printable(lastError.message)}` : ''}`,
			color: theme.warning,
		});
	}

	if (!snapshot && lastError) {
		notes.push({
			text: `usage: ${printable(lastError.message)}`,
			color: theme.error,
		});
	}

	// The r key's answer is on its way: said until it (or its failure) arrives (issue 14).
	if (usage.requested) {
		notes.push({text: 'fetching usage…', color: theme.accent});
	}

	return {windows, extraLines, notes};
};

/** Lines UsageLines takes in `width` columns, for fitting the panel into the terminal. */
export const usageHeight = (
	usage: UsagePollState | undefined,
	width: number,
	showLeft: boolean,
	now: number,
): number => {
	if (!usage || usage.unavailable || (!usage.snapshot && !usage.lastError)) {
		return usage?.requested ? 2 : 1;
	}

	const {windows, extraLines, notes} = planUsage(usage, width, showLeft, now);
	return (
		windows.reduce((sum, {layout}) => sum + windowHeight(layout), 0) +
		extraLines.length +
		notes.reduce((sum, note) => sum + linesOf(note.text, width), 0)
	);
};

/** One credential's usage: a bar per window, the pace, and the age of stale data, in `width` columns. */
export const UsageLines = ({
	usage,
	showLeft,
	now,
	width,
}: {
	usage: UsagePollState | undefined;
	showLeft: boolean;
	now: number;
	width: number;
}) => {
	const fetching = usage?.requested ? (
		<Text color={theme.accent}>fetching usage…</Text>
	) : null;
	if (!usage || (!usage.snapshot && !usage.lastError && !usage.unavailable)) {
		return (
			<Box flexDirection="column">
				<Text color={theme.muted}>usage: loading…</Text>
				{fetching}
			</Box>
		);
	}

	if (usage.unavailable) {
		return (
			<Box flexDirection="column">
				<Text color={theme.muted}>usage: {printable(usage.unavailable)}</Text>
				{fetching}
			</Box>
		);
	}

	const {windows, extraLines, notes} = planUsage(usage, width, showLeft, now);
	return (
		<Box flexDirection="column">
			{windows.map(({window, parts, layout}) => (
				<WindowLines
					key={window.label}
					window={window}
					layout={layout}
					percent={parts.percent}
					showLeft={showLeft}
				/>
			))}
			{extraLines.map(line => (
				<Text key={line.join()} color={theme.muted}>
					{line.join(SEPARATOR)}
				</Text>
			))}
			{notes.map(note => (
				<Text key={note.text} color={note.color}>
					{note.text}
				</Text>
			))}
		</Box>
	);
};
