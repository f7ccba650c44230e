/*
Copilot's model list, stored as `availableModelIds` on the entry so pi offers the same models after
a pi-auth sign-in as after its own (docs/providers.md "GitHub Copilot", models):
- GET `<base>/models` (Bearer the Copilot token, API version 2026-06-01): a model is available when
  the account's picker shows it and its policy is not disabled; models without tool calls are left
  out. Individual accounts sometimes mark nothing for the picker: then the models whose policy is
  enabled count (pi does the same, for that endpoint only).
- at sign-in, models the picker offers whose policy is still "unconfigured" are enabled with POST
  `<base>/models/<id>/policy` {"state": "enabled"}, best effort, and added to the list. pi limits
  this to the models of its own catalogue; pi-auth cannot know which pi version reads the file, so
  it enables what the account's picker offers.
- `<base>`: the `models` endpoint of the config, else the Copilot token's `proxy-ep` with `proxy.`
  turned into `api.`, else `https://copilot-api.<enterprise host>`, else the individual endpoint.
*/
import {isRecord} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {sendRequest} from '../oauth/http.js';
import type {ProviderContext} from './types.js';
import {signalOf} from './requests.js';

const API_VERSION = '2026-06-01';
const INDIVIDUAL_BASE = 'https://api.individual.githubcopilot.com';

export type CopilotModels = {available: string[]; unconfigured: string[]};

export const modelsBase = (
	context: ProviderContext,
	copilotToken: string,
	enterprise: string | undefined,
): string => {
	const configured = context.endpoints['models'];
	if (configured) return configured.replace(/\/+$/, '');
	const proxy = /(?:^|;)proxy-ep=([^;]+)/.exec(copilotToken)?.[1];
	if (proxy && /^[\w.-]+$/.test(proxy)) {
		return `https://${proxy.replace(/^proxy\./, 'api.')}`;
	}

	return enterprise ? `https://copilot-api.${enterprise}` : INDIVIDUAL_BASE;
};

const headersFor = (token: string, editor: Record<string, string>) => ({
	accept: 'application/json',
	authorization: `Bearer ${token}`,
	...editor,
	'x-github-api-version': API_VERSION,
});

/** Reads the catalogue the way pi does; anything unreadable is a typed error, never a guess. */
export const parseModels = (
	body: unknown,
	allowPolicyFallback: boolean,
): CopilotModels => {
	const data = isRecord(body) ? body['data'] : undefined;
	if (!Array.isArray(data)) {
		throw new PiAuthError(
			'bad-response',
			'GitHub answered the Copilot model list without a list of models.',
		);
	}

	const models = data.flatMap(item => {
		if (!isRecord(item) || typeof item['id'] !== 'string') return [];
		const capabilities = isRecord(item['capabilities'])
			? item['capabilities']
			: {};
		const supports = isRecord(capabilities['supports'])
			? capabilities['supports']
			: {};
		if (supports['tool_calls'] === false) return [];
		const policy = isRecord(item['policy'])
			? item['policy']['state']
			: undefined;
		return [
			{
				id: item['id'],
				picker: item['model_picker_enabled'] === true,
				policy: typeof policy === 'string' ? policy : undefined,
			},
		];
	});
	const picked = models
		.filter(model => model.picker && model.policy !== 'disabled')
		.map(model => model.id);
	const fallback = allowPolicyFallback && picked.length === 0;
	return {
		available: fallback
			? models
					.filter(model => model.policy === 'enabled')
					.map(model => model.id)
			: picked,
		unconfigured: models
			.filter(
				model => model.policy === 'unconfigured' && (model.picker || fallback),
			)
			.map(model => model.id),
	};
};

export const fetchModels = async (
	context: ProviderContext,
	copilotToken: string,
	enterprise: string | undefined,
	editor: Record<string, string>,
): Promise<CopilotModels> => {
	const base = modelsBase(context, copilotToken, enterprise);
	const result = await sendRequest({
		fetch: context.fetch,
		url: `${base}/models`,
		init: {method: 'GET', headers: headersFor(copilotToken, editor)},
		timeoutMs: 5000,
		...signalOf(context),
	});
	if (result.status < 200 || result.status >= 300) {
		throw new PiAuthError(
			result.status === 429 ? 'rate-limited' : 'bad-response',
			`GitHub answered the Copilot model list with HTTP ${result.status}.`,
			{status: result.status},
		);
	}

	return parseModels(result.json, base === INDIVIDUAL_BASE);
};

/** Enables each model's policy, best effort: the ids that were enabled. A 429 stops the batch. */
export const enableModels = async (
	context: ProviderContext,
	copilotToken: string,
	enterprise: string | undefined,
	editor: Record<string, string>,
	ids: readonly string[],
): Promise<string[]> => {
	const base = modelsBase(context, copilotToken, enterprise);
	const enabled: string[] = [];
	for (const id of ids) {
		let status: number;
		try {
			({status} = await sendRequest({
				fetch: context.fetch,
				url: `${base}/models/${encodeURIComponent(id)}/policy`,
				init: {
					method: 'POST',
					headers: {
						...headersFor(copilotToken, editor),
						'content-type': 'application/json',
						'openai-intent': 'chat-policy',
						'x-interaction-type': 'chat-policy',
					},
					body: JSON.stringify({state: 'enabled'}),
				},
				timeoutMs: 5000,
				...signalOf(context),
			}));
		} catch (error) {
			if (context.signal?.aborted) throw error;
			continue;
		}

		if (status === 429) break;
		if (status >= 200 && status < 300) enabled.push(id);
	}

	return enabled;
};
