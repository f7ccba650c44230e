// Kimi Code: RFC 8628 with form bodies (docs/providers.md "Kimi Code"). Its access tokens live about 15
// minutes, and every token reply must be complete: a reply missing a field is refused, never stored.
import type {OAuthCredential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {postToken} from '../oauth/http.js';
import {credentialFromSecret} from './secrets.js';
import type {Provider} from './types.js';
import {signalOf, startDeviceSignIn} from './requests.js';

const CLIENT_ID = '17e5f671-d194-4dfb-9706-5516cb48c098';
/** docs/providers.md: interval 5 s and a 900 s code when the server does not say. */
const DEFAULT_EXPIRES_IN_S = 900;

/**
docs/providers.md: every reply (login and refresh) needs a non-empty access_token and refresh_token and
expires_in > 0, and the refresh token is always replaced. Stored with no margin.
*/
const strictCredential = (
	body: Record<string, unknown>,
	now: number,
): OAuthCredential => {
	const access = body['access_token'];
	const refresh = body['refresh_token'];
	const expiresIn = body['expires_in'];
	if (
		typeof access !== 'string' ||
		access === '' ||
		typeof refresh !== 'string' ||
		refresh === '' ||
		typeof expiresIn !== 'number' ||
		!Number.isFinite(expiresIn) ||
		expiresIn <= 0 ||
		expiresIn > 10 * 365 * 24 * 3600
	) {
		throw new PiAuthError(
			'bad-response',
			'Kimi answered without a complete set of tokens (access token, refresh token and lifetime), so nothing was saved. Try again; if it keeps happening Kimi may have changed its protocol.',
		);
	}

	return {type: 'oauth', access, refresh, expires: now + expiresIn * 1000};
};

export const kimiCoding: Provider = {
	id: 'kimi-coding',
	name: 'Kimi Code',
	subscription: 'Kimi Code subscription',
	notice:
		"Kimi has not said whether its subscription may be used outside Kimi's own tools (MoonshotAI/kimi-code #1795).",
	methods: ['device', 'api-key'],
	endpointNames: ['deviceCode', 'token'],
	defaultEndpoints: () => ({
		deviceCode: 'https://auth.kimi.com/api/oauth/device_authorization',
		token: 'https://auth.kimi.com/api/oauth/token',
	}),
	async startDevice(context) {
		return startDeviceSignIn(context, {
			deviceUrl: context.endpoints['deviceCode'] ?? '',
			tokenUrl: context.endpoints['token'] ?? '',
			clientId: CLIENT_ID,
			// No scope: Kimi's client asks for none (docs/providers.md).
			body: {client_id: CLIENT_ID},
			read: {provider: 'Kimi', defaultExpiresIn: DEFAULT_EXPIRES_IN_S},
			finish: body => strictCredential(body, context.now()),
		});
	},
	async refresh(context, credential) {
		let body: Record<string, unknown>;
		try {
			body = await postToken({
				fetch: context.fetch,
				url: context.endpoints['token'] ?? '',
				encoding: 'form',
				body: {
					client_id: CLIENT_ID,
					grant_type: 'refresh_token',
					refresh_token: credential.refresh,
				},
				...signalOf(context),
			});
		} catch (error) {
			// docs/providers.md: 401 and 403 are permanent for Kimi, whatever the body (an HTML page too).
			if (
				error instanceof PiAuthError &&
				(error.status === 401 || error.status === 403) &&
				error.code !== 'revoked'
			) {
				throw new PiAuthError(
					'revoked',
					`Kimi no longer accepts this sign-in (HTTP ${error.status}). Sign in again.`,
					{
						cause: error,
						status: error.status,
						serverCode: error.serverCode ?? `http_${error.status}`,
					},
				);
			}

			throw error;
		}

		const {type: _type, ...fields} = strictCredential(body, context.now());
		return fields;
	},
	fromSecret: (method, secret, now) =>
		credentialFromSecret(method, secret, now, {provider: 'kimi-coding'}),
	fromEnv(env) {
		const key = env['KIMI_API_KEY'];
		return key
			? {variable: 'KIMI_API_KEY', credential: {type: 'api_key', key}}
			: undefined;
	},
};
