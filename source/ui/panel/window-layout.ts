/*
Where the parts of one usage window go on a terminal of a given width (issue 14: a narrow terminal
split "resets in 2h 10m" across lines). Each part is a phrase that is never cut: when the whole
line does not fit, the bar gets narrower so the reset time stays beside it, then the sparkline goes
(decoration), and what still does not fit starts a line of its own, under the bar.
*/
import {SEPARATOR, widthOf} from '../flow.js';

/** The label column: "7d-sonnet " (the longest label Anthropic gives, and a space). */
export const LABEL_WIDTH = 10;
export const BAR_WIDTH = 20;
/** A bar narrower than this no longer reads as a proportion: the reset moves down instead. */
const MIN_BAR_WIDTH = 10;

export type WindowParts = {
	/** " 42% used": the percentage and what it counts, after the bar. */
	percent: string;
	/** "resets in 2h 10m (15:20)" or "no reset time given". */
	reset: string;
	/** The history's trend, "▁▂▄▆": dropped first when space runs out. */
	sparkline?: string;
	/** "+8% today" (weekly windows). */
	today?: string;
	/** "at this pace runs out at 15:20". */
	pace?: string;
};

export type Phrase = {kind: 'reset' | 'history' | 'pace'; text: string};

export type WindowLayout = {
	barWidth: number;
	/** The phrases after the bar on its line. */
	first: Phrase[];
	/** Further lines, each indented by `indent`. */
	rest: Array<{indent: number; phrases: Phrase[]}>;
};

const lineWidth = (phrases: readonly Phrase[]) =>
	phrases.reduce(
		(sum, phrase, index) =>
			sum + (index > 0 ? widthOf(SEPARATOR) : 0) + widthOf(phrase.text),
		0,
	);

/** Lays one window out in `width` columns (see the top of this file). */
export const layoutWindow = (
	parts: WindowParts,
	width: number,
): WindowLayout => {
	const percent = widthOf(parts.percent);
	const reset: Phrase = {kind: 'reset', text: parts.reset};
	const head = (bar: number) => LABEL_WIDTH + bar + percent;
	// The widest bar that leaves room for the reset phrase beside it.
	let beside: number | undefined;
	for (let bar = BAR_WIDTH; bar >= MIN_BAR_WIDTH; bar--) {
		if (head(bar) + widthOf(SEPARATOR) + widthOf(reset.text) <= width) {
			beside = bar;
			break;
		}
	}

	// Without one, the reset goes below and the bar takes what the line has.
	const barWidth =
		beside ??
		Math.max(MIN_BAR_WIDTH, Math.min(BAR_WIDTH, width - LABEL_WIDTH - percent));
	const first: Phrase[] = [];
	const lines: Phrase[][] = [];
	let current = first;
	// The room on the current line: after the head on the first, after the indent below.
	let room = width - head(barWidth) - widthOf(SEPARATOR);
	const newLine = () => {
		current = [];
		lines.push(current);
		room = width - LABEL_WIDTH;
	};

	const fits = (phrase: Phrase) =>
		(current.length > 0 ? lineWidth(current) + widthOf(SEPARATOR) : 0) +
			widthOf(phrase.text) <=
		room;

	if (beside === undefined) newLine();
	current.push(reset);
	const {sparkline, today, pace} = parts;
	const full = [sparkline, today].filter(Boolean).join(' ');
	if (full) {
		const history: Phrase = {kind: 'history', text: full};
		const todayOnly: Phrase | undefined = today
			? {kind: 'history', text: today}
			: undefined;
		if (fits(history)) current.push(history);
		else if (todayOnly && fits(todayOnly)) current.push(todayOnly);
		else if (todayOnly) {
			// The sparkline alone is not worth a line; today's use is.
			newLine();
			current.push(fits(history) ? history : todayOnly);
		}
	}

	if (pace) {
		const phrase: Phrase = {kind: 'pace', text: pace};
		if (current.length > 0 && !fits(phrase)) newLine();
		current.push(phrase);
	}

	return {
		barWidth,
		first,
		rest: lines.map(phrases => ({
			// Under the bar when there is room; from the left edge when there is not.
			indent: lineWidth(phrases) + LABEL_WIDTH <= width ? LABEL_WIDTH : 0,
			phrases,
		})),
	};
};

/** Lines the window takes (the first, and those below it). */
export const windowHeight = (layout: WindowLayout) => 1 + layout.rest.length;
