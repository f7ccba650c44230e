import {EXPIRING_WITHIN_MS} from '../credentials/credential.js';
import {listCredentials} from '../credentials/view.js';
import {needsLoginError, refreshCredential} from '../engine/refresh.js';
import {providerContext} from '../config.js';
import {PiAuthError} from '../errors.js';
import type {Provider} from '../providers/types.js';
import {type CommandContext, writeSecret} from './io.js';

export type TokenOptions = {provider: Provider; minValidityMs?: number};

/**
Prints the access token (OAuth) or key (API key) and a newline, nothing else. Refreshes first,
through the single locked path, when less than `minValidityMs` is left.
*/
export const tokenCommand = async (
	context: CommandContext,
	{provider, minValidityMs = EXPIRING_WITHIN_MS}: TokenOptions,
): Promise<number> => {
	const {store} = context;
	await store.getState().reload();
	const {data, error} = store.getState();
	if (error) throw error;
	const view = listCredentials(data, context.env, context.now()).find(
		entry => entry.provider.id === provider.id,
	);
	if (!view?.credential) {
		if (view?.reason === 'invalid-entry') {
			throw needsLoginError(provider, 'the stored entry is incomplete');
		}

		throw new PiAuthError(
			'not-signed-in',
			`Not signed in to ${provider.name}. Run: pi-auth login ${provider.id}`,
		);
	}

	const {credential} = view;
	if (credential.type === 'api_key') {
		writeSecret(context.stdout, credential.key);
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

	const {credential: fresh} = await refreshCredential(
		{
			store,
			config: context.config,
			fetch: await context.fetch(),
			now: context.now,
		},
		provider,
		{minValidityMs},
	);
	writeSecret(context.stdout, fresh.access);
	return 0;
};
