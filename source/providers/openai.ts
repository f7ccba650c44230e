/*
Sign in with ChatGPT (`openai`), docs/providers.md "Sign in with ChatGPT": OpenAI's sign-in for agents,
used with the public API on the user's ChatGPT plan. PKCE with a dynamic client: the authorize
request names `dynamic_agent_client`, and the callback brings back a client_id issued for this
login, which the exchange and every refresh must use (stored as `clientId`). Form bodies; every
token reply must be complete and carry the direct-use scope.
*/
import {printableText} from '../printable.js';
import type {OAuthCredential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {buildAuthorizeUrl, randomState} from '../oauth/authorize-url.js';
import {loadDeviceId} from './device-id.js';
import {credentialFromSecret} from './secrets.js';
import {decodeJwtPayload, storedAccount} from './token-response.js';
import type {Provider, ProviderContext} from './types.js';
import {postForm} from './requests.js';

const DYNAMIC_CLIENT_ID = 'dynamic_agent_client';
const AGENT_NAME = 'pi-auth';
const RESOURCE = 'https://api.openai.com/v1';
const DIRECT_SCOPE = 'chatgpt.tokens.use.direct';
const SCOPE = `openid profile email offline_access resource.invoke ${DIRECT_SCOPE}`;
const CALLBACK_PORT = 1455;
const CALLBACK_PATH = '/auth/callback';
/** pi stores this provider's expiry 3 minutes early (docs/providers.md). */
const EXPIRY_MARGIN_MS = 3 * 60_000;

const incomplete = (what: string) =>
	new PiAuthError(
		'bad-response',
		`OpenAI answered the sign-in without ${what}, so nothing was saved. Start the sign-in again; if it keeps happening OpenAI may have changed its protocol.`,
	);

const nonEmpty = (value: unknown): value is string =>
	typeof value === 'string' && value.trim() !== '';

/** The reply pi accepts: access and refresh tokens, expires_in > 0, and a scope with direct use. */
const toCredential = (
	body: Record<string, unknown>,
	clientId: string,
	now: number,
): OAuthCredential => {
	const access = body['access_token'];
	const refresh = body['refresh_token'];
	const expiresIn = body['expires_in'];
	const scope = body['scope'];
	if (!nonEmpty(access)) throw incomplete('an access token');
	if (!nonEmpty(refresh)) throw incomplete('a refresh token');
	if (
		typeof expiresIn !== 'number' ||
		!Number.isFinite(expiresIn) ||
		expiresIn <= 0 ||
		expiresIn > 10 * 365 * 24 * 3600
	) {
		throw incomplete('a token lifetime');
	}

	const scopes = nonEmpty(scope) ? scope.trim().split(/\s+/) : [];
	if (!scopes.includes(DIRECT_SCOPE)) {
		throw new PiAuthError(
			'bad-response',
			`OpenAI signed you in without permission to use the token directly (${DIRECT_SCOPE}). Check that your ChatGPT plan allows Sign in with ChatGPT for agents, then sign in again.`,
		);
	}

	return {
		type: 'oauth',
		access,
		refresh,
		expires: now + expiresIn * 1000 - EXPIRY_MARGIN_MS,
		clientId,
		scopes,
	};
};

const tokenRequest = async (
	context: ProviderContext,
	body: Record<string, string>,
) => postForm(context, context.endpoints['token'] ?? '', body);

/** Where the user creates an API key. */
const API_KEY_URL = 'https://platform.openai.com/api-keys';

export const openai: Provider = {
	id: 'openai',
	name: 'OpenAI (Sign in with ChatGPT)',
	subscription: 'ChatGPT plan, used through the OpenAI API',
	methods: ['oauth', 'api-key'],
	endpointNames: ['authorize', 'token'],
	defaultEndpoints: () => ({
		authorize: 'https://auth.openai.com/api/accounts/authorize',
		token: 'https://auth.openai.com/api/accounts/oauth/token',
	}),
	/*
	docs/providers.md: 127.0.0.1:1455 and no fallback port. When 1455 is busy pi fails; pi-auth goes
	paste-only instead, keeping the same redirect_uri: the browser then lands on whatever holds the
	port (or on nothing), and the address bar still holds the whole callback URL with client_id.
	*/
	callback: {
		ports: [CALLBACK_PORT],
		path: CALLBACK_PATH,
		requiredParams: ['client_id'],
	},
	// The issued client_id travels only in the callback URL: a bare code is not enough.
	pasteWholeUrl: true,
	newState: () => randomState(32, 'base64url'),
	redirectUri: port =>
		`http://127.0.0.1:${port ?? CALLBACK_PORT}${CALLBACK_PATH}`,
	async prepareBrowser(context) {
		if (!context.stateDir) {
			throw new PiAuthError(
				'usage',
				'Sign in with ChatGPT needs pi-auth’s state folder for its device id.',
			);
		}

		return {deviceId: await loadDeviceId(context.stateDir)};
	},
	authorizeUrl: ({endpoints, redirectUri, challenge, state, prepared}) =>
		buildAuthorizeUrl(endpoints['authorize'] ?? '', {
			client_id: DYNAMIC_CLIENT_ID,
			agent_name_hint: AGENT_NAME,
			ext_agent_host_id: `urn:uuid:${prepared?.['deviceId'] ?? ''}`,
			response_type: 'code',
			redirect_uri: redirectUri,
			resource: RESOURCE,
			scope: SCOPE,
			state,
			code_challenge: challenge,
			code_challenge_method: 'S256',
			// OIDC replay protection: 32 random bytes, like the state (docs/providers.md).
			nonce: randomState(32, 'base64url'),
		}),
	async exchangeCode(context, {code, verifier, redirectUri, params}) {
		const clientId = params?.['client_id']?.trim();
		if (!clientId) throw incomplete('the client id it issued for this sign-in');
		const body = await tokenRequest(context, {
			grant_type: 'authorization_code',
			client_id: clientId,
			code,
			code_verifier: verifier,
			redirect_uri: redirectUri,
			resource: RESOURCE,
		});
		// pi checks that an ID token came back, as part of the reply's contract (docs/providers.md).
		if (!nonEmpty(body['id_token'])) throw incomplete('an ID token');
		const credential = toCredential(body, clientId, context.now());
		// An email from the provider is shown and stored: no control characters (printable.ts).
		const email = printableText(decodeJwtPayload(body['id_token'])?.['email']);
		return email ? {...credential, account: email} : credential;
	},
	async refresh(context, credential) {
		const clientId = credential['clientId'];
		if (!nonEmpty(clientId)) {
			// An entry without its issued client cannot be refreshed by anyone: a new sign-in is needed.
			throw new PiAuthError(
				'revoked',
				'The stored ChatGPT sign-in has no client id, so it cannot be refreshed. Sign in again.',
				{serverCode: 'missing_client_id'},
			);
		}

		const {type: _type, ...fields} = toCredential(
			await tokenRequest(context, {
				grant_type: 'refresh_token',
				client_id: clientId,
				refresh_token: credential.refresh,
				resource: RESOURCE,
			}),
			clientId,
			context.now(),
		);
		return fields;
	},
	apiKeyUrl: API_KEY_URL,
	fromSecret: (method, secret, now) =>
		credentialFromSecret(method, secret, now, {
			provider: 'openai',
			keyUrl: API_KEY_URL,
		}),
	fromEnv(env) {
		const key = env['OPENAI_API_KEY'];
		return key
			? {variable: 'OPENAI_API_KEY', credential: {type: 'api_key', key}}
			: undefined;
	},
	account: storedAccount,
};
