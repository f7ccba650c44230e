import {EXPIRING_WITHIN_MS} from '../credentials/credential.js';
import {listCredentials} from '../credentials/view.js';
import {refreshCredential} from '../engine/refresh.js';
import {providerContext} from '../config.js';
import {PiAuthError} from '../errors.js';
import {findProvider} from '../providers/registry.js';
import {resolveStoredId} from '../providers/resolve.js';
import {type CommandContext, writeLine, writeSecret} from './io.js';

export type TokenOptions = {id: string; minValidityMs?: number};

/**
Prints the access token (OAuth) or key (API key) and a newline, nothing else. Refreshes first,
through the single locked refresh path, when less than `minValidityMs` is left. A stored API key
is resolved as pi resolves it (`!command`, `$NAME` templates); an environment key is used as is.
*/
export const tokenCommand = async (
	context: CommandContext,
	{id, minValidityMs = EXPIRING_WITHIN_MS}: TokenOptions,
): Promise<number> => {
	const {store} = context;
	await store.getState().reload();
	const {data, error} = store.getState();
	if (error) throw error;
	resolveStoredId(id, data);
	const view = listCredentials(data, context.env, context.now()).find(
		entry => entry.provider.id === id,
	);
	if (!view?.credential) {
		if (view?.reason === 'invalid-entry') {
			throw new PiAuthError(
				'needs-login',
				`The ${id} entry in ${store.getState().file} is not a credential (${view.problem ?? 'unreadable'}). Sign in again to replace it: pi-auth login ${id}`,
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
		{
			store,
			config: context.config,
			fetch: await context.fetch(),
			now: context.now,
			warn: message => {
				writeLine(context.stderr, message);
			},
		},
		provider,
		{minValidityMs},
	);
	writeSecret(context.stdout, fresh.access);
	return 0;
};
