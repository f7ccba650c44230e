import * as oauth from 'oauth4webapi';
import {PiAuthError} from '../errors.js';
import type {DevicePoll} from './device-poller.js';
import {
	type Fetch,
	type HttpResult,
	httpFailure,
	isLoopbackUrl,
	sendRequest,
} from './http.js';

/** What every grant returns; `raw` keeps the provider's extra fields (id_token claims, account ids). */
export type TokenSet = {
	accessToken: string;
	refreshToken?: string;
	expiresIn?: number;
	idToken?: string;
	raw: Record<string, unknown>;
};

type Common = {
	fetch: Fetch;
	clientId: string;
	/** The issuer an ID token or RFC 9207 `iss` must name; default: the endpoint's origin. */
	issuer?: string;
	headers?: Record<string, string>;
	timeoutMs?: number;
	signal?: AbortSignal;
};

type Step<T> = (
	as: oauth.AuthorizationServer,
	client: oauth.Client,
	options: oauth.TokenEndpointRequestOptions,
) => Promise<T>;

// A public client (RFC 8252 §8.4): no secret, only client_id in the body.
const clientAuth = oauth.None();

const sanitized = (error: Error): Error => {
	// oauth4webapi's causes carry the response body (tokens included): keep only name, code, message.
	const code = (error as {code?: unknown}).code;
	return new Error(
		`${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`,
	);
};

const isOauthError = (error: unknown): error is Error =>
	error instanceof oauth.OperationProcessingError ||
	error instanceof oauth.ResponseBodyError ||
	error instanceof oauth.WWWAuthenticateChallengeError ||
	error instanceof oauth.AuthorizationResponseError ||
	error instanceof oauth.UnsupportedOperationError;

/**
One mapping for everything oauth4webapi throws. When the server answered non-2xx, the response we
buffered is classified by http.ts's httpFailure — the same rules as postToken — with the
WWW-Authenticate error as the code if the body had none (RFC 6750 §3).
*/
const toPiAuthError = (
	error: unknown,
	last: HttpResult | undefined,
	url: string,
): unknown => {
	if (error instanceof PiAuthError || !isOauthError(error)) return error;
	const code = (error as {code?: unknown}).code;
	if (
		code === oauth.HTTP_REQUEST_FORBIDDEN ||
		code === oauth.REQUEST_PROTOCOL_FORBIDDEN
	) {
		return new PiAuthError(
			'config',
			'OAuth endpoints must use https:// (http:// is allowed only for localhost). Fix the endpoint in the config file.',
			{cause: sanitized(error)},
		);
	}

	if (error instanceof oauth.AuthorizationResponseError) {
		return httpFailure({status: 400, body: {error: error.error}, url});
	}

	if (last && (last.status < 200 || last.status >= 300)) {
		let body = last.json;
		if (error instanceof oauth.WWWAuthenticateChallengeError) {
			const challenge = error.cause.find(item => item.parameters.error);
			if (challenge && body === undefined) {
				body = {error: challenge.parameters.error};
			}
		}

		const failure = httpFailure({
			status: last.status,
			body,
			headers: last.headers,
			url,
			kind: 'token',
		});
		return new PiAuthError(failure.code, failure.message, {
			cause: sanitized(error),
			status: failure.status,
			serverCode: failure.serverCode,
			retryAfterMs: failure.retryAfterMs,
		});
	}

	const mixUp = code === oauth.INVALID_RESPONSE && last === undefined;
	return new PiAuthError(
		'bad-response',
		mixUp
			? 'The sign-in answer does not match this sign-in (wrong issuer or state). Start the sign-in again.'
			: `The answer from ${new URL(url).host} could not be used. Try again; if it keeps happening, check the endpoint.`,
		{cause: sanitized(error)},
	);
};

/** Runs one request/response pair with our fetch, timeout, body cap and error mapping. */
const exchange = async <T>(
	common: Common,
	endpoints: {token_endpoint?: string; device_authorization_endpoint?: string},
	url: string,
	step: Step<T>,
): Promise<T> => {
	let last: HttpResult | undefined;
	const customFetch = async (
		target: string,
		init: oauth.CustomFetchOptions<string, unknown>,
	): Promise<Response> => {
		last = await sendRequest({
			fetch: common.fetch,
			url: target,
			init: {
				method: init.method,
				headers: init.headers,
				body: init.body as RequestInit['body'],
				redirect: 'manual',
			},
			...(common.timeoutMs === undefined ? {} : {timeoutMs: common.timeoutMs}),
			...(common.signal ? {signal: common.signal} : {}),
		});
		// Statuses that may not carry a body in a Response (Fetch standard "null body status").
		const empty = [101, 103, 204, 205, 304].includes(last.status);
		return new Response(empty ? null : last.bytes, {
			status: last.status,
			headers: last.headers,
		});
	};

	const as: oauth.AuthorizationServer = {
		issuer: common.issuer ?? new URL(url).origin,
		...endpoints,
	};
	const client: oauth.Client = {
		client_id: common.clientId,
		token_endpoint_auth_method: 'none',
	};
	// testing.md: http:// needs allowInsecureRequests; given only for a loopback endpoint.
	const insecure = new URL(url).protocol === 'http:' && isLoopbackUrl(url);
	try {
		return await step(as, client, {
			[oauth.customFetch]: customFetch,
			...(insecure ? {[oauth.allowInsecureRequests]: true} : {}),
			...(common.headers ? {headers: common.headers} : {}),
		});
	} catch (error) {
		throw toPiAuthError(error, last, url);
	}
};

