/*
`pi-auth status --line` (docs/contract.md): one line for tmux, starship, a shell prompt or pi's
footer, from the usage cache, e.g.

  claude 5h 42% 7d 17% · codex [expiring] 5h 12% · copilot 31% · xai ok

It runs every few seconds, so it stays plain: no React, no Ink, nothing loaded it does not need
(npm run bench). Colour and escape sequences only for a terminal, never with NO_COLOR.
*/
import type {CredentialView} from '../credentials/view.js';
import type {CachedUsage} from '../usage/collect.js';
import {money} from '../usage/describe.js';
import type {UsageWindow} from '../usage/types.js';

export type LineOptions = {
	now: number;
	env: NodeJS.ProcessEnv;
	/** stdout is a terminal. */
	color: boolean;
	/** A template per window (docs/contract.md `--format`). */
	format?: string;
	/** `--max-age`: what the caller asked to be fresh; older data is marked with its age. */
	maxAgeMs?: number;
};

/**
The names people use for these subscriptions; other ids as they are. A Map: an id from the file
may be "constructor", which a plain object would answer.
*/
const SHORT_NAMES = new Map([
	['anthropic', 'claude'],
	['openai-codex', 'codex'],
	['github-copilot', 'copilot'],
	['openai', 'chatgpt'],
	['kimi-coding', 'kimi'],
]);

const MARKERS: Record<CredentialView['state'], string> = {
	valid: '',
	expiring: '[expiring]',
	expired: '[expired]',
	'needs-login': '[login]',
};

const MINUTE = 60_000;
/** Without --max-age, numbers older than this carry their age. */
const STALE_MS = 10 * MINUTE;

/** "2h10m", "3d4h", "45m", "30s": a duration without spaces, for templates. */
export const compactDuration = (ms: number): string => {
	const seconds = Math.max(0, Math.floor(ms / 1000));
	const days = Math.floor(seconds / 86_400);
	const hours = Math.floor((seconds % 86_400) / 3600);
	const minutes = Math.floor((seconds % 3600) / 60);
	if (days > 0) return `${days}d${hours > 0 ? `${hours}h` : ''}`;
	if (hours > 0) return `${hours}h${minutes > 0 ? `${minutes}m` : ''}`;
	if (minutes > 0) return `${minutes}m`;
	return `${seconds % 60}s`;
};

const percentText = (value: number) => `${Math.round(value)}%`;

type Paint = (text: string, code: string) => string;

const painter = (options: LineOptions): Paint => {
	const {NO_COLOR: noColor} = options.env;
	return options.color && (noColor === undefined || noColor === '')
		? (text, code) => `\u001B[${code}m${text}\u001B[39m`
		: text => text;
};

/** docs/usage.md: green under 50 %, yellow under 80 %, red above. */
const levelColor = (used: number) =>
	used < 50 ? '32' : used < 80 ? '33' : '31';

/** A window still counts when it has not reset since the snapshot. */
const current = (window: UsageWindow, now: number) =>
	window.resetsAt === null || window.resetsAt > now;

/**
The windows a status bar shows: the 5-hour and weekly ones (and Codex's others); a weekly window of
one model only when it is the one about to bind (80 % or more).
*/
const shownWindows = (windows: readonly UsageWindow[]) =>
	windows.filter(
		window => !/^7d-/.test(window.label) || window.usedPercent >= 80,
	);

/**
The name on the line: `claude`, or `claude:work` when the line shows more than one credential of
the provider (profiles named as targets), so two accounts never read the same.
*/
const nameOf = (view: CredentialView, several: ReadonlySet<string>) => {
	const name = SHORT_NAMES.get(view.provider.id) ?? view.provider.id;
	return several.has(view.provider.id) && view.profile
		? `${name}:${view.profile}`
		: name;
};

