import type {Config} from '../config.js';
import type {CredentialView} from '../credentials/view.js';
import {isPiAuthError} from '../errors.js';
import type {Fetch} from '../oauth/http.js';
import {formatUsageReport} from './format.js';
import {fetchUsage} from './registry.js';
import type {UsageReport, UsageWindow} from './types.js';

/** The `usage` member of a `status --json` entry, exactly as cli-contract.md shows it. */
export type UsageJson = {
	windows: UsageWindow[];
	fetchedAt: number;
	error?: string;
};

export type CollectedUsage = {
	json: UsageJson;
	/** The parsed report when the fetch worked (the text snapshot names unmetered quotas). */
	report?: UsageReport;
};

export type CollectInput = {
	config: Config;
	fetch: Fetch;
	now: () => number;
	timeoutMs?: number;
};

const messageOf = (error: unknown): string =>
	// PiAuthError messages are built to hold no secret; anything else might quote one.
	isPiAuthError(error) ? error.message : 'Fetching usage failed unexpectedly.';

/** One view's usage; never throws, so one provider's failure leaves the others' results. */
export const collectOne = async (
	view: CredentialView,
	input: CollectInput,
): Promise<CollectedUsage> => {
	try {
		const outcome = await fetchUsage({
			provider: view.provider,
			credential: view.credential,
			config: input.config,
			fetch: input.fetch,
			now: input.now,
			...(input.timeoutMs === undefined ? {} : {timeoutMs: input.timeoutMs}),
		});
		if (outcome.status === 'unavailable') {
			return {
				json: {windows: [], fetchedAt: input.now(), error: outcome.reason},
			};
		}

		const {windows, extras, fetchedAt} = outcome.snapshot;
		return {json: {windows, fetchedAt}, report: {windows, extras}};
	} catch (error) {
		return {
			json: {windows: [], fetchedAt: input.now(), error: messageOf(error)},
		};
	}
};

/** Every listed credential's usage, side by side; each request is bounded by the 15 s timeout. */
export const collectUsage = async (
	views: readonly CredentialView[],
	input: CollectInput,
): Promise<CollectedUsage[]> =>
	Promise.all(views.map(async view => collectOne(view, input)));

/** The text snapshot's line for one credential. */
export const usageLine = (usage: CollectedUsage, now: number): string =>
	usage.report
		? formatUsageReport(usage.report, now)
		: (usage.json.error ?? 'no usage windows reported');
