import {isRecord} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {
	type Fetch,
	type FetchInit,
	type FetchResponse,
	type HeaderReader,
	httpFetch,
} from './http-client.js';
import {type EndpointKind, hostOf, httpFailure} from './http-failure.js';
import {anyProxy, proxyFor} from './proxy.js';

export {isLoopbackUrl} from './loopback.js';
export {
	type EndpointKind,
	type FailureInput,
	errorCode,
	httpFailure,
	parseRetryAfter,
} from './http-failure.js';

export type {
	Fetch,
	FetchInit,
	FetchResponse,
	HeaderReader,
} from './http-client.js';

/** A response that arrived whole: status, headers and at most `maxBytes` of body. */
export type HttpResult = {
	status: number;
	headers: HeaderReader;
	bytes: Uint8Array;
	/** The parsed body, or undefined when it is empty or not JSON. */
	json: unknown;
};

export type SendOptions = {
	fetch: Fetch;
	url: string;
	init: FetchInit;
	timeoutMs?: number;
	signal?: AbortSignal;
	maxBytes?: number;
};

// docs/providers.md: bound every token or refresh call by 15 s.
export const DEFAULT_TIMEOUT_MS = 15_000;
// Token responses are a few KB; 1 MB leaves room for odd servers while capping memory.
export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = (url: string): PiAuthError =>
	new PiAuthError(
		'bad-response',
		`${hostOf(url)} sent an answer larger than ${MAX_BODY_BYTES / 1024} KB. Check the endpoint, then try again.`,
	);

const readCapped = async (
	response: FetchResponse,
	url: string,
	maxBytes: number,
): Promise<Uint8Array> => {
	const declared = Number(response.headers.get('content-length'));
	if (declared > maxBytes) {
		await response.body?.cancel().catch(() => undefined);
		throw tooLarge(url);
	}

	if (!response.body) return new Uint8Array();
	const reader = response.body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const {done, value} = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > maxBytes) {
			await reader.cancel().catch(() => undefined);
			throw tooLarge(url);
		}

		chunks.push(value);
	}

	return Buffer.concat(chunks);
};

const parseJson = (bytes: Uint8Array): unknown => {
	const text = new TextDecoder().decode(bytes);
	if (text.trim() === '') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		// The SyntaxError quotes the body, which may hold a secret: it is not kept as a cause.
		return undefined;
	}
};

/**
Sends one request and reads its whole body (capped), turning transport failures into PiAuthError:
the caller's signal → 'aborted', the timeout → 'timeout', anything else → 'network'. HTTP statuses
are left to the caller.
*/
export const sendRequest = async (
	options: SendOptions,
): Promise<HttpResult> => {
	const {url, timeoutMs = DEFAULT_TIMEOUT_MS, signal} = options;
	const timeout = AbortSignal.timeout(timeoutMs);
	const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
	try {
		const response = await options.fetch(url, {
			...options.init,
			signal: combined,
		});
		const bytes = await readCapped(
			response,
			url,
			options.maxBytes ?? MAX_BODY_BYTES,
		);
		return {
			status: response.status,
			headers: response.headers,
			bytes,
			json: parseJson(bytes),
		};
	} catch (error) {
		if (error instanceof PiAuthError) throw error;
		if (signal?.aborted) {
			throw new PiAuthError('aborted', 'The request was cancelled.', {
				cause: error,
			});
		}

		if (timeout.aborted) {
			throw new PiAuthError(
				'timeout',
				`${hostOf(url)} did not answer within ${Math.round(timeoutMs / 1000)} s. Check the connection and try again.`,
				{cause: error},
			);
		}

		throw new PiAuthError(
			'network',
			`Could not reach ${hostOf(url)}. Check the connection (and HTTPS_PROXY if you use a proxy), then try again.`,
			{cause: error},
		);
	}
};