/** The providers the line shows more than one credential of. */
const repeated = (usage: readonly CachedUsage[]) => {
	const seen = new Set<string>();
	const twice = new Set<string>();
	for (const {view} of usage) {
		if (seen.has(view.provider.id)) twice.add(view.provider.id);
		seen.add(view.provider.id);
	}

	return twice;
};

const credentialText = (
	usage: CachedUsage,
	options: LineOptions,
	paint: Paint,
	several: ReadonlySet<string>,
) => {
	const {view, entry} = usage;
	const name = nameOf(view, several);
	const marker = MARKERS[view.state];
	const parts = [name];
	if (marker)
		parts.push(paint(marker, view.state === 'expiring' ? '33' : '31'));
	const snapshot =
		usage.unavailable === undefined ? entry?.snapshot : undefined;
	if (snapshot) {
		const windows = shownWindows(snapshot.windows);
		// Copilot has one monthly quota: its label (premium or credits) would only repeat the name.
		const bare = view.provider.id === 'github-copilot' && windows.length === 1;
		for (const window of windows) {
			const value = current(window, options.now)
				? paint(percentText(window.usedPercent), levelColor(window.usedPercent))
				: 'reset';
			parts.push(bare ? value : `${window.label} ${value}`);
		}

		const {extras} = snapshot;
		if (
			extras.provider === 'anthropic' &&
			extras.extraUsage?.enabled &&
			extras.extraUsage.usedCents !== null
		) {
			const {usedCents, monthlyLimitCents, currency} = extras.extraUsage;
			parts.push(
				monthlyLimitCents === null
					? `extra ${money(usedCents, currency)}`
					: `extra ${(usedCents / 100).toFixed(2)}/${money(monthlyLimitCents, currency)}`,
			);
		}

		const age = options.now - snapshot.fetchedAt;
		const staleAfter =
			options.maxAgeMs === undefined
				? STALE_MS
				: Math.max(2 * options.maxAgeMs, MINUTE);
		if (age > staleAfter) {
			parts.push(paint(`(${compactDuration(age)} old)`, '2'));
		}
	} else if (usage.unavailable === undefined) {
		// Usage exists for this credential but none is cached yet: unknown, never 0 %.
		parts.push('?');
	} else if (!marker) {
		parts.push(paint('ok', '32'));
	}

	return parts.join(' ');
};

/** `--format`: the template filled in per window (once, with the window fields empty, without one). */
const templateText = (
	usage: CachedUsage,
	options: LineOptions,
	several: ReadonlySet<string>,
): string[] => {
	const {view} = usage;
	const template = options.format ?? '';
	const snapshot =
		usage.unavailable === undefined ? usage.entry?.snapshot : undefined;
	const fill = (window?: UsageWindow) => {
		const live = window && current(window, options.now);
		const fields: Record<string, string> = {
			provider: nameOf(view, several),
			state: view.state,
			label: window?.label ?? '',
			used: live ? percentText(window.usedPercent) : '',
			left: live ? percentText(Math.max(0, 100 - window.usedPercent)) : '',
			resets:
				live && window.resetsAt !== null
					? compactDuration(window.resetsAt - options.now)
					: '',
		};
		return template.replaceAll(/\{(\w+)\}/g, (whole, name: string) =>
			Object.hasOwn(fields, name) ? (fields[name] ?? '') : whole,
		);
	};

	const windows = snapshot?.windows ?? [];
	return windows.length > 0 ? windows.map(fill) : [fill()];
};

export const statusLine = (
	usage: readonly CachedUsage[],
	options: LineOptions,
): string => {
	if (usage.length === 0) return 'no credentials';
	const several = repeated(usage);
	if (options.format !== undefined) {
		// Control characters in a template would reach the terminal as they are: kept out.
		return usage
			.flatMap(item => templateText(item, options, several))
			.join(' · ')
			.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, '');
	}

	const paint = painter(options);
	return usage
		.map(item => credentialText(item, options, paint, several))
		.join(' · ');
};
