/*
Usage history, kept in the usage cache (cache-file.ts) for the panel's sparklines, "used today"
and the pace reading: per credential and window label, points of (time, % used), at most one per
5 minutes and none older than 8 days (issue 13). The whole cache is bounded as well (cache-data.ts).
*/
import type {UsageSnapshot} from './types.js';

/** Unix seconds and the % used then (one decimal). */
export type HistoryPoint = [at: number, usedPercent: number];
/** Oldest first, per window label. */
export type History = Record<string, HistoryPoint[]>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const HISTORY_STEP_MS = 5 * MINUTE;
export const HISTORY_SPAN_MS = 8 * DAY;
/** Windows kept per credential: Anthropic sends up to four, Copilot three; room for new ones. */
export const HISTORY_LABELS = 8;

const seconds = (ms: number) => Math.floor(ms / 1000);
export const pointMs = (point: HistoryPoint) => point[0] * 1000;

/**
A label's points without those older than the span. Points are kept in order a step apart (see
addSnapshot; cache-read.ts restores that for a file written by someone else), so only the oldest
can have expired: a series that loses none is returned as it is, unchanged and uncopied.
*/
const pruned = (points: HistoryPoint[], now: number): HistoryPoint[] => {
	let first = 0;
	while (
		first < points.length &&
		now - pointMs(points[first]!) > HISTORY_SPAN_MS
	) {
		first++;
	}

	// Points from the future (a clock that was wrong) would hold new ones back: dropped.
	let end = points.length;
	while (end > first && pointMs(points[end - 1]!) > now + HOUR) end--;
	return first === 0 && end === points.length
		? points
		: points.slice(first, end);
};

/** Points sorted, a step apart, none in the future (history read from a file). */
export const orderedPoints = (
	points: readonly HistoryPoint[],
): HistoryPoint[] => {
	const kept: HistoryPoint[] = [];
	for (const point of [...points].sort((a, b) => a[0] - b[0])) {
		const last = kept.at(-1);
		if (!last || pointMs(point) - pointMs(last) >= HISTORY_STEP_MS) {
			kept.push(point);
		}
	}

	return kept;
};

/** The history with a snapshot's windows added (where the last point is a step old) and pruned. */
export const addSnapshot = (
	history: History,
	snapshot: UsageSnapshot,
): History => {
	const now = snapshot.fetchedAt;
	const next: History = {};
	for (const [label, points] of Object.entries(history)) {
		const kept = pruned(points, now);
		if (kept.length > 0) next[label] = kept;
	}

	for (const window of snapshot.windows) {
		const points = next[window.label] ?? [];
		const last = points.at(-1);
		// At most one point per step; a clock that went back adds none until it has caught up.
		if (last && now - pointMs(last) < HISTORY_STEP_MS) continue;
		next[window.label] = [
			...points,
			[seconds(now), Math.round(window.usedPercent * 10) / 10],
		];
	}

	// A provider that keeps inventing labels cannot grow the entry: the freshest windows stay.
	const labels = Object.keys(next);
	if (labels.length > HISTORY_LABELS) {
		labels
			.sort((a, b) => (next[b]?.at(-1)?.[0] ?? 0) - (next[a]?.at(-1)?.[0] ?? 0))
			.slice(HISTORY_LABELS)
			.forEach(label => {
				delete next[label];
			});
	}

	return next;
};

/** Points of one label as epoch ms, oldest first, with the live value appended when newer. */
export const samplesOf = (
	points: readonly HistoryPoint[] | undefined,
	latest?: {at: number; usedPercent: number},
): Array<{at: number; usedPercent: number}> => {
	const samples = (points ?? []).map(point => ({
		at: pointMs(point),
		usedPercent: point[1],
	}));
	if (latest && (samples.at(-1)?.at ?? -Infinity) < latest.at) {
		samples.push(latest);
	}

	return samples;
};

const BLOCKS = '▁▂▃▄▅▆▇█';

/**
A sparkline of `cells` characters over the `spanMs` before `now`: each cell the highest % used seen
in its stretch, ▁ for little to █ for the limit, a space where nothing was seen. Empty until two
cells have samples (one moment is no trend).
*/
export const sparkline = (
	samples: ReadonlyArray<{at: number; usedPercent: number}>,
	now: number,
	spanMs: number,
	cells = 8,
): string => {
	const start = now - spanMs;
	const inSpan = samples.filter(
		sample => sample.at > start && sample.at <= now,
	);
	const highest: Array<number | undefined> = Array.from({length: cells});
	for (const {at, usedPercent} of inSpan) {
		const cell = Math.min(
			cells - 1,
			Math.floor(((at - start) / spanMs) * cells),
		);
		highest[cell] = Math.max(highest[cell] ?? 0, usedPercent);
	}

	// Samples in one cell only are a moment, not a trend.
	if (highest.filter(value => value !== undefined).length < 2) return '';
	return highest
		.map(value =>
			value === undefined
				? ' '
				: BLOCKS[
						Math.min(
							BLOCKS.length - 1,
							Math.floor(
								(Math.min(100, Math.max(0, value)) / 100) * BLOCKS.length,
							),
						)
					],
		)
		.join('');
};

/** Local midnight that starts the day `now` is in (the process's time zone). */
export const startOfLocalDay = (now: number): number => {
	const date = new Date(now);
	date.setHours(0, 0, 0, 0);
	return date.getTime();
};

/**
How many points of the window were used since local midnight: every rise between consecutive
samples counts, a fall is a reset and counts nothing (what was used before it was still used).
The last sample before midnight is the starting point: without one (history that starts today)
the day is not known whole, and the answer is undefined rather than a part of it.
*/
export const usedToday = (
	samples: ReadonlyArray<{at: number; usedPercent: number}>,
	now: number,
): number | undefined => {
	const midnight = startOfLocalDay(now);
	const before = samples.filter(sample => sample.at <= midnight).at(-1);
	const today = samples.filter(
		sample => sample.at > midnight && sample.at <= now,
	);
	if (!before || today.length === 0) return undefined;
	const series = [before, ...today];
	let used = 0;
	for (let index = 1; index < series.length; index++) {
		const rise =
			(series[index]?.usedPercent ?? 0) - (series[index - 1]?.usedPercent ?? 0);
		if (rise > 0) used += rise;
	}

	return used;
};

/** How long a window labelled so lasts, when the label says (`5h`, `7d…`, Codex `<n>h`). */
export const windowSpanMs = (label: string): number | undefined => {
	if (label === '5h') return 5 * HOUR;
	if (label === '7d' || label.startsWith('7d-')) return 7 * DAY;
	const hours = /^(\d+(?:\.\d+)?)h$/.exec(label)?.[1];
	return hours === undefined ? undefined : Number(hours) * HOUR;
};
