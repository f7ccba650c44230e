import type {AuthData} from '../credentials/auth-file.js';
import type {CredentialView} from '../credentials/view.js';
import type {ProfilesData} from '../profiles/profile-file.js';
import {resolveTarget, targetLabel} from '../profiles/targets.js';
import {listAll} from '../profiles/view.js';
import {formatExpiry} from '../format.js';
import type {CachedUsage} from '../usage/collect.js';
import {type CommandContext, writeJson, writeLine} from './io.js';

export type StatusOptions = {
	check: boolean;
	/** Only these (provider ids or `<provider>:<profile>`); none: everything. */
	targets?: readonly string[];
	/** Fetch subscription usage too (docs/contract.md: one-shot status fetches it only on request). */
	usage?: boolean;
	/** `--line`: one line for a prompt or a status bar (status-line.ts). */
	line?: boolean;
	/** `--max-age`: fetch usage older than this first (ms); without it the cache is read as it is. */
	maxAgeMs?: number;
	/** `--format`: the line's template. */
	format?: string;
	/** `--usage-over N` (with --check): exit 3 when a window is at or above N % used. */
	usageOverPercent?: number;
};

/** The `status --json` entry (docs/contract.md). Tokens never appear here. */
export const statusEntry = (view: CredentialView, now: number) => ({
	id: view.provider.id,
	name: view.provider.name,
	type: view.type,
	source: view.source,
	state: view.state,
	expires: view.expires,
	expiresIn:
		view.expires === null ? null : Math.floor((view.expires - now) / 1000),
	...(view.account ? {account: view.account} : {}),
	...(view.profile ? {profile: view.profile} : {}),
	active: view.active,
	...(view.replaced ? {replaced: view.replaced} : {}),
	...(view.variable ? {variable: view.variable} : {}),
	...(view.reason ? {reason: view.reason} : {}),
	managed: view.managed,
	...(view.keyKind ? {keyKind: view.keyKind} : {}),
});

/** `status <target…>`: the named entries and profiles only (a provider id: its entry). */
export const selectTargets = (
	views: readonly CredentialView[],
	targets: readonly string[],
	data: AuthData,
	profiles: ProfilesData,
): CredentialView[] => {
	if (targets.length === 0) return [...views];
	const keys = new Set(
		targets.map(text => {
			const target = resolveTarget(text, data, profiles);
			return target.kind === 'profile' ? targetLabel(target) : target.id;
		}),
	);
	return views.filter(
		view => keys.has(view.key) || (view.active && keys.has(view.provider.id)),
	);
};

/** docs/contract.md: 1 for any expired / needs-login / none stored, else 2 for any expiring, else 0. */
export const checkExitCode = (views: readonly CredentialView[]): number => {
	if (
		views.length === 0 ||
		views.some(view => view.state === 'expired' || view.state === 'needs-login')
	) {
		return 1;
	}

	return views.some(view => view.state === 'expiring') ? 2 : 0;
};

const nextStep = (view: CredentialView): string => {
	const id = view.provider.id;
	if (!view.managed) {
		// pi-auth cannot sign in to this id: pi's own login is the way to mend it.
		return view.state === 'valid'
			? ''
			: ` — pi-auth cannot sign in to ${id}: pi auth login ${id}`;
	}

	switch (view.state) {
		case 'needs-login':
			return view.reason === 'invalid-entry'
				? ` — the stored entry is not a credential (${view.problem ?? 'unreadable'}); run: pi-auth login ${id}`
				: ` — sign in again: pi-auth login ${id}`;
		case 'expired':
		case 'expiring':
			return view.credential?.type === 'oauth' && view.credential.refresh
				? ` — refresh: pi-auth refresh ${id}`
				: ` — sign in again: pi-auth login ${id}`;
		case 'valid':
			return '';
	}
};

/** `Anthropic (Claude Pro/Max)`, with `· work` when the provider has several profiles. */
const nameOf = (view: CredentialView, many: boolean) =>
	many && view.profile
		? `${view.provider.name} · ${view.profile}${view.active ? ' (active)' : ''}`
		: view.provider.name;

/** What the person should know about an entry that is not the profile on record. */
const replacedNote = (view: CredentialView) =>
	view.replaced
		? ` — signed in by another program; profile ${view.replaced.profile}${view.replaced.account ? ` (${view.replaced.account})` : ''} is no longer stored`
		: '';

const describe = (
	view: CredentialView,
	now: number,
	many: boolean,
): string[] => {
	const source =
		view.source === 'env' ? `env ${view.variable ?? ''}`.trim() : 'file';
	const kind =
		view.reason === 'invalid-entry'
			? 'unreadable entry'
			: view.type === 'api_key'
				? `API key${view.keyKind && view.keyKind !== 'literal' ? ` (${view.keyKind === 'command' ? 'from a command' : 'from the environment'})` : ''}`
				: view.provider.signInGivesApiKey
					? 'API key (from sign-in)'
					: 'OAuth';
	const expiry =
		view.expires === null ? '' : `, ${formatExpiry(view.expires, now)}`;
	const state = view.state === 'needs-login' ? 'needs login' : view.state;
	return [
		nameOf(view, many),
		`${kind} · ${source}${view.account ? ` · ${view.account}` : ''}`,
		`${state}${expiry}${nextStep(view)}${replacedNote(view)}`,
	];
};

