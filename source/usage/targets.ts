import {createHash} from 'node:crypto';
import type {Config} from '../config.js';
import type {CredentialView} from '../credentials/view.js';
import type {Fetch} from '../oauth/http.js';
import {fetchUsage} from './registry.js';
import type {UsageTarget} from './poller.js';

/**
A short digest of what the usage endpoint sees: changes when a refresh or a new sign-in brings a
new token (which starts with a clean backoff), and holds no secret.
*/
export const tokenKeyOf = (view: CredentialView): string => {
	const {credential} = view;
	const parts =
		credential?.type === 'oauth'
			? [
					'oauth',
					credential.access,
					credential.refresh,
					credential.accountId ?? '',
					credential.enterpriseUrl ?? '',
					credential.needsLogin ? 'needs-login' : '',
				]
			: credential
				? ['api_key', credential.key]
				: ['none'];
	return createHash('sha256')
		.update([view.source, ...parts].join('\0'))
		.digest('hex')
		.slice(0, 16);
};

export type UsageTargetsInput = {
	/** The listed credentials: listCredentials(data, env, now), as `status` shows them. */
	views: readonly CredentialView[];
	config: Config;
	fetch: Fetch;
	now: () => number;
	timeoutMs?: number;
};

/** The poller's targets for the credentials `status` lists (cli-contract.md: the panel too). */
export const usageTargets = (input: UsageTargetsInput): UsageTarget[] =>
	// An id pi-auth cannot sign in to has no usage endpoint either: nothing to poll.
	input.views
		.filter(view => view.managed)
		.map(view => ({
			// The credential's key: one provider may have several profiles, each polled on its own.
			provider: view.key,
			tokenKey: tokenKeyOf(view),
			fetch: async signal =>
				fetchUsage({
					provider: view.provider,
					credential: view.credential,
					config: input.config,
					fetch: input.fetch,
					now: input.now,
					signal,
					...(input.timeoutMs === undefined
						? {}
						: {timeoutMs: input.timeoutMs}),
				}),
		}));
