/*
When the live panel speaks up (issue 13): a usage window crossing 80 % and 95 %, a window that
resets after being exhausted, a credential that needs a new sign-in. Each is an event: said once
when it happens, never again on a redraw or a refetch of the same numbers, and never for what was
already so when the panel first saw it (that is on screen). A reset re-arms a window's thresholds.
*/
import type {CredentialState} from '../credentials/credential.js';
import type {UsageWindow} from './types.js';

export type Alert = {
	/** Short, for the notification's title. */
	title: string;
	body: string;
};

/** 0 below 80 %, 1 from 80 %, 2 from 95 %, 3 exhausted (100 % or more). */
const levelOf = (used: number) =>
	used >= 100 ? 3 : used >= 95 ? 2 : used >= 80 ? 1 : 0;

const percent = (used: number) => `${Math.round(used)} %`;

export const createAlerts = () => {
	const levels = new Map<string, number>();
	const states = new Map<string, CredentialState>();

	return {
		/** The windows of a new snapshot of credential `key` (named `name` in the alerts). */
		usage(
			key: string,
			name: string,
			windows: readonly UsageWindow[],
			describeReset: (resetsAt: number) => string,
		): Alert[] {
			const alerts: Alert[] = [];
			for (const window of windows) {
				const id = `${key}\u0000${window.label}`;
				const level = levelOf(window.usedPercent);
				const before = levels.get(id);
				levels.set(id, level);
				if (before === undefined || level === before) continue;
				const resets =
					window.resetsAt === null
						? ''
						: ` (resets ${describeReset(window.resetsAt)})`;
				// 80 and 95 are each said once; a jump past both says the higher one.
				const crossed =
					level > before && (before < 1 || (before < 2 && level >= 2));
				if (crossed) {
					alerts.push({
						title: `${name}: ${window.label} at ${percent(window.usedPercent)}`,
						body: `The ${window.label} window of ${name} is ${percent(window.usedPercent)} used${resets}.`,
					});
				} else if (level < before && before === 3) {
					alerts.push({
						title: `${name}: ${window.label} has reset`,
						body: `The ${window.label} window of ${name} has reset: ${percent(window.usedPercent)} used.`,
					});
				}
			}

			return alerts;
		},
		/** A credential's state as the panel lists it: needs-login is news once. */
		credential(
			key: string,
			name: string,
			state: CredentialState,
			login: string,
		): Alert[] {
			const before = states.get(key);
			states.set(key, state);
			return before !== undefined &&
				before !== 'needs-login' &&
				state === 'needs-login'
				? [
						{
							title: `${name} needs a new sign-in`,
							body: `${name} refused its stored token. Sign in again: ${login}`,
						},
					]
				: [];
		},
	};
};

export type Alerts = ReturnType<typeof createAlerts>;
