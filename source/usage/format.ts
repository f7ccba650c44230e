import {formatDuration} from '../format.js';
import type {UsageReport, UsageWindow} from './types.js';

/** Whole percent; below 1 % one decimal, so a little use does not read as none. */
export const formatPercent = (value: number): string =>
	value > 0 && value < 1 ? `${value.toFixed(1)}%` : `${Math.round(value)}%`;

/** "5h 42% (resets in 2h 10m)". */
export const formatUsageWindow = (window: UsageWindow, now: number): string => {
	const head = `${window.label} ${formatPercent(window.usedPercent)}`;
	if (window.resetsAt === null) return head;
	return window.resetsAt > now
		? `${head} (resets in ${formatDuration(window.resetsAt - now)})`
		: `${head} (reset due)`;
};

/** The windows of a report on one line, with quotas that are not metered named as such. */
export const formatUsageReport = (report: UsageReport, now: number): string => {
	const parts = report.windows.map(window => formatUsageWindow(window, now));
	if (report.extras.provider === 'github-copilot') {
		for (const label of report.extras.notMetered) {
			parts.push(`${label} not metered`);
		}
	}

	return parts.length > 0 ? parts.join(' · ') : 'no usage windows reported';
};
