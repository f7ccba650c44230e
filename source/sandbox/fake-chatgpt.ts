/*
A fake of Sign in with ChatGPT (docs/providers.md "Sign in with ChatGPT", provider id `openai`): the
authorize page for the dynamic client (`dynamic_agent_client`, an agent name, a urn:uuid host id,
`resource`, `nonce`, redirect http://127.0.0.1:<port>/auth/callback), which issues a client id per
approval and sends it back in the callback; a form-encoded token endpoint that wants that issued
client id and the resource on every exchange and refresh, and rotates single-use refresh tokens
(reuse: 401 `refresh_token_reused` in OpenAI's error shape, and the family is revoked).

Public API: startFakeChatgpt(options?) → FakeChatgpt:
- endpoints {authorize, token}.
- approve(authorizeUrl) → the callback URL (code, state, client_id); deny(authorizeUrl).
- issueGrant() → {access, refresh, clientId}; revoke(token).
- hostIds(): the ext_agent_host_id values the authorize page saw, oldest first.
- settings (mutable): accessTtlSeconds (3600), omitDirectScope (replies without
  chatgpt.tokens.use.direct), omitIdToken (exchange replies without id_token), email.
- secrets(); plus FakeServer's log, counters, fail() and close().
*/
import {randomBytes} from 'node:crypto';
import {createAuthorizeFlow} from './authorize-flow.js';
import {approveAuthorize, denyAuthorize} from './browser.js';
import {type FakeRequest, jsonResponse} from './fake-http.js';
import {type FakeServer, startFakeServer} from './fake-server.js';
import {type Grant, createGrants} from './grants.js';
import {oauthError} from './rfc8628-device.js';
import {randomToken} from './tokens.js';

