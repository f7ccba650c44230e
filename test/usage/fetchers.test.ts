import type {IncomingMessage, ServerResponse} from 'node:http';
import {afterEach, describe, expect, it} from 'vitest';
import {type Config, emptyConfig} from '../../source/config.js';
import type {Credential} from '../../source/credentials/credential.js';
import {PiAuthError} from '../../source/errors.js';
import {anthropic} from '../../source/providers/anthropic.js';
import {
	EDITOR_HEADERS,
	githubCopilot,
} from '../../source/providers/github-copilot.js';
import {openaiCodex} from '../../source/providers/openai-codex.js';
import type {Provider} from '../../source/providers/types.js';
import {
	CLAUDE_CODE_VERSION,
	SETUP_TOKEN_REASON,
} from '../../source/usage/anthropic.js';
import {fetchUsage} from '../../source/usage/registry.js';
import type {UsageOutcome} from '../../source/usage/types.js';
import {
	type LocalServer,
	type Recorded,
	json,
	startServer,
} from '../oauth/local-server.js';
import {fixture} from './fixtures.js';

const ACCESS = 'sk-ant-oat01-USAGEACCESSSECRET';
const REFRESH = 'sk-ant-ort01-USAGEREFRESHSECRET';
const CODEX_ACCESS = 'eyJ.CODEXACCESSSECRET.sig';
const GITHUB_TOKEN = 'ghu_USAGEGITHUBSECRET';
const SECRETS = [ACCESS, REFRESH, CODEX_ACCESS, GITHUB_TOKEN, 'SECRET'];
const HOUR = 3_600_000;

type Reply = (response: ServerResponse) => void;

/** A usage endpoint on 127.0.0.1 that records each request and answers with the next reply. */
const servers: LocalServer[] = [];
const usageServer = async (...replies: Reply[]) => {
	const recorded: Recorded[] = [];
	const server = await startServer((request: IncomingMessage, response) => {
		recorded.push({
			method: request.method ?? '',
			url: request.url ?? '',
			headers: request.headers,
			body: '',
		});
		const reply = replies[Math.min(recorded.length, replies.length) - 1];
		if (reply) reply(response);
		else json(response, 500, {});
	});
	servers.push(server);
	return {server, recorded};
};

afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

const configFor = (provider: Provider, url: string): Config => ({
	providers: {
		[provider.id]: {
			endpoints: {[provider.id === 'github-copilot' ? 'user' : 'usage']: url},
		},
	},
});

const oauth = (extra: Partial<Credential> = {}): Credential =>
	({
		type: 'oauth',
		access: ACCESS,
		refresh: REFRESH,
		expires: Date.now() + HOUR,
		...extra,
	}) as Credential;

const codexCredential = oauth({access: CODEX_ACCESS, accountId: 'acct-123'});
const copilotCredential = oauth({
	access: 'tid=copilot-session',
	refresh: GITHUB_TOKEN,
});

const run = async (
	provider: Provider,
	credential: Credential | undefined,
	url: string,
	extra: {timeoutMs?: number} = {},
): Promise<UsageOutcome> =>
	fetchUsage({
		provider,
		credential,
		config: configFor(provider, url),
		fetch: globalThis.fetch,
		now: Date.now,
		...extra,
	});

const failure = async (promise: Promise<unknown>): Promise<PiAuthError> => {
	const error = await promise.then(
		() => undefined,
		(error_: unknown) => error_,
	);
	expect(error).toBeInstanceOf(PiAuthError);
	const piError = error as PiAuthError;
	for (const secret of SECRETS) expect(piError.message).not.toContain(secret);
	return piError;
};

// Headers the HTTP stack adds on its own; everything else must be what docs/usage.md lists.
const TRANSPORT = new Set([
	'host',
	'connection',
	'accept',
	'accept-encoding',
	'accept-language',
	'sec-fetch-mode',
	'user-agent',
]);
const ownHeaders = (headers: Recorded['headers']) =>
	Object.keys(headers)
		.filter(name => !TRANSPORT.has(name))
		.sort();

const cases = [
	{provider: anthropic, credential: oauth()},
	{provider: openaiCodex, credential: codexCredential},
	{provider: githubCopilot, credential: copilotCredential},
];

