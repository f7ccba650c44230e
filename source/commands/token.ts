import {
	EXPIRING_WITHIN_MS,
	parseCredential,
} from '../credentials/credential.js';
import {listCredentials} from '../credentials/view.js';
import {refreshCredential} from '../engine/refresh.js';
import {providerContext} from '../config.js';
import {PiAuthError} from '../errors.js';
import {findProvider} from '../providers/registry.js';
import {resolveProvider, resolveStoredId} from '../providers/resolve.js';
import type {Provider} from '../providers/types.js';
import {type CommandContext, writeLine, writeSecret} from './io.js';

export type TokenOptions = {
	/** A provider id, any other stored id, or `<provider>:<profile>`. */
	target: string;
	minValidityMs?: number;
};

/**
Prints the access token (OAuth) or key (API key) and a newline, nothing else. Refreshes first,
through the single locked refresh path, when less than `minValidityMs` is left. A stored API key
is resolved as pi resolves it (`!command`, `$NAME` templates); an environment key is used as is.
*/
export const tokenCommand = async (
	context: CommandContext,
	{target, minValidityMs = EXPIRING_WITHIN_MS}: TokenOptions,
): Promise<number> => {
	const {store} = context;
	await store.getState().reload();
	const {data, error} = store.getState();
	if (error) throw error;
	if (!target.includes(':')) {
		return entryToken(context, resolveStoredId(target, data), minValidityMs);
	}

	const {resolveTarget} = await import('../profiles/targets.js');
	const {profiles, profilesError} = store.getState();
	if (profilesError) throw profilesError;
	const resolved = resolveTarget(target, data, profiles);
	return resolved.kind === 'entry'
		? namedToken(
				context,
				resolveProvider(resolved.id),
				resolved.profile ?? '',
				minValidityMs,
			)
		: namedToken(context, resolved.provider, resolved.name, minValidityMs);
};

/**
A named profile's token (`token anthropic:work`), active or not: printed as read while valid (the
store's snapshot of both files is consistent), else refreshed where the profile is at that moment
(profiles/refresh-profile.ts): never another account's token, and an inactive profile's refresh
never touches the credential file.
*/
const namedToken = async (
	context: CommandContext,
	provider: Provider,
	name: string,
	minValidityMs: number,
): Promise<number> => {
	const {profileKey} = await import('../profiles/names.js');
	const {activeProfileOf} = await import('../profiles/view.js');
	const {data, profiles} = context.store.getState();
	const raw =
		data[provider.id] !== undefined &&
		activeProfileOf(data, profiles, provider.id).name === name
			? data[provider.id]
			: profiles.profiles[profileKey(provider.id, name)];
	const credential = parseCredential(raw);
	if (credential?.type === 'api_key') {
		const {resolveKey} = await import('../credentials/key-value.js');
		writeLine(
			context.stdout,
			await resolveKey(provider.id, credential, context.env),
		);
		return 0;
	}

	if (
		credential?.type === 'oauth' &&
		!credential.needsLogin &&
		credential.expires - context.now() >= minValidityMs
	) {
		writeSecret(context.stdout, credential.access);
		return 0;
	}

	const {refreshNamed} = await import('../profiles/refresh-profile.js');
	const {credential: fresh} = await refreshNamed(
		await refreshDeps(context),
		provider,
		name,
		{minValidityMs},
	);
	writeSecret(context.stdout, fresh.access);
	return 0;
};

const refreshDeps = async (context: CommandContext) => ({
	store: context.store,
	config: context.config,
	fetch: await context.fetch(),
	now: context.now,
	warn(message: string) {
		writeLine(context.stderr, message);
	},
});

/** The provider's entry in the credential file (or its environment credential). */
const entryToken = async (
	context: CommandContext,
	id: string,
	minValidityMs: number,
): Promise<number> => {
	const {data} = context.store.getState();
	const view = listCredentials(data, context.env, context.now()).find(
		entry => entry.provider.id === id,
	);
	if (!view?.credential) {
		if (view?.reason === 'invalid-entry') {
			throw new PiAuthError(
				'needs-login',
				`The ${id} entry in ${context.store.getState().file} is not a credential (${view.problem ?? 'unreadable'}). Sign in again to replace it: pi-auth login ${id}`,
			);
		}

		throw new PiAuthError(
			'not-signed-in',
			`Not signed in to ${findProvider(id)?.name ?? id}. Run: pi-auth login ${id}`,
		);
	}

	const {credential, provider} = view;
	if (credential.type === 'api_key') {
		let {key} = credential;
		if (view.source === 'file') {
			// Loaded only here: `!command` keys are the one path that starts a process.
			const {resolveKey} = await import('../credentials/key-value.js');
			key = await resolveKey(id, credential, context.env);
		}

		writeSecret(context.stdout, key);
		return 0;
	}

	if (view.source === 'env') {
		// An environment GitHub token is exchanged for a Copilot token on every call: the
		// environment is never written, so there is nothing to cache it in.
		if (credential.access) {
			writeSecret(context.stdout, credential.access);
			return 0;
		}

		if (!provider.refresh) throw new PiAuthError('token-expired', 'No token.');
		const deps = {
			config: context.config,
			fetch: await context.fetch(),
			now: context.now,
		};
		const fields = await provider.refresh(
			providerContext(deps, provider, credential.enterpriseUrl),
			credential,
		);
		writeSecret(context.stdout, fields.access);
		return 0;
	}

	if (
		!credential.needsLogin &&
		credential.expires - context.now() >= minValidityMs
	) {
		writeSecret(context.stdout, credential.access);
		return 0;
	}

	if (!view.managed) {
		// pi-auth has no sign-in for this id, so nothing to refresh with: pi refreshes its own.
		throw new PiAuthError(
			'token-expired',
			`The ${id} token ${credential.expires <= context.now() ? 'has expired' : 'expires soon'}, and pi-auth cannot refresh ${id}. pi refreshes it when it uses it: pi auth print-bearer-token --provider ${id}`,
		);
	}

	const {credential: fresh} = await refreshCredential(
		await refreshDeps(context),
		provider,
		{minValidityMs},
	);
	writeSecret(context.stdout, fresh.access);
	return 0;
};