export const CHATGPT_DYNAMIC_CLIENT = 'dynamic_agent_client';
export const CHATGPT_RESOURCE = 'https://api.openai.com/v1';
export const CHATGPT_SCOPES = [
	'openid',
	'profile',
	'email',
	'offline_access',
	'resource.invoke',
	'chatgpt.tokens.use.direct',
];
const PATHS = {
	authorize: '/api/accounts/authorize',
	token: '/api/accounts/oauth/token',
};
const HOST_ID =
	/^urn:uuid:[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

export type FakeChatgptSettings = {
	accessTtlSeconds: number;
	omitDirectScope: boolean;
	omitIdToken: boolean;
	email: string;
};

export type FakeChatgptOptions = Partial<FakeChatgptSettings> & {
	now?: () => number;
};

export type FakeChatgpt = FakeServer & {
	endpoints: Record<keyof typeof PATHS, string>;
	settings: FakeChatgptSettings;
	approve: (authorizeUrl: string) => Promise<string>;
	deny: (authorizeUrl: string) => Promise<string>;
	issueGrant: () => {access: string; refresh: string; clientId: string};
	revoke: (token: string) => boolean;
	hostIds: () => string[];
	secrets: () => string[];
};

// OpenAI's error shape; errorCode() in http-failure.ts reads `error.code`.
const openaiError = (status: number, code: string, message: string) =>
	jsonResponse(status, {
		error: {message, type: 'invalid_request_error', param: null, code},
	});

const part = (value: unknown) =>
	Buffer.from(JSON.stringify(value)).toString('base64url');

export const startFakeChatgpt = async (
	options: FakeChatgptOptions = {},
): Promise<FakeChatgpt> => {
	const {now = Date.now} = options;
	const settings: FakeChatgptSettings = {
		accessTtlSeconds: options.accessTtlSeconds ?? 3600,
		omitDirectScope: options.omitDirectScope ?? false,
		omitIdToken: options.omitIdToken ?? false,
		email: options.email ?? 'chatgpt-user@example.com',
	};
	const grants = createGrants({now, refreshPrefix: 'oai-rt-'});
	const hostIds: string[] = [];
	const flow = createAuthorizeFlow({
		clientName: 'pi-auth (agent)',
		clientId: CHATGPT_DYNAMIC_CLIENT,
		scopes: CHATGPT_SCOPES,
		path: PATHS.authorize,
		now,
		// docs/providers.md: the literal IP, never localhost (1455 for real; any port here).
		redirectAllowed: uri =>
			/^http:\/\/127\.0\.0\.1:\d{1,5}\/auth\/callback$/.test(uri),
		minStateLength: 43,
		checkExtra(query) {
			if (query.get('resource') !== CHATGPT_RESOURCE) {
				return 'resource must be https://api.openai.com/v1.';
			}

			if (!query.get('agent_name_hint')) return 'agent_name_hint is missing.';
			if ((query.get('nonce') ?? '').length < 43) return 'nonce is missing.';
			const host = query.get('ext_agent_host_id') ?? '';
			if (!HOST_ID.test(host)) {
				return 'ext_agent_host_id must be urn:uuid:<uuid>.';
			}

			hostIds.push(host);
			if (hostIds.length > 1000) hostIds.shift();
			return undefined;
		},
		issueClientId: () => `app_agent_${randomBytes(9).toString('hex')}`,
	});
	const issue = (grant: Grant, withIdToken: boolean) => {
		const access = randomToken('oai-at-', 40);
		grants.addAccess(grant, access, now() + settings.accessTtlSeconds * 1000);
		const scopes = settings.omitDirectScope
			? grant.scopes.filter(scope => scope !== 'chatgpt.tokens.use.direct')
			: grant.scopes;
		return jsonResponse(200, {
			access_token: access,
			refresh_token: grants.issueRefresh(grant),
			expires_in: settings.accessTtlSeconds,
			token_type: 'Bearer',
			scope: scopes.join(' '),
			...(withIdToken && !settings.omitIdToken
				? {
						id_token: `${part({alg: 'RS256'})}.${part({email: grant.email, aud: grant.subject['clientId']})}.${randomBytes(16).toString('base64url')}`,
					}
				: {}),
		});
	};

	const newGrant = (clientId: string) =>
		grants.start({
			scopes: CHATGPT_SCOPES,
			email: settings.email,
			subject: {clientId},
		});

	const token = (request: FakeRequest) => {
		if (request.bodyType !== 'form') {
			return oauthError(
				400,
				'invalid_request',
				'The body must be application/x-www-form-urlencoded.',
			);
		}

		const {form} = request;
		if (form['resource'] !== CHATGPT_RESOURCE) {
			return oauthError(400, 'invalid_target', 'resource is missing or wrong.');
		}

		if (form['grant_type'] === 'authorization_code') {
			const redeemed = flow.redeem({
				code: form['code'] ?? '',
				clientId: form['client_id'] ?? '',
				redirectUri: form['redirect_uri'] ?? '',
				verifier: form['code_verifier'] ?? '',
			});
			if (!redeemed.ok) {
				return oauthError(400, redeemed.error, redeemed.description);
			}

			return issue(newGrant(redeemed.record.clientId), true);
		}

		if (form['grant_type'] !== 'refresh_token') {
			return oauthError(400, 'unsupported_grant_type', 'Unsupported grant.');
		}

		const used = grants.useRefresh(form['refresh_token'] ?? '');
		switch (used.kind) {
			case 'ok':
				if (used.grant.subject['clientId'] !== form['client_id']) {
					grants.restore(form['refresh_token'] ?? '');
					return oauthError(401, 'invalid_client', 'Wrong client_id.');
				}

				return issue(used.grant, false);
			case 'reused':
				return openaiError(
					401,
					'refresh_token_reused',
					'Your refresh token has already been used to generate a new access token.',
				);
			case 'revoked':
				return openaiError(
					401,
					'refresh_token_invalidated',
					'Your refresh token has been invalidated.',
				);
			case 'unknown':
				return oauthError(400, 'invalid_grant', 'Invalid refresh token.');
		}
	};

	const server = await startFakeServer({
		routes: [
			...flow.routes,
			{name: 'token', method: 'POST', path: PATHS.token, handle: token},
		],
	});
	return {
		...server,
		endpoints: {
			authorize: server.url(PATHS.authorize),
			token: server.url(PATHS.token),
		},
		settings,
		approve: approveAuthorize,
		deny: denyAuthorize,
		issueGrant() {
			const clientId = `app_agent_${randomBytes(9).toString('hex')}`;
			const grant = newGrant(clientId);
			const access = randomToken('oai-at-', 40);
			grants.addAccess(grant, access, now() + settings.accessTtlSeconds * 1000);
			return {access, refresh: grants.issueRefresh(grant), clientId};
		},
		revoke: grants.revoke,
		hostIds: () => [...hostIds],
		secrets: grants.secrets,
	};
};
