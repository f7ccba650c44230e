import {type Config, endpointsFor} from '../config.js';
import type {Credential} from '../credentials/credential.js';
import type {Fetch} from '../oauth/http.js';
import type {Provider} from '../providers/types.js';
import {anthropicUsage} from './anthropic.js';
import {copilotUsage} from './github-copilot.js';
import {codexUsage} from './openai-codex.js';
import type {UsageFetcher, UsageOutcome} from './types.js';

/** Adding a provider's usage: one file beside this one and one line here. */
export const usageFetchers: Readonly<Record<string, UsageFetcher>> = {
	anthropic: anthropicUsage,
	'openai-codex': codexUsage,
	'github-copilot': copilotUsage,
};

export type UsageRequest = {
	provider: Provider;
	/** Undefined when the stored entry is not a usable credential. */
	credential: Credential | undefined;
	config: Config;
	fetch: Fetch;
	now: () => number;
	signal?: AbortSignal;
	timeoutMs?: number;
};

const unavailable = (reason: string): UsageOutcome => ({
	status: 'unavailable',
	reason,
});

/** Why no request is worth making for this credential, or undefined when one is. */
export const usageUnavailable = (
	provider: Provider,
	credential: Credential | undefined,
	now: number,
): string | undefined => {
	const fetcher = usageFetchers[provider.id];
	if (!fetcher) return `Usage is not available for ${provider.name}.`;
	if (!credential) {
		return `The stored entry is incomplete. Sign in again to see usage: pi-auth login ${provider.id}`;
	}

	if (credential.type === 'api_key') {
		return 'Usage is not available for API keys: the usage endpoint needs a subscription sign-in.';
	}

	const own = fetcher.unavailable(credential, now);
	if (own) return own;
	if (credential.needsLogin) {
		return `Sign in again to see usage: pi-auth login ${provider.id}`;
	}

	// Copilot's quota endpoint takes the long-lived GitHub token, so its access expiry does not matter.
	if (provider.id !== 'github-copilot' && credential.expires <= now) {
		return `The access token has expired. Refresh it to see usage: pi-auth refresh ${provider.id}`;
	}

	return undefined;
};

/**
One credential's usage: 'unavailable' without a request when the credential cannot have any
(docs/usage.md: setup tokens, API keys), else one request to the endpoint the config file
may override. Failures are thrown as PiAuthError; no message holds a token.
*/
export const fetchUsage = async (
	request: UsageRequest,
): Promise<UsageOutcome> => {
	const {provider, credential} = request;
	const reason = usageUnavailable(provider, credential, request.now());
	const fetcher = usageFetchers[provider.id];
	if (reason !== undefined || !fetcher || !credential) {
		return unavailable(
			reason ?? `Usage is not available for ${provider.name}.`,
		);
	}

	const domain =
		typeof credential['enterpriseUrl'] === 'string' &&
		credential['enterpriseUrl']
			? credential['enterpriseUrl']
			: undefined;
	const url =
		endpointsFor(request.config, provider, domain)[fetcher.endpoint] ?? '';
	return fetcher.fetch(
		{
			fetch: request.fetch,
			url,
			now: request.now,
			...(request.signal ? {signal: request.signal} : {}),
			...(request.timeoutMs === undefined
				? {}
				: {timeoutMs: request.timeoutMs}),
		},
		credential,
	);
};
