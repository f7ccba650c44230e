import type {IncomingMessage} from 'node:http';
import type {Readable} from 'node:stream';

/*
The fetch() pi-auth sends its requests with when no proxy applies, on node:http and node:https.
Node's own fetch is undici, which holds ~12 MB more resident memory once loaded than node:http(s)
(~4 MB), and the live panel fetches usage for as long as it stays open (npm run bench, "panel
idle"). It does only what pi-auth's requests need (http.ts is its one caller), and never builds
Node's global Request, Response or Headers: touching any of them loads undici all the same.
*/

export type FetchInit = {
	method?: string;
	headers?: Record<string, string>;
	body?: string;
	/** fetch's default 'follow', or 'manual': the 3xx itself is the answer (token requests). */
	redirect?: 'follow' | 'manual';
	signal?: AbortSignal;
};

export type HeaderReader = {get(name: string): string | null};

export type BodyReader = {
	read(): Promise<
		{done: true; value?: undefined} | {done: false; value: Uint8Array}
	>;
	cancel(): Promise<void>;
};

export type FetchResponse = {
	status: number;
	headers: HeaderReader;
	body: {getReader(): BodyReader; cancel(): Promise<void>} | null;
};

/** The part of fetch() pi-auth uses: Node's fetch, undici's (proxies) and httpFetch all fit it. */
export type Fetch = (url: string, init?: FetchInit) => Promise<FetchResponse>;

/*
What Node's fetch sent besides the caller's headers, so servers see the same request, except that
it asked for gzip or deflate: answers here are a few KB of JSON, and decoding them would load zlib
for every request. A server that compresses anyway is decoded all the same (`decoded`).
*/
const DEFAULT_HEADERS: Record<string, string> = {
	accept: '*/*',
	'accept-language': '*',
	'sec-fetch-mode': 'cors',
	'user-agent': 'node',
	'accept-encoding': 'identity',
};

// Fetch Standard §4.4 (HTTP-redirect fetch): the statuses followed and the limit, 20.
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
// Dropped when a redirect turns the request into a GET (request-body-header names).
const BODY_HEADERS = [
	'content-encoding',
	'content-language',
	'content-location',
	'content-type',
];
const DECODERS = {
	gzip: 'createGunzip',
	'x-gzip': 'createGunzip',
	deflate: 'createInflate',
	br: 'createBrotliDecompress',
} as const;

/**
One request and its response head. The signal ends it at any point, the body included. A new
connection each time (agent: false): the panel asks every few minutes, by when a kept-alive socket
would have been closed by the server, and reusing a stale one fails the request.
*/
const exchange = async (
	url: URL,
	method: string,
	headers: Record<string, string>,
	body: string | undefined,
	signal: AbortSignal | undefined,
): Promise<IncomingMessage> => {
	// node:http throws a TypeError for any other scheme (a redirect to ftp:), as fetch fails.
	const {request} =
		url.protocol === 'https:'
			? await import('node:https')
			: await import('node:http');
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason);
			return;
		}

		const outgoing = request(url, {method, headers, agent: false}, resolve);
		/*
		Before the answer, the request's 'error' event rejects with the reason; during the body, the
		closed socket fails the response (ECONNRESET), and so the read in progress.
		*/
		const abort = () => outgoing.destroy(signal?.reason);

		signal?.addEventListener('abort', abort, {once: true});
		// The socket is closed once the response is complete or failed: nothing left to abort.
		outgoing.once('close', () => signal?.removeEventListener('abort', abort));
		outgoing.on('error', reject);
		outgoing.end(body);
	});
};

const decoded = async (message: IncomingMessage): Promise<Readable> => {
	const coding = message.headers['content-encoding']?.trim().toLowerCase();
	if (coding === undefined || !Object.hasOwn(DECODERS, coding)) return message;
	const zlib = await import('node:zlib');
	const decoder = zlib[DECODERS[coding as keyof typeof DECODERS]]();
	// pipeline destroys both on either's error, so a reader of the decoder sees it.
	const {pipeline} = await import('node:stream');
	pipeline(message, decoder, () => undefined);
	return decoder;
};

const toResponse = async (message: IncomingMessage): Promise<FetchResponse> => {
	const stream = await decoded(message);
	const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
	const cancel = async () => {
		stream.destroy();
		message.destroy();
	};

	return {
		status: message.statusCode ?? 0,
		headers: {
			// As fetch's Headers.get: every value of a repeated header, joined.
			get: name =>
				message.headersDistinct[name.toLowerCase()]?.join(', ') ?? null,
		},
		body: {
			getReader: () => ({
				read: async () =>
					(await chunks.next()) as Awaited<ReturnType<BodyReader['read']>>,
				cancel,
			}),
			cancel,
		},
	};
};

/**
fetch(), as far as pi-auth uses it: errors are what fetch would fail with (a TypeError or the
error of the connection; the signal's reason when aborted), so sendRequest classifies both alike.
Redirects are followed as fetch follows them unless `redirect` is 'manual': at most 20, only to
http(s), the authorization header dropped on the way to another origin, and a 303 (or a 301/302
after a POST) turned into a GET without its body.
*/
export const httpFetch: Fetch = async (input, init = {}) => {
	let url = new URL(input);
	let method = init.method ?? 'GET';
	let {body} = init;
	const headers = {...DEFAULT_HEADERS};
	for (const [name, value] of Object.entries(init.headers ?? {})) {
		headers[name.toLowerCase()] = value;
	}

	for (let redirects = 0; ; redirects++) {
		// fetch refuses these too, rather than sending them as Basic credentials.
		if (url.username || url.password) {
			throw new TypeError('fetch: the URL includes credentials');
		}

		const message = await exchange(url, method, headers, body, init.signal);
		const status = message.statusCode ?? 0;
		const location = message.headers.location;
		if (
			init.redirect === 'manual' ||
			!REDIRECT_STATUSES.has(status) ||
			location === undefined
		) {
			return toResponse(message);
		}

		message.destroy();
		if (redirects === MAX_REDIRECTS) {
			throw new TypeError('fetch: too many redirects');
		}

		const next = new URL(location, url);
		if (next.origin !== url.origin) delete headers['authorization'];
		if (
			(status === 303 && method !== 'GET' && method !== 'HEAD') ||
			((status === 301 || status === 302) && method === 'POST')
		) {
			method = 'GET';
			body = undefined;
			for (const name of BODY_HEADERS) delete headers[name];
		}

		url = next;
	}
};
