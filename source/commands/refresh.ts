import {parseCredential} from '../credentials/credential.js';
import {
	type RefreshDeps,
	type RefreshOutcome,
	refreshCredential,
} from '../engine/refresh.js';
import {isPiAuthError} from '../errors.js';
import {formatValidUntil} from '../format.js';
import {findProvider, providers} from '../providers/registry.js';
import {resolveProvider} from '../providers/resolve.js';
import type {Provider} from '../providers/types.js';
import {profileKey} from '../profiles/names.js';
import {
	type ResolvedTarget,
	resolveTarget,
	targetLabel,
} from '../profiles/targets.js';
import {profileNames} from '../profiles/lookup.js';
import {type CommandContext, writeJson, writeLine} from './io.js';

export type RefreshCommandOptions = {
	/** Provider ids or `<provider>:<profile>`; none: every OAuth entry and profile. */
	targets: readonly string[];
	force: boolean;
};

/** Every OAuth credential stored: the providers' entries, then their inactive profiles. */
const everyOAuth = (context: CommandContext): ResolvedTarget[] => {
	const {data, profiles} = context.store.getState();
	const entries = Object.keys(data)
		.filter(id => parseCredential(data[id])?.type === 'oauth')
		.flatMap(id => (findProvider(id) ? [{kind: 'entry' as const, id}] : []));
	const inactive = providers.flatMap(provider =>
		profileNames(profiles, provider.id)
			.sort()
			.filter(
				name =>
					parseCredential(profiles.profiles[profileKey(provider.id, name)])
						?.type === 'oauth',
			)
			.map(name => ({kind: 'profile' as const, provider, name})),
	);
	return [...entries, ...inactive];
};

/** A profile, by name or as the active entry named so, goes through the profile store's path. */
const refreshTarget = async (
	deps: RefreshDeps,
	target: ResolvedTarget,
	force: boolean,
): Promise<RefreshOutcome> => {
	const named = async (provider: Provider, name: string) => {
		const {refreshNamed} = await import('../profiles/refresh-profile.js');
		return refreshNamed(deps, provider, name, {force});
	};

	if (target.kind === 'profile') return named(target.provider, target.name);
	const provider = resolveProvider(target.id);
	return target.profile === undefined
		? refreshCredential(deps, provider, {force})
		: named(provider, target.profile);
};

/** One attempt per entry (15 s timeout); retrying with backoff is the live panel's job. */
export const refreshCommand = async (
	context: CommandContext,
	options: RefreshCommandOptions,
): Promise<number> => {
	const {store} = context;
	await store.getState().reload();
	const {data, error, profiles, profilesError} = store.getState();
	if (error) throw error;
	if (profilesError) throw profilesError;
	const targets =
		options.targets.length > 0
			? options.targets.map(text => {
					// A provider pi-auth cannot sign in to cannot be refreshed: a usage error, as before.
					if (!text.includes(':')) resolveProvider(text);
					return resolveTarget(text, data, profiles);
				})
			: everyOAuth(context);
	const deps = {
		store,
		config: context.config,
		fetch: await context.fetch(),
		now: context.now,
		warn(message: string) {
			writeLine(context.stderr, message);
		},
	};
	const results = [];
	for (const target of targets) {
		// As named: `anthropic:home` stays so when home is the active profile.
		const label = targetLabel(target);
		try {
			const {credential, refreshed} = await refreshTarget(
				deps,
				target,
				options.force,
			);
			results.push({target: label, refreshed, expires: credential.expires});
		} catch (error_) {
			if (!isPiAuthError(error_)) throw error_;
			results.push({target: label, error: error_.message, code: error_.code});
		}
	}

	const failed = results.filter(result => 'error' in result);
	if (context.json) {
		// `provider` as before (the id part), `target` as named (with the profile).
		writeJson(context.stdout, {
			results: results.map(result => ({
				provider: result.target.split(':')[0],
				...result,
			})),
		});
	} else if (results.length === 0) {
		writeLine(context.stderr, 'No OAuth credentials to refresh.');
	} else {
		for (const result of results) {
			if ('error' in result) {
				writeLine(context.stderr, `${result.target}: ${result.error}`);
			} else {
				const what = result.refreshed
					? 'refreshed'
					: 'still valid, not refreshed';
				writeLine(
					context.stderr,
					`${result.target}: ${what}, ${formatValidUntil(result.expires, context.now())}.`,
				);
			}
		}
	}

	return failed.length > 0 ? 1 : 0;
};
