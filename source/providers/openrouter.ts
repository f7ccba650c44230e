/*
OpenRouter, docs/providers.md "OpenRouter": PKCE without client_id, scope or state. The callback path
carries a random UUID segment, which stands in for state (nobody can guess where to send a forged
code). The exchange is JSON and yields a permanent API key created in the user's account, stored
the way pi stores it: an OAuth entry with no refresh token that never expires.
*/
import {PiAuthError} from '../errors.js';
import {buildAuthorizeUrl} from '../oauth/authorize-url.js';
import {postToken} from '../oauth/http.js';
import {credentialFromSecret} from './secrets.js';
import type {Provider} from './types.js';
import {signalOf} from './requests.js';

/** pi's `expires` for a key that never expires: Number.MAX_SAFE_INTEGER (docs/providers.md). */
const NEVER = Number.MAX_SAFE_INTEGER;
/*
Only when no port at all could be bound (the list is "any free port"): the browser then fails to
load this address, and the user pastes it from the address bar.
*/
const PASTE_ONLY_PORT = 3000;

/** Where the user creates an API key. */
const API_KEY_URL = 'https://openrouter.ai/keys';

export const openrouter: Provider = {
	id: 'openrouter',
	name: 'OpenRouter',
	subscription: 'OpenRouter account (credits)',
	notice:
		'OpenRouter sign-in creates an API key in your account, billed against your credits.',
	methods: ['oauth', 'api-key'],
	endpointNames: ['authorize', 'keys'],
	defaultEndpoints: () => ({
		authorize: 'https://openrouter.ai/auth',
		keys: 'https://openrouter.ai/api/v1/auth/keys',
	}),
	callback: {ports: [0], path: '/oauth/callback', randomSegment: true},
	stateless: true,
	// 127.0.0.1, not localhost: that is the address the callback server binds (docs/providers.md).
	redirectUri: (port, path) =>
		`http://127.0.0.1:${port ?? PASTE_ONLY_PORT}${path}`,
	authorizeUrl: ({endpoints, redirectUri, challenge}) =>
		buildAuthorizeUrl(endpoints['authorize'] ?? '', {
			callback_url: redirectUri,
			code_challenge: challenge,
			code_challenge_method: 'S256',
		}),
	async exchangeCode(context, {code, verifier}) {
		// JSON, not a form, and the method is repeated in the body (docs/providers.md).
		const body = await postToken({
			fetch: context.fetch,
			url: context.endpoints['keys'] ?? '',
			encoding: 'json',
			body: {code, code_verifier: verifier, code_challenge_method: 'S256'},
			...signalOf(context),
		});
		const key = body['key'];
		if (typeof key !== 'string' || key === '') {
			throw new PiAuthError(
				'bad-response',
				'OpenRouter answered the sign-in without an API key. Start the sign-in again.',
			);
		}

		return {type: 'oauth', access: key, refresh: '', expires: NEVER};
	},
	// pi's refresh returns the entry unchanged: there is nothing to renew.
	refresh: async (_context, credential) => ({
		access: credential.access,
		expires: credential.expires,
	}),
	apiKeyUrl: API_KEY_URL,
	fromSecret: (method, secret, now) =>
		credentialFromSecret(method, secret, now, {
			provider: 'openrouter',
			keyUrl: API_KEY_URL,
		}),
	fromEnv(env) {
		const key = env['OPENROUTER_API_KEY'];
		return key
			? {variable: 'OPENROUTER_API_KEY', credential: {type: 'api_key', key}}
			: undefined;
	},
	signInGivesApiKey: true,
	logoutNote:
		'The API key this sign-in created still exists in your OpenRouter account until you revoke it there (in your OpenRouter settings, under keys).',
};