export type RequestOptions = {
	fetch: Fetch;
	/** How a 401/403 reads: 'token' → 'revoked'; 'api' → 'bad-response' with the status. */
	kind?: EndpointKind;
	url: string;
	headers?: Record<string, string>;
	timeoutMs?: number;
	signal?: AbortSignal;
	now?: () => number;
};

const toObject = async (
	options: SendOptions & {kind?: EndpointKind; now?: () => number},
): Promise<Record<string, unknown>> => {
	const result = await sendRequest(options);
	if (result.status >= 200 && result.status < 300) {
		if (isRecord(result.json)) return result.json;
		throw new PiAuthError(
			'bad-response',
			`${hostOf(options.url)} answered HTTP ${result.status} without a JSON object. Check the endpoint, then try again.`,
			{status: result.status},
		);
	}

	throw httpFailure({
		status: result.status,
		body: result.json,
		headers: result.headers,
		url: options.url,
		kind: options.kind,
		now: (options.now ?? Date.now)(),
	});
};

/**
POSTs to a token endpoint, form-encoded (RFC 6749 §4.1.3) or JSON (Anthropic, docs/providers.md), and
returns the JSON object of a 2xx answer — even one that carries an `error`, which GitHub sends with
200 (check it with errorCode and throw httpFailure). Redirects are not followed: a token request
must not be replayed somewhere else.
*/
export const postToken = async (
	options: RequestOptions & {
		body: Record<string, string>;
		encoding: 'form' | 'json';
	},
): Promise<Record<string, unknown>> =>
	toObject({
		...options,
		kind: options.kind ?? 'token',
		init: {
			method: 'POST',
			redirect: 'manual',
			headers: {
				accept: 'application/json',
				'content-type':
					options.encoding === 'json'
						? 'application/json'
						: 'application/x-www-form-urlencoded',
				...options.headers,
			},
			body:
				options.encoding === 'json'
					? JSON.stringify(options.body)
					: new URLSearchParams(options.body).toString(),
		},
	});

/**
GETs a JSON object (Copilot's token and quota, usage endpoints) with the same classification.
`kind` defaults to 'api'; pass 'token' where a 401 means the stored grant is gone (Copilot's token
exchange with the GitHub token).
*/
export const getJson = async (
	options: RequestOptions,
): Promise<Record<string, unknown>> =>
	toObject({
		...options,
		kind: options.kind ?? 'api',
		init: {
			method: 'GET',
			headers: {accept: 'application/json', ...options.headers},
		},
	});

/**
Returns the fetch every request goes through: httpFetch (http-client.ts, node:http) when no proxy
variable is set, else one that sends each request through the proxy proxy.ts picks for its origin (curl's
rules: HTTPS_PROXY for https, HTTP_PROXY for http, NO_PROXY, never for loopback hosts), deciding
per connection, so a redirect to another origin is decided afresh. undici is imported only when a
proxy is set: it costs ~70 ms, and start-up time of `token` is measured. Values come from `env`
only, never from process.env behind its back.
*/
export const createFetch = async (env: NodeJS.ProcessEnv): Promise<Fetch> => {
	if (!anyProxy(env)) return httpFetch;
	const undici = await import('undici');
	const proxies = new Map<string, InstanceType<typeof undici.ProxyAgent>>();
	const through = (proxy: string) => {
		let agent = proxies.get(proxy);
		if (!agent) {
			agent = new undici.ProxyAgent(proxy);
			proxies.set(proxy, agent);
		}

		return agent;
	};

	const dispatcher = new undici.Agent().compose(
		dispatch => (options, handler) => {
			const proxy = proxyFor(new URL(String(options.origin)), env);
			return proxy === undefined
				? dispatch(options, handler)
				: through(proxy).dispatch(options, handler);
		},
	);
	const proxied = async (
		input: Parameters<Fetch>[0],
		init?: FetchInit,
	): Promise<Response> =>
		(await undici.fetch(
			input as Parameters<typeof undici.fetch>[0],
			{...init, dispatcher} as Parameters<typeof undici.fetch>[1],
		)) as unknown as Response;
	return proxied as Fetch;
};
