// xAI's sign-in is plain RFC 8628 with form bodies (docs/providers.md "xAI"); its departures are small:
// a `referrer` on the device request, https-only verification pages, and a default token lifetime.
import {printableText} from '../printable.js';
import type {OAuthCredential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {credentialFromSecret} from './secrets.js';
import {
	type TokenResponse,
	decodeJwtPayload,
	readTokenResponse,
	storedAccount,
} from './token-response.js';
import type {Provider, ProviderContext} from './types.js';
import {postForm, startDeviceSignIn} from './requests.js';

const CLIENT_ID = 'b1a00492-073a-47ea-816f-4c329264a828';
const SCOPE = 'openid profile email offline_access grok-cli:access api:access';
/** pi stores xAI expiry 5 minutes early; missing expires_in means an hour (docs/providers.md). */
const EXPIRY_MARGIN_MS = 5 * 60_000;
const DEFAULT_LIFETIME_S = 3600;

const emailOf = (tokens: TokenResponse): string | undefined => {
	const email = tokens.idToken
		? decodeJwtPayload(tokens.idToken)?.['email']
		: undefined;
	// An email from the provider is shown and stored: no control characters (printable.ts).
	return printableText(email);
};

const expiresAt = (context: ProviderContext, tokens: TokenResponse) =>
	context.now() +
	(tokens.expiresIn ?? DEFAULT_LIFETIME_S) * 1000 -
	EXPIRY_MARGIN_MS;

const tokenRequest = async (
	context: ProviderContext,
	body: Record<string, string>,
) =>
	readTokenResponse(
		await postForm(context, context.endpoints['token'] ?? '', body),
	);

/** Where the user creates an API key. */
const API_KEY_URL = 'https://console.x.ai';

export const xai: Provider = {
	id: 'xai',
	name: 'xAI (SuperGrok / X Premium)',
	subscription: 'SuperGrok or X Premium subscription',
	notice: 'xAI agreed to pi using subscription sign-in (pi #6461).',
	methods: ['device', 'api-key'],
	endpointNames: ['deviceCode', 'token'],
	defaultEndpoints: () => ({
		deviceCode: 'https://auth.x.ai/oauth2/device/code',
		token: 'https://auth.x.ai/oauth2/token',
	}),
	async startDevice(context) {
		return startDeviceSignIn(context, {
			deviceUrl: context.endpoints['deviceCode'] ?? '',
			tokenUrl: context.endpoints['token'] ?? '',
			clientId: CLIENT_ID,
			// docs/providers.md: pi sends referrer=pi; this is pi-auth.
			body: {client_id: CLIENT_ID, scope: SCOPE, referrer: 'pi-auth'},
			// The page is opened in a browser: xAI's is https, and nothing else is taken from it.
			read: {provider: 'xAI', httpsOnly: true},
			finish: body => {
				const tokens = readTokenResponse(body);
				if (!tokens.refreshToken) {
					throw new PiAuthError(
						'bad-response',
						'xAI signed you in without a refresh token, so the sign-in could not be kept alive. Start the sign-in again.',
					);
				}

				const email = emailOf(tokens);
				const credential: OAuthCredential = {
					type: 'oauth',
					access: tokens.accessToken,
					refresh: tokens.refreshToken,
					expires: expiresAt(context, tokens),
					...(email ? {account: email} : {}),
				};
				return credential;
			},
		});
	},
	async refresh(context, credential) {
		const tokens = await tokenRequest(context, {
			grant_type: 'refresh_token',
			client_id: CLIENT_ID,
			refresh_token: credential.refresh,
		});
		return {
			access: tokens.accessToken,
			// xAI may keep the refresh token unrotated and omit it (docs/providers.md): keep the old one.
			refresh: tokens.refreshToken ?? credential.refresh,
			expires: expiresAt(context, tokens),
		};
	},
	apiKeyUrl: API_KEY_URL,
	fromSecret: (method, secret, now) =>
		credentialFromSecret(method, secret, now, {
			provider: 'xai',
			keyUrl: API_KEY_URL,
		}),
	fromEnv(env) {
		const key = env['XAI_API_KEY'];
		return key
			? {variable: 'XAI_API_KEY', credential: {type: 'api_key', key}}
			: undefined;
	},
	account: storedAccount,
};
