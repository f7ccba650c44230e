/** One window at one moment: the fields a pace reading needs. */
export type WindowSample = {
	/** When the reading was taken (epoch ms). */
	at: number;
	usedPercent: number;
	resetsAt: number | null;
};

/*
Reset times drift a little between answers (Anthropic sends microseconds, Codex may send
now + reset_after_seconds); a real reset moves them by hours.
*/
const RESET_TOLERANCE_MS = 5 * 60_000;

/** True when the window reset between the two samples, so their difference is no rate. */
export const resetBetween = (
	earlier: WindowSample,
	later: WindowSample,
): boolean => {
	if (earlier.resetsAt === null || later.resetsAt === null) {
		return earlier.resetsAt !== later.resetsAt;
	}

	return (
		earlier.resetsAt <= later.at ||
		Math.abs(later.resetsAt - earlier.resetsAt) > RESET_TOLERANCE_MS
	);
};

/**
"At this rate you run out at 14:20" (docs/usage.md): the time the window reaches 100 % if use
goes on at the rate between two samples. Undefined when use is flat or falling, when the window
reset between the samples, or when the window resets before it would run out.
*/
export const estimateRunOut = (
	earlier: WindowSample,
	later: WindowSample,
): number | undefined => {
	const span = later.at - earlier.at;
	const rise = later.usedPercent - earlier.usedPercent;
	if (span <= 0 || rise <= 0 || resetBetween(earlier, later)) return undefined;
	if (later.usedPercent >= 100) return later.at;
	const runOut = Math.round(
		later.at + ((100 - later.usedPercent) * span) / rise,
	);
	return later.resetsAt !== null && runOut >= later.resetsAt
		? undefined
		: runOut;
};

const MIN_PACE_SPAN_MS = 15 * 60_000;

/**
The pace of one window over its history (history.ts samples, oldest first, the live reading last):
from the oldest sample of the current window period to the latest one, so a longer span smooths
whole-percent steps. History points carry no reset time: the period starts after the last fall
(a reset) and no earlier than the window's length, where the label tells it.
*/
export const runOutFromSamples = (
	samples: ReadonlyArray<{at: number; usedPercent: number}>,
	resetsAt: number | null,
	spanMs?: number,
): number | undefined => {
	const latest = samples.at(-1);
	if (!latest) return undefined;
	let oldest: {at: number; usedPercent: number} | undefined;
	let next = latest;
	for (let index = samples.length - 2; index >= 0; index--) {
		const sample = samples[index];
		if (
			!sample ||
			sample.usedPercent > next.usedPercent ||
			(spanMs !== undefined && latest.at - sample.at >= spanMs) ||
			(resetsAt !== null &&
				spanMs !== undefined &&
				sample.at <= resetsAt - spanMs)
		) {
			break;
		}

		oldest = sample;
		next = sample;
	}

	// Readings minutes apart make no rate: a jump between them would read as a sprint.
	return oldest && latest.at - oldest.at >= MIN_PACE_SPAN_MS
		? estimateRunOut({...oldest, resetsAt}, {...latest, resetsAt})
		: undefined;
};