const tokenSet = (response: oauth.TokenEndpointResponse): TokenSet => ({
	accessToken: response.access_token,
	...(response.refresh_token ? {refreshToken: response.refresh_token} : {}),
	...(typeof response.expires_in === 'number'
		? {expiresIn: response.expires_in}
		: {}),
	...(response.id_token ? {idToken: response.id_token} : {}),
	raw: {...response},
});

/**
RFC 6749 §4.1.3 with RFC 7636 `code_verifier`. `callbackParams` are the redirect's parameters
(`code`, `state`, RFC 9207 `iss`): given, they go through oauth4webapi's validateAuthResponse, which
checks `iss` against `issuer` (and `state` when expectedState is given). Without them the bare code
is used, as pasted codes have no `iss`.
*/
export const authorizationCodeGrant = async (
	options: Common & {
		tokenEndpoint: string;
		code: string;
		codeVerifier: string;
		redirectUri: string;
		callbackParams?: URLSearchParams;
		expectedState?: string;
	},
): Promise<TokenSet> =>
	exchange(
		options,
		{token_endpoint: options.tokenEndpoint},
		options.tokenEndpoint,
		async (as, client, requestOptions) => {
			const given = new URLSearchParams(options.callbackParams);
			if (!given.has('code')) given.set('code', options.code);
			/*
			RFC 6749 §10.12: `state` is checked where the redirect arrives. With callbackParams that is
			here; a bare pasted code carries no state (parsePaste already checked any it had), so
			expecting one would refuse every pasted code as a "state missing" mix-up.
			*/
			const expected =
				options.callbackParams && options.expectedState !== undefined
					? options.expectedState
					: given.has('state')
						? oauth.skipStateCheck
						: oauth.expectNoState;
			const params = oauth.validateAuthResponse(as, client, given, expected);
			const response = await oauth.authorizationCodeGrantRequest(
				as,
				client,
				clientAuth,
				params,
				options.redirectUri,
				options.codeVerifier,
				requestOptions,
			);
			return tokenSet(
				await oauth.processAuthorizationCodeResponse(as, client, response),
			);
		},
	);

/** RFC 6749 §6. No `scope` is sent: Anthropic answers invalid_scope to one (providers.md). */
export const refreshTokenGrant = async (
	options: Common & {tokenEndpoint: string; refreshToken: string},
): Promise<TokenSet> =>
	exchange(
		options,
		{token_endpoint: options.tokenEndpoint},
		options.tokenEndpoint,
		async (as, client, requestOptions) => {
			const response = await oauth.refreshTokenGrantRequest(
				as,
				client,
				clientAuth,
				options.refreshToken,
				requestOptions,
			);
			return tokenSet(
				await oauth.processRefreshTokenResponse(as, client, response),
			);
		},
	);

export type DeviceAuthorization = {
	deviceCode: string;
	userCode: string;
	verificationUri: string;
	verificationUriComplete?: string;
	expiresIn: number;
	/** Absent when the server sent none (oidc-provider): pollDevice then uses 5 s. */
	interval?: number;
};

/** RFC 8628 §3.1–3.2. */
export const deviceAuthorization = async (
	options: Common & {deviceAuthorizationEndpoint: string; scope: string},
): Promise<DeviceAuthorization> =>
	exchange(
		options,
		{device_authorization_endpoint: options.deviceAuthorizationEndpoint},
		options.deviceAuthorizationEndpoint,
		async (as, client, requestOptions) => {
			const response = await oauth.deviceAuthorizationRequest(
				as,
				client,
				clientAuth,
				{scope: options.scope},
				requestOptions,
			);
			const body = await oauth.processDeviceAuthorizationResponse(
				as,
				client,
				response,
			);
			return {
				deviceCode: body.device_code,
				userCode: body.user_code,
				verificationUri: body.verification_uri,
				...(body.verification_uri_complete
					? {verificationUriComplete: body.verification_uri_complete}
					: {}),
				expiresIn: body.expires_in,
				...(body.interval === undefined ? {} : {interval: body.interval}),
			};
		},
	);

/**
One RFC 8628 §3.4 token request, for pollDevice: authorization_pending and slow_down (§3.5) become
poll states; access_denied and expired_token become 'access-denied' and 'code-expired'.
*/
export const deviceCodeGrantPoll = async (
	options: Common & {tokenEndpoint: string; deviceCode: string},
): Promise<DevicePoll<TokenSet>> =>
	exchange(
		options,
		{token_endpoint: options.tokenEndpoint},
		options.tokenEndpoint,
		async (as, client, requestOptions) => {
			const response = await oauth.deviceCodeGrantRequest(
				as,
				client,
				clientAuth,
				options.deviceCode,
				requestOptions,
			);
			try {
				const value = tokenSet(
					await oauth.processDeviceCodeResponse(as, client, response),
				);
				return {status: 'done', value};
			} catch (error) {
				if (error instanceof oauth.ResponseBodyError) {
					if (error.error === 'authorization_pending')
						return {status: 'pending'};
					if (error.error === 'slow_down') return {status: 'slow_down'};
				}

				throw error;
			}
		},
	);
