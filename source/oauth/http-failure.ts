import {isRecord} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import type {HeaderReader} from './http-client.js';

export type EndpointKind = 'token' | 'api';

export const hostOf = (url: string): string => {
	try {
		return new URL(url).host;
	} catch {
		return 'the server';
	}
};

// Only identifier-like codes: they go into messages and `serverCode`, so free text is dropped.
const SERVER_CODE = /^[\w.:-]{1,100}$/;

/** A provider's error code safe to put in a message (`invalid_grant`), or undefined for free text. */
export const safeServerCode = (value: unknown): string | undefined =>
	typeof value === 'string' && SERVER_CODE.test(value) ? value : undefined;

/**
The provider's error code from an error body: RFC 6749 §5.2 `{"error": "invalid_grant"}`, OpenAI's
`{"error": {"code": "refresh_token_reused", "message": …}}`, or `{"error": {"type": …}}`.
*/
export const errorCode = (body: unknown): string | undefined => {
	if (!isRecord(body)) return undefined;
	const error = body['error'];
	let code: unknown = error;
	if (isRecord(error)) code = error['code'] ?? error['type'];
	return safeServerCode(code);
};

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. 0, past dates and garbage mean "not said". */
export const parseRetryAfter = (
	value: string | null,
	now: number,
): number | undefined => {
	if (value === null) return undefined;
	const text = value.trim();
	const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
	return Number.isFinite(ms) && ms > 0 ? ms : undefined;
};

/*
Refresh tokens that no longer work: RFC 6749's invalid_grant, and OpenAI's single-use rotation codes
(docs/providers.md: "sign in again").
*/
const REVOKED_CODES = new Set([
	'invalid_grant',
	'refresh_token_reused',
	'refresh_token_expired',
	'refresh_token_invalidated',
]);

export type FailureInput = {
	status: number;
	/** The parsed JSON body; undefined when the body was empty or not JSON. */
	body: unknown;
	headers?: HeaderReader;
	url: string;
	/** A token endpoint's 401/403 means the grant is gone; an API's may be something else. */
	kind?: EndpointKind;
	now?: number;
};

/**
The one classifier of failed provider responses (http.ts and the adapters). It also accepts
a 200 carrying an `error` (GitHub answers device-flow errors with 200, docs/providers.md), so providers
can throw the same errors for it. Messages hold the host, the status and the server's error code
only: never a body or a token.
*/
export const httpFailure = (input: FailureInput): PiAuthError => {
	const {status, body, url, kind = 'token'} = input;
	const host = hostOf(url);
	const serverCode = errorCode(body);
	const options = {status, ...(serverCode ? {serverCode} : {})};
	const said = serverCode ? ` (${serverCode})` : '';
	if (status === 429) {
		const retryAfterMs = parseRetryAfter(
			input.headers?.get('retry-after') ?? null,
			input.now ?? Date.now(),
		);
		const when =
			retryAfterMs === undefined
				? 'Wait a minute'
				: `Wait ${Math.ceil(retryAfterMs / 1000)} s`;
		return new PiAuthError(
			'rate-limited',
			`${host} is rate-limiting requests (HTTP 429). ${when} and try again.`,
			{...options, ...(retryAfterMs === undefined ? {} : {retryAfterMs})},
		);
	}

	if (status >= 500) {
		return new PiAuthError(
			'server-error',
			`${host} had a server error (HTTP ${status})${said}. Try again later.`,
			options,
		);
	}

	/*
	A non-JSON 401/403 is usually a CDN or proxy block page, not the provider revoking the grant:
	calling it 'revoked' would send the user through a needless sign-in, so it is a bad response.
	*/
	if (body === undefined) {
		return new PiAuthError(
			'bad-response',
			`${host} answered HTTP ${status} with something that is not JSON. Check the endpoint and any proxy, then try again.`,
			options,
		);
	}

	if (serverCode !== undefined && REVOKED_CODES.has(serverCode)) {
		return new PiAuthError(
			'revoked',
			`${host} no longer accepts this sign-in${said}. Sign in again.`,
			options,
		);
	}

	if (serverCode === 'access_denied') {
		return new PiAuthError(
			'access-denied',
			'Access was denied. Start the sign-in again and approve access.',
			options,
		);
	}

	// RFC 8628 §3.5: the device code's lifetime ran out.
	if (serverCode === 'expired_token') {
		return new PiAuthError(
			'code-expired',
			'The sign-in code has expired. Start the sign-in again.',
			options,
		);
	}

	if ((status === 401 || status === 403) && kind === 'token') {
		return new PiAuthError(
			'revoked',
			`${host} refused the stored credentials (HTTP ${status})${said}. Sign in again.`,
			options,
		);
	}

	return new PiAuthError(
		'bad-response',
		`${host} refused the request (HTTP ${status})${said}.`,
		options,
	);
};
