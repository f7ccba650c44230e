import type {Config} from '../config.js';
import type {CredentialView} from '../credentials/view.js';
import type {Fetch} from '../oauth/http.js';
import {fetchUsage, usageFetchers} from './registry.js';
import {sha256Hex} from './sha256.js';
import type {UsageTarget} from './poller.js';

/**
A short digest of what the usage endpoint sees (the fetcher's `identity`, else the whole entry):
changes when a refresh or a new sign-in brings a new token (which starts with a clean backoff, and
is fetched once), and holds no secret.
*/
export const tokenKeyOf = (view: CredentialView): string => {
	const {credential} = view;
	const fetcher = usageFetchers[view.provider.id];
	const parts =
		credential && fetcher
			? [credential.type, ...fetcher.identity(credential)]
			: credential?.type === 'oauth'
				? [
						'oauth',
						credential.access,
						credential.refresh,
						credential.accountId ?? '',
						credential.enterpriseUrl ?? '',
					]
				: credential
					? ['api_key', credential.key]
					: ['none'];
	const needsLogin =
		credential?.type === 'oauth' && credential.needsLogin ? 'needs-login' : '';
	return sha256Hex([view.source, ...parts, needsLogin].join('\0')).slice(0, 16);
};

/**
The credential's key in the usage cache (cache-data.ts): the view's key (`<provider>:<profile>` for a
stored credential, docs/contract.md "Profiles", so each account keeps its own numbers and history
across `pi-auth use`; the bare id for an entry pi-auth does not manage), or `<provider>@env` for an
environment credential (another account, maybe, than a stored one).
*/
export const usageKeyOf = (view: CredentialView): string =>
	view.source === 'env' ? `${view.provider.id}@env` : view.key;

export type UsageTargetsInput = {
	/** The listed credentials: listCredentials(data, env, now), as `status` shows them. */
	views: readonly CredentialView[];
	config: Config;
	fetch: Fetch;
	now: () => number;
	timeoutMs?: number;
};

/** The poller's targets for the credentials `status` lists (docs/contract.md: the panel too). */
export const usageTargets = (input: UsageTargetsInput): UsageTarget[] =>
	// An id pi-auth cannot sign in to is listed too: its usage reads "not available", asked of no one.
	input.views.map(view => ({
		key: usageKeyOf(view),
		provider: view.provider.id,
		...(view.account ? {account: view.account} : {}),
		tokenKey: tokenKeyOf(view),
		fetch: async signal =>
			fetchUsage({
				provider: view.provider,
				credential: view.credential,
				config: input.config,
				fetch: input.fetch,
				now: input.now,
				signal,
				...(input.timeoutMs === undefined ? {} : {timeoutMs: input.timeoutMs}),
			}),
	}));