describe('usage fetchers against a local server', () => {
	it('sends exactly the Anthropic headers and parses the answer', async () => {
		const {server, recorded} = await usageServer(response => {
			json(response, 200, fixture('anthropic-flat', Date.now()));
		});
		const before = Date.now();
		const outcome = await run(
			anthropic,
			oauth(),
			`${server.url}/api/oauth/usage`,
		);
		expect(outcome.status).toBe('ok');
		if (outcome.status !== 'ok') return;
		expect(outcome.snapshot.windows.map(window => window.label)).toEqual([
			'5h',
			'7d',
			'7d-opus',
		]);
		expect(outcome.snapshot.fetchedAt).toBeGreaterThanOrEqual(before);
		expect(recorded).toHaveLength(1);
		const [request] = recorded;
		expect(request?.method).toBe('GET');
		expect(request?.url).toBe('/api/oauth/usage');
		expect(request?.headers).toMatchObject({
			authorization: `Bearer ${ACCESS}`,
			'anthropic-beta': 'oauth-2025-04-20',
			'user-agent': `claude-code/${CLAUDE_CODE_VERSION}`,
		});
		expect(ownHeaders(request?.headers ?? {})).toEqual([
			'anthropic-beta',
			'authorization',
		]);
	});

	it('sends exactly the Codex headers', async () => {
		const {server, recorded} = await usageServer(response => {
			json(response, 200, fixture('codex-weekly-only', Date.now()));
		});
		const outcome = await run(
			openaiCodex,
			codexCredential,
			`${server.url}/wham/usage`,
		);
		expect(outcome.status === 'ok' && outcome.snapshot.windows[0]?.label).toBe(
			'7d',
		);
		const headers = recorded[0]?.headers ?? {};
		expect(headers).toMatchObject({
			authorization: `Bearer ${CODEX_ACCESS}`,
			'chatgpt-account-id': 'acct-123',
		});
		expect(ownHeaders(headers)).toEqual([
			'authorization',
			'chatgpt-account-id',
		]);
	});

	it('sends the GitHub token (not the Copilot token) with the editor headers and API version', async () => {
		const {server, recorded} = await usageServer(response => {
			json(response, 200, fixture('copilot-pro', Date.now()));
		});
		const outcome = await run(
			githubCopilot,
			copilotCredential,
			`${server.url}/copilot_internal/user`,
		);
		expect(outcome.status === 'ok' && outcome.snapshot.extras).toMatchObject({
			notMetered: ['chat', 'completions'],
		});
		const headers = recorded[0]?.headers ?? {};
		expect(headers).toMatchObject({
			authorization: `token ${GITHUB_TOKEN}`,
			'user-agent': EDITOR_HEADERS['User-Agent'],
			'editor-version': EDITOR_HEADERS['Editor-Version'],
			'editor-plugin-version': EDITOR_HEADERS['Editor-Plugin-Version'],
			'copilot-integration-id': EDITOR_HEADERS['Copilot-Integration-Id'],
			'x-github-api-version': '2025-04-01',
		});
		expect(ownHeaders(headers)).toEqual([
			'authorization',
			'copilot-integration-id',
			'editor-plugin-version',
			'editor-version',
			'x-github-api-version',
		]);
	});

	it('uses the enterprise host of a Copilot entry when the config does not override it', async () => {
		const urls: string[] = [];
		const outcome = await fetchUsage({
			provider: githubCopilot,
			credential: oauth({
				refresh: GITHUB_TOKEN,
				enterpriseUrl: 'ghe.example.com',
			}),
			config: emptyConfig,
			// Records the URL only: nothing leaves the machine.
			fetch: (async (input: string | URL | Request) => {
				urls.push(String(input));
				return Response.json(fixture('copilot-pro', Date.now()));
			}) as typeof fetch,
			now: Date.now,
		});
		expect(outcome.status).toBe('ok');
		expect(urls).toEqual(['https://api.ghe.example.com/copilot_internal/user']);
	});

	describe.each(cases)('$provider.id failures', ({provider, credential}) => {
		it('classifies 429 with a positive Retry-After', async () => {
			const {server} = await usageServer(response => {
				json(response, 429, {error: 'rate_limited'}, {'retry-after': '120'});
			});
			const error = await failure(run(provider, credential, server.url));
			expect(error.code).toBe('rate-limited');
			expect(error.retryAfterMs).toBe(120_000);
		});

		it('classifies 429 with Retry-After 0 or none as rate-limited without a wait', async () => {
			const {server} = await usageServer(
				response => {
					json(response, 429, {}, {'retry-after': '0'});
				},
				response => {
					json(response, 429, {});
				},
			);
			for (let attempt = 0; attempt < 2; attempt++) {
				const error = await failure(run(provider, credential, server.url));
				expect(error.code).toBe('rate-limited');
				expect(error.retryAfterMs).toBeUndefined();
			}
		});

		it('classifies 5xx as a server error', async () => {
			const {server} = await usageServer(response => {
				json(response, 503, {error: 'overloaded'});
			});
			const error = await failure(run(provider, credential, server.url));
			expect(error.code).toBe('server-error');
			expect(error.status).toBe(503);
		});

		it('says a 401 needs a new token', async () => {
			const {server} = await usageServer(response => {
				json(response, 401, {error: {type: 'authentication_error'}});
			});
			const error = await failure(run(provider, credential, server.url));
			expect(error.code).toBe(
				provider.id === 'github-copilot' ? 'revoked' : 'token-expired',
			);
			expect(error.message).toMatch(
				provider.id === 'github-copilot'
					? /pi-auth login github-copilot/
					: new RegExp(`pi-auth refresh ${provider.id}`),
			);
		});

		it('rejects an HTML page with 200 as a bad response', async () => {
			const {server} = await usageServer(response => {
				response.writeHead(200, {'content-type': 'text/html'});
				response.end('<html><body>Just a moment...</body></html>');
			});
			const error = await failure(run(provider, credential, server.url));
			expect(error.code).toBe('bad-response');
		});

		it('gives up after the timeout', async () => {
			// Answers nothing: the fetch must end by its own bound.
			const {server} = await usageServer(() => undefined);
			const error = await failure(
				run(provider, credential, server.url, {timeoutMs: 300}),
			);
			expect(error.code).toBe('timeout');
		});
	});

	it('reads an Anthropic 403 as "not available for setup tokens", other 403s as refusals', async () => {
		const {server} = await usageServer(response => {
			json(response, 403, {
				type: 'error',
				error: {
					type: 'permission_error',
					message: 'scope requirement user:profile',
				},
			});
		});
		expect(await run(anthropic, oauth(), server.url)).toEqual({
			status: 'unavailable',
			reason: SETUP_TOKEN_REASON,
		});
		const codex = await failure(run(openaiCodex, codexCredential, server.url));
		expect(codex).toMatchObject({code: 'bad-response', status: 403});
		const copilot = await failure(
			run(githubCopilot, copilotCredential, server.url),
		);
		expect(copilot).toMatchObject({code: 'bad-response', status: 403});
	});

	it('does not blame the token for a 403 page that is not the API (a proxy or CDN block)', async () => {
		const {server} = await usageServer(response => {
			response.writeHead(403, {'content-type': 'text/html'});
			response.end(
				'<html><body>Access denied by the corporate proxy</body></html>',
			);
		});
		const error = await failure(run(anthropic, oauth(), server.url));
		expect(error).toMatchObject({code: 'bad-response', status: 403});
		expect(error.message).not.toContain('setup token');
	});

	it('decides without a request when a credential cannot have usage', async () => {
		const {server, recorded} = await usageServer(response => {
			json(response, 200, {});
		});
		const none = async (
			provider: Provider,
			credential: Credential | undefined,
		) => {
			const outcome = await run(provider, credential, server.url);
			expect(outcome.status).toBe('unavailable');
			const reason = outcome.status === 'unavailable' ? outcome.reason : '';
			for (const secret of SECRETS) expect(reason).not.toContain(secret);
			return reason;
		};

		expect(await none(anthropic, oauth({refresh: ''}))).toBe(
			SETUP_TOKEN_REASON,
		);
		expect(
			await none(anthropic, {type: 'api_key', key: 'sk-ant-api03-KEYSECRET'}),
		).toMatch(/not available for API keys/);
		expect(await none(openaiCodex, oauth({access: CODEX_ACCESS}))).toMatch(
			/ChatGPT account id/,
		);
		expect(await none(githubCopilot, oauth({refresh: ''}))).toMatch(
			/GitHub token/,
		);
		expect(await none(anthropic, undefined)).toMatch(/pi-auth login anthropic/);
		expect(
			await none(
				anthropic,
				oauth({needsLogin: {reason: 'invalid_grant', at: 1}}),
			),
		).toMatch(/Sign in again/);
		expect(
			await none(openaiCodex, {...codexCredential, expires: Date.now() - 1}),
		).toMatch(/pi-auth refresh openai-codex/);
		expect(recorded).toHaveLength(0);
	});

	it('fetches Copilot usage with an expired session token: only the GitHub token matters', async () => {
		const {server, recorded} = await usageServer(response => {
			json(response, 200, fixture('copilot-pro', Date.now()));
		});
		const outcome = await run(
			githubCopilot,
			{...copilotCredential, expires: Date.now() - HOUR},
			server.url,
		);
		expect(outcome.status).toBe('ok');
		expect(recorded).toHaveLength(1);
	});
});