const writeText = (
	context: CommandContext,
	file: string,
	views: readonly CredentialView[],
	now: number,
	usage: readonly CachedUsage[] | undefined,
	usageLine: ((usage: CachedUsage, now: number) => string) | undefined,
) => {
	const {stdout} = context;
	writeLine(stdout, `Credentials in ${file}`);
	if (views.length === 0) {
		writeLine(stdout, 'No credentials yet. Sign in with: pi-auth login');
		return;
	}

	// Profile names appear once a provider has more than one credential listed.
	const counts = new Map<string, number>();
	for (const view of views) {
		counts.set(view.provider.id, (counts.get(view.provider.id) ?? 0) + 1);
	}

	const rows = views.map(view =>
		describe(view, now, (counts.get(view.provider.id) ?? 0) > 1),
	);
	const widths = [0, 1].map(column =>
		Math.max(...rows.map(row => row[column]?.length ?? 0)),
	);
	for (const [index, row] of rows.entries()) {
		const [name = '', kind = '', state = ''] = row;
		writeLine(
			stdout,
			`  ${name.padEnd(widths[0] ?? 0)}  ${kind.padEnd(widths[1] ?? 0)}  ${state}`,
		);
		const collected = usage?.[index];
		if (collected && usageLine) {
			writeLine(stdout, `    usage: ${usageLine(collected, now)}`);
		}
	}
};

/**
Usage through the cache. The module loads only here, so plain status and `token` never pay for it,
and nothing touches the network unless --usage or --max-age asks.
*/
const loadUsage = async (
	context: CommandContext,
	file: string,
	views: readonly CredentialView[],
	maxAgeMs: number | undefined,
	waitForOthers: boolean,
) => {
	const collect = await import('../usage/collect.js');
	const usage = await collect.collectUsage(views, {
		file,
		config: context.config,
		fetch: context.fetch,
		now: context.now,
		...(maxAgeMs === undefined ? {} : {maxAgeMs}),
		waitForOthers,
		...(context.lockWaitMs === undefined ? {} : {waitMs: context.lockWaitMs}),
	});
	return {usage, collect};
};

/** docs/contract.md: exit 3 when some window is at or above N % (a window past its reset is not). */
export const usageOver = (
	usage: readonly CachedUsage[],
	percent: number,
	now: number,
): boolean =>
	usage.some(({entry}) =>
		(entry?.snapshot?.windows ?? []).some(
			window =>
				window.usedPercent >= percent &&
				(window.resetsAt === null || window.resetsAt > now),
		),
	);

/**
One snapshot (no TTY), the check, or the line. Exit 0 whenever the file could be read: usage,
fetched only with --usage (never with --check) or --max-age, does not change the exit code, except
that `--check --usage-over N` adds 3 when 1 and 2 do not apply (docs/contract.md).
*/
export const statusCommand = async (
	context: CommandContext,
	options: StatusOptions,
): Promise<number> => {
	const {check, usage: withUsage = false, maxAgeMs, targets = []} = options;
	const {store} = context;
	await store.getState().reload();
	const {data, error, file, profiles, profilesError} = store.getState();
	if (error) throw error;
	// The credential file still shows, with a line about the profile store.
	if (profilesError) writeLine(context.stderr, profilesError.message);
	const now = context.now();
	const views = selectTargets(
		listAll(data, profiles, context.env, now),
		targets,
		data,
		profiles,
	);
	if (options.line) {
		// What pi uses, unless profiles are named: one account per provider on a status bar.
		const shownOnLine =
			targets.length > 0 ? views : views.filter(view => view.active);
		const [{usage}, line] = await Promise.all([
			loadUsage(context, file, shownOnLine, maxAgeMs, false),
			import('./status-line.js'),
		]);
		writeLine(
			context.stdout,
			line.statusLine(usage, {
				now: context.now(),
				env: context.env,
				color: Boolean(context.stdout.isTTY),
				...(options.format === undefined ? {} : {format: options.format}),
				...(maxAgeMs === undefined ? {} : {maxAgeMs}),
			}),
		);
		return 0;
	}

	const shown =
		withUsage && !check && views.length > 0
			? await loadUsage(context, file, views, maxAgeMs ?? 0, true)
			: undefined;
	if (context.json) {
		writeJson(context.stdout, {
			file,
			providers: views.map((view, index) => {
				const collected = shown?.usage[index];
				return collected
					? {
							...statusEntry(view, now),
							usage: shown.collect.usageJson(collected, now),
						}
					: statusEntry(view, now);
			}),
		});
	} else {
		writeText(
			context,
			file,
			views,
			now,
			shown?.usage,
			shown?.collect.usageLine,
		);
	}

	if (!check) return 0;
	// Inactive profiles count when named: without targets the check is about what pi uses.
	const checked =
		targets.length > 0 ? views : views.filter(view => view.active);
	const code = checkExitCode(checked);
	if (code !== 0 || options.usageOverPercent === undefined) return code;
	const {usage} = await loadUsage(context, file, checked, maxAgeMs, true);
	return usageOver(usage, options.usageOverPercent, context.now()) ? 3 : 0;
};
