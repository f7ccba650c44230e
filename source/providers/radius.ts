/*
Radius, pi's own model gateway (docs/providers.md "Radius"). Every URL derives from the gateway base
(the config file's `gateway` endpoint replaces it); only the browser's authorize page is discovered,
with GET <gateway>/v1/oauth. Requests are RFC 6749 / RFC 8628 form bodies.
*/
import type {OAuthCredential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {buildAuthorizeUrl} from '../oauth/authorize-url.js';
import {trustedUrl} from '../oauth/device-flow.js';
import {getJson} from '../oauth/http.js';
import {credentialFromSecret} from './secrets.js';
import {readTokenResponse} from './token-response.js';
import type {Endpoints, Provider, ProviderContext} from './types.js';
import {postForm, signalOf, startDeviceSignIn} from './requests.js';

const CLIENT_ID = 'pi-gateway';
const SCOPE = 'gateway offline_access';
const CALLBACK_PORT = 1456;
const CALLBACK_PATH = '/oauth/callback';
/** pi stores Radius expiry 60 s early (docs/providers.md). */
const EXPIRY_MARGIN_MS = 60_000;
const DEFAULT_LIFETIME_S = 3600;

/** `<gateway>/v1/oauth…`: the base may carry a path of its own (a gateway behind a prefix). */
const gatewayUrl = (endpoints: Endpoints, path: string) =>
	`${(endpoints['gateway'] ?? '').replace(/\/+$/, '')}${path}`;

const toCredential = (
	body: Record<string, unknown>,
	now: number,
	previousRefresh = '',
): OAuthCredential => {
	const tokens = readTokenResponse(body);
	const refresh = tokens.refreshToken ?? previousRefresh;
	if (!refresh) {
		throw new PiAuthError(
			'bad-response',
			'Radius signed you in without a refresh token, so the sign-in could not be kept alive. Start the sign-in again.',
		);
	}

	const scope = body['scope'];
	return {
		type: 'oauth',
		access: tokens.accessToken,
		refresh,
		expires:
			now + (tokens.expiresIn ?? DEFAULT_LIFETIME_S) * 1000 - EXPIRY_MARGIN_MS,
		...(typeof scope === 'string' ? {scope} : {}),
	};
};

const tokenRequest = async (
	context: ProviderContext,
	body: Record<string, string>,
) => postForm(context, gatewayUrl(context.endpoints, '/v1/oauth/token'), body);

export const radius: Provider = {
	id: 'radius',
	name: "Radius (pi's gateway)",
	subscription: "pi's model gateway",
	methods: ['oauth', 'device', 'api-key'],
	endpointNames: ['gateway'],
	defaultEndpoints: () => ({gateway: 'https://radius.pi.dev'}),
	// docs/providers.md: pi has no port fallback; pi-auth goes paste-only with the same redirect_uri.
	callback: {ports: [CALLBACK_PORT], path: CALLBACK_PATH},
	newState: () => globalThis.crypto.randomUUID(),
	redirectUri: port =>
		`http://127.0.0.1:${port ?? CALLBACK_PORT}${CALLBACK_PATH}`,
	async prepareBrowser(context) {
		const url = gatewayUrl(context.endpoints, '/v1/oauth');
		const discovery = await getJson({
			fetch: context.fetch,
			url,
			...signalOf(context),
		});
		const authorize = trustedUrl(discovery['authorizationEndpoint'], {
			endpoint: url,
		});
		if (!authorize) {
			throw new PiAuthError(
				'bad-response',
				`The Radius gateway at ${new URL(url).host} did not name its sign-in page. Check the gateway address, then try again.`,
			);
		}

		return {authorize};
	},
	authorizeUrl: ({prepared, redirectUri, challenge, state}) =>
		buildAuthorizeUrl(prepared?.['authorize'] ?? '', {
			response_type: 'code',
			client_id: CLIENT_ID,
			redirect_uri: redirectUri,
			scope: SCOPE,
			code_challenge: challenge,
			code_challenge_method: 'S256',
			handoff: 'url',
			state,
		}),
	async exchangeCode(context, {code, verifier, redirectUri}) {
		return toCredential(
			await tokenRequest(context, {
				grant_type: 'authorization_code',
				client_id: CLIENT_ID,
				redirect_uri: redirectUri,
				code,
				code_verifier: verifier,
			}),
			context.now(),
		);
	},
	async startDevice(context) {
		return startDeviceSignIn(context, {
			deviceUrl: gatewayUrl(context.endpoints, '/v1/oauth/device'),
			tokenUrl: gatewayUrl(context.endpoints, '/v1/oauth/token'),
			clientId: CLIENT_ID,
			body: {client_id: CLIENT_ID, scope: SCOPE},
			read: {provider: 'Radius'},
			finish: body => toCredential(body, context.now()),
		});
	},
	async refresh(context, credential) {
		const {type: _type, ...fields} = toCredential(
			await tokenRequest(context, {
				grant_type: 'refresh_token',
				client_id: CLIENT_ID,
				refresh_token: credential.refresh,
			}),
			context.now(),
			credential.refresh,
		);
		return fields;
	},
	fromSecret: (method, secret, now) =>
		credentialFromSecret(method, secret, now, {provider: 'radius'}),
	fromEnv(env) {
		const key = env['RADIUS_API_KEY'];
		return key
			? {variable: 'RADIUS_API_KEY', credential: {type: 'api_key', key}}
			: undefined;
	},
};
