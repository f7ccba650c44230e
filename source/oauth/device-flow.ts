/*
The two RFC 8628 requests the device-code providers share (xAI, Kimi Code, Meta, Radius): reading
the §3.2 device authorization response, and one §3.4 token request read into a poll state. The
loop itself is device-poller.ts. Providers that depart from the RFC (Codex, GitHub) keep their own.
*/
import {PiAuthError} from '../errors.js';
import type {DevicePoll} from './device-poller.js';
import {type Fetch, errorCode, httpFailure, postToken} from './http.js';
import {isLoopbackUrl} from './loopback.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export type DeviceStart = {
	deviceCode: string;
	userCode: string;
	/** What to show: `verification_uri_complete` when the server sent one, else `verification_uri`. */
	verificationUri: string;
	/** Seconds; undefined when absent or not positive (the poller then waits 5 s, RFC 8628 §3.2). */
	intervalSeconds?: number;
	expiresInSeconds: number;
};

export type UrlRule = {
	/** Only https (xAI, docs/providers.md); http stays allowed for a loopback endpoint the config set. */
	httpsOnly?: boolean;
	/** The endpoint that sent the URL: a loopback http endpoint (a test server) may send http. */
	endpoint: string;
};

/**
A provider-supplied URL that pi-auth prints and may hand to a browser opener: only http(s), so a
hostile answer cannot make the opener launch a `file:` URL or another handler. WHATWG URL
serialisation percent-encodes control characters, so the result is safe in a terminal link.
*/
export const trustedUrl = (
	value: unknown,
	rule: UrlRule,
): string | undefined => {
	if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
	const url = new URL(value);
	if (url.protocol === 'https:') return url.href;
	const localTest = isLoopbackUrl(rule.endpoint) && isLoopbackUrl(url.href);
	if (url.protocol === 'http:' && (!rule.httpsOnly || localTest)) {
		return url.href;
	}

	return undefined;
};

const positive = (value: unknown): number | undefined => {
	const number = typeof value === 'string' ? Number(value) : value;
	return typeof number === 'number' && Number.isFinite(number) && number > 0
		? number
		: undefined;
};

/** User codes are short and printed large: anything else is not a code pi-auth will show. */
const USER_CODE = /^[\w-]{1,32}$/;

/**
RFC 8628 §3.2, read tolerantly: `verification_uri_complete` is preferred (docs/providers.md: every one of
these providers sends it), the interval and lifetime fall back to defaults.
*/
export const readDeviceStart = (
	body: Record<string, unknown>,
	options: UrlRule & {provider: string; defaultExpiresIn?: number},
): DeviceStart => {
	const deviceCode = body['device_code'];
	const userCode = body['user_code'];
	const verificationUri =
		trustedUrl(body['verification_uri_complete'], options) ??
		trustedUrl(body['verification_uri'], options);
	if (
		typeof deviceCode !== 'string' ||
		deviceCode === '' ||
		typeof userCode !== 'string' ||
		!USER_CODE.test(userCode) ||
		!verificationUri
	) {
		throw new PiAuthError(
			'bad-response',
			`${options.provider} answered the device sign-in request without a usable code or ${options.httpsOnly ? 'https ' : ''}verification address. Try again in a moment.`,
		);
	}

	const intervalSeconds = positive(body['interval']);
	return {
		deviceCode,
		userCode,
		verificationUri,
		...(intervalSeconds === undefined ? {} : {intervalSeconds}),
		expiresInSeconds:
			positive(body['expires_in']) ?? options.defaultExpiresIn ?? 900,
	};
};

const pollState = (
	code: string | undefined,
): {status: 'pending'} | {status: 'slow_down'} | undefined => {
	if (code === 'authorization_pending') return {status: 'pending'};
	if (code === 'slow_down') return {status: 'slow_down'};
	return undefined;
};

/**
One RFC 8628 §3.4 token request. §3.5's authorization_pending and slow_down (HTTP 400, or 200 with
an `error` as GitHub sends them) become poll states; access_denied and expired_token arrive as the
'access-denied' and 'code-expired' errors of http-failure.ts (xAI's `authorization_denied` too);
anything else is thrown as classified there. A success is the raw token response.
*/
export const pollDeviceToken = async (request: {
	fetch: Fetch;
	url: string;
	body: Record<string, string>;
	signal?: AbortSignal;
}): Promise<DevicePoll<Record<string, unknown>>> => {
	let body: Record<string, unknown>;
	try {
		body = await postToken({
			fetch: request.fetch,
			url: request.url,
			encoding: 'form',
			body: request.body,
			...(request.signal ? {signal: request.signal} : {}),
		});
	} catch (error) {
		if (!(error instanceof PiAuthError)) throw error;
		const state = pollState(error.serverCode);
		if (state) return state;
		if (error.serverCode === 'authorization_denied') {
			throw new PiAuthError(
				'access-denied',
				'Access was denied. Start the sign-in again and approve access.',
				{status: error.status, serverCode: error.serverCode},
			);
		}

		throw error;
	}

	const refused = errorCode(body);
	const state = pollState(refused);
	if (state) return state;
	if (refused !== undefined) {
		throw httpFailure({status: 200, body, url: request.url});
	}

	return {status: 'done', value: body};
};

/**
A started device sign-in as the engine drives it: the start's code, page and numbers, and a poll
that sends RFC 8628 §3.4's token request and turns a success into a credential with `finish`.
*/
export const deviceSession = <T>(
	start: DeviceStart,
	request: {
		fetch: Fetch;
		url: string;
		clientId: string;
		signal?: AbortSignal;
	},
	finish: (body: Record<string, unknown>) => T | Promise<T>,
) => ({
	userCode: start.userCode,
	verificationUri: start.verificationUri,
	expiresInSeconds: start.expiresInSeconds,
	...(start.intervalSeconds === undefined
		? {}
		: {intervalSeconds: start.intervalSeconds}),
	async poll(): Promise<DevicePoll<T>> {
		const answer = await pollDeviceToken({
			fetch: request.fetch,
			url: request.url,
			body: {
				grant_type: DEVICE_GRANT,
				client_id: request.clientId,
				device_code: start.deviceCode,
			},
			...(request.signal ? {signal: request.signal} : {}),
		});
		return answer.status === 'done'
			? {status: 'done', value: await finish(answer.value)}
			: answer;
	},
});
