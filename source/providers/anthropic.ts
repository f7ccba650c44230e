// postToken, not an RFC client library: Anthropic's token endpoint takes JSON bodies (RFC 6749 §4.1.3
// says form) and may omit refresh_token, which must be tolerated (docs/providers.md).
import {isRecord} from '../credentials/credential.js';
import {postToken} from '../oauth/http.js';
import {buildAuthorizeUrl, randomState} from '../oauth/authorize-url.js';
import {printableText} from '../printable.js';
import {credentialFromSecret} from './secrets.js';
import {readTokenResponse, storedAccount} from './token-response.js';
import type {Provider} from './types.js';
import {signalOf} from './requests.js';

const CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
const SCOPES =
	'org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload';
/** The paste-only ("copy code") flow: the page shows `code#state` to copy (docs/providers.md). */
const PASTE_REDIRECT_URI = 'https://platform.claude.com/oauth/code/callback';
const API_KEY_URL = 'https://console.anthropic.com/settings/keys';
/** pi stores Anthropic expiry 5 minutes early; keep the convention so both agree (docs/providers.md). */
const EXPIRY_BUFFER_MS = 5 * 60_000;

const expiresAt = (now: number, expiresIn: number | undefined) =>
	now + (expiresIn ?? 3600) * 1000 - EXPIRY_BUFFER_MS;

/** The account label, made printable here where the answer is read (printable.ts). */
const emailOf = (body: Record<string, unknown>): string | undefined => {
	const account = body['account'];
	return isRecord(account)
		? printableText(account['email_address'])
		: undefined;
};

export const anthropic: Provider = {
	id: 'anthropic',
	name: 'Anthropic (Claude Pro/Max)',
	subscription: 'Claude Pro or Max subscription',
	notice:
		'Anthropic bills or blocks subscription sign-in used outside Claude Code since 2026; the choice is yours.',
	methods: ['oauth', 'setup-token', 'api-key'],
	endpointNames: ['authorize', 'token', 'usage'],
	defaultEndpoints: () => ({
		authorize: 'https://claude.ai/oauth/authorize',
		token: 'https://platform.claude.com/v1/oauth/token',
		usage: 'https://api.anthropic.com/api/oauth/usage',
	}),
	// pi's port first; when it is taken, any free port (0) before falling back to paste-only.
	callback: {ports: [53692, 0], path: '/callback'},
	/*
	The authorize page rejects short states: 32 random bytes, base64url (43 characters), drawn apart
	from the PKCE verifier. pi sends the verifier itself as the state, which prints the verifier in
	the URL (terminal, browser history, the browser's argv) next to the code in the redirect and
	undoes PKCE; other clients with this client_id send an independent state and the server takes it.
	*/
	newState: () => randomState(32, 'base64url'),
	redirectUri: port =>
		port === undefined
			? PASTE_REDIRECT_URI
			: `http://localhost:${port}/callback`,
	authorizeUrl: ({endpoints, redirectUri, challenge, state}) =>
		buildAuthorizeUrl(endpoints['authorize'] ?? '', {
			code: 'true',
			client_id: CLIENT_ID,
			response_type: 'code',
			redirect_uri: redirectUri,
			scope: SCOPES,
			code_challenge: challenge,
			code_challenge_method: 'S256',
			state,
		}),
	async exchangeCode(context, {code, state, verifier, redirectUri}) {
		// Departure from RFC 6749 §4.1.3: Anthropic wants a JSON body, with `state` in it, and the
		// exact redirect_uri of the authorize request even for a pasted code (pi #2169, #2185).
		const body = await postToken({
			fetch: context.fetch,
			url: context.endpoints['token'] ?? '',
			encoding: 'json',
			body: {
				grant_type: 'authorization_code',
				client_id: CLIENT_ID,
				code,
				state,
				redirect_uri: redirectUri,
				code_verifier: verifier,
			},
			...signalOf(context),
		});
		const tokens = readTokenResponse(body);
		const email = emailOf(tokens.body);
		return {
			type: 'oauth',
			access: tokens.accessToken,
			refresh: tokens.refreshToken ?? '',
			expires: expiresAt(context.now(), tokens.expiresIn),
			...(email ? {account: email} : {}),
		};
	},
	async refresh(context, credential) {
		// JSON body again, and no `scope`: sending one gets invalid_scope (docs/providers.md).
		const body = await postToken({
			fetch: context.fetch,
			url: context.endpoints['token'] ?? '',
			encoding: 'json',
			body: {
				grant_type: 'refresh_token',
				client_id: CLIENT_ID,
				refresh_token: credential.refresh,
			},
			...signalOf(context),
		});
		const tokens = readTokenResponse(body);
		// The refresh answer names the account too: an entry pi refreshed (which drops pi-auth's
		// label) gets it back, and profiles can tell accounts apart (profiles/identity.ts).
		const email = emailOf(tokens.body);
		return {
			access: tokens.accessToken,
			// The response may omit refresh_token (pi #9369 stored `undefined`): keep the old one.
			refresh: tokens.refreshToken ?? credential.refresh,
			expires: expiresAt(context.now(), tokens.expiresIn),
			...(email ? {account: email} : {}),
		};
	},
	apiKeyUrl: API_KEY_URL,
	fromSecret: (method, secret, now) =>
		credentialFromSecret(method, secret, now, {
			provider: 'anthropic',
			apiKeyPrefix: 'sk-ant-api',
			keyUrl: API_KEY_URL,
		}),
	fromEnv(env) {
		// pi's order: an OAuth token wins over an API key.
		const token = env['ANTHROPIC_OAUTH_TOKEN'];
		if (token) {
			return {
				variable: 'ANTHROPIC_OAUTH_TOKEN',
				credential: {
					type: 'oauth',
					access: token,
					refresh: '',
					expires: Number.POSITIVE_INFINITY,
				},
			};
		}

		const key = env['ANTHROPIC_API_KEY'];
		return key
			? {variable: 'ANTHROPIC_API_KEY', credential: {type: 'api_key', key}}
			: undefined;
	},
	account: storedAccount,
};
