import type {CredentialView} from '../../credentials/view.js';
import {activityKey} from '../../engine/panel-runtime.js';
import type {RefreshActivity} from '../../engine/scheduler.js';
import {type UsagePollState, usageFreshness} from '../../usage/poller.js';
import {usageKeyOf} from '../../usage/targets.js';

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
How long until a duration on screen changes its text. format.ts shows seconds under an hour
("4m 10s") and minutes above ("7h 53m", "3d 7h"), so a countdown or an age under an hour changes
every second and a longer one at its next minute. A negative duration reads "0s" and never changes.
*/
const changesIn = (durationMs: number, growing: boolean): number => {
	if (durationMs < 0) return Number.POSITIVE_INFINITY;
	const step = durationMs < HOUR ? SECOND : MINUTE;
	const into = durationMs % step;
	return growing ? step - into : into + 1;
};

/**
When the panel must draw again to keep what it shows true: the soonest change of any countdown
(expiry, window resets) or age (last refresh, stale usage) on screen, and never later than a
minute. An idle panel whose numbers are all hours away then redraws once a minute instead of once
a second (bench: idle CPU is mostly those redraws).
*/
export const nextRepaintIn = (
	now: number,
	views: readonly CredentialView[],
	activity: Readonly<Record<string, RefreshActivity>>,
	usage: Readonly<Record<string, UsagePollState>>,
): number => {
	let soonest = MINUTE;
	const countdown = (at: number) => {
		soonest = Math.min(soonest, changesIn(at - now, false));
	};

	const age = (since: number) => {
		soonest = Math.min(soonest, changesIn(now - since, true));
	};

	for (const view of views) {
		if (view.expires !== null && Number.isFinite(view.expires)) {
			countdown(view.expires);
			// The badge turns "expiring" 5 minutes before: that moment is a change too.
			countdown(view.expires - 5 * MINUTE);
		}

		const lastRefreshAt = activity[activityKey(view)]?.lastRefreshAt;
		if (lastRefreshAt !== undefined) age(lastRefreshAt);
		const state = usage[usageKeyOf(view)];
		const snapshot = state?.snapshot;
		if (state && snapshot) {
			// The age of usage data is shown only once it is stale.
			if (usageFreshness(state, now).stale) age(snapshot.fetchedAt);
			for (const window of snapshot.windows) {
				if (window.resetsAt !== null) countdown(window.resetsAt);
			}
		}
	}

	return Math.max(SECOND / 4, soonest);
};
