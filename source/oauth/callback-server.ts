import {createHash, timingSafeEqual} from 'node:crypto';
import type {IncomingMessage, Server, ServerResponse} from 'node:http';
import {PiAuthError} from '../errors.js';
import {PAGES, send} from './callback-pages.js';
import {safeServerCode} from './http-failure.js';
import {closeServers, listenOnLoopback} from './loopback-listener.js';

/*
No RFC 9207 `iss`: none of the providers publishes an issuer to compare it with (docs/providers.md), and
a value passed along unchecked would only look like a check. The per-attempt state is what binds a
redirect to this sign-in (RFC 6749 §10.12).
*/
export type CallbackResult = {
	code: string;
	state: string;
	/** Every query parameter of the callback, when `requiredParams` was given. */
	params?: Record<string, string>;
};

/**
A localhost redirect target. `port` is undefined when no port in the list could be bound: the
caller then offers paste-only. Either way `result` settles at most once: with the first valid
code, with 'access-denied' (or another server error) sent with the right state, or with 'aborted'
on close() or the signal. Unbound, only close()/the signal settle it. `result` never causes an
unhandled rejection, so callers that gave up on it need not observe it.
*/
export type CallbackServer = {
	port: number | undefined;
	/** Ports that could not be bound (in use, not allowed, …), in the order tried. */
	busyPorts: number[];
	result: Promise<CallbackResult>;
	/** Idempotent: stops listening, drops every connection, rejects a pending result with 'aborted'. */
	close(): Promise<void>;
};

export type CallbackServerOptions = {
	/** Tried in order; 0 means any free port. */
	ports: readonly number[];
	path: string;
	/**
	Undefined only for a provider that sends no state (OpenRouter), whose callback path carries a
	random segment instead; then any state is ignored.
	*/
	expectedState: string | undefined;
	/** Parameters that must be present besides the code (ChatGPT's issued client_id); also returns `params`. */
	requiredParams?: readonly string[];
	signal?: AbortSignal;
};

// Browsers send a few hundred bytes here; 8 KB bounds what a hostile local page can push at us.
const MAX_URL_LENGTH = 8 * 1024;
// Slow-loris clients are cut off after 10 s; the check runs every second, not Node's default 30 s.
const TIMEOUT_MS = 10_000;

const digest = (value: string): Buffer =>
	createHash('sha256').update(value).digest();

// RFC 6749 §10.12: `state` binds the redirect to this attempt; compared in constant time.
const sameState = (received: string | null, expected: string): boolean =>
	received !== null && timingSafeEqual(digest(received), digest(expected));

const aborted = (): PiAuthError =>
	new PiAuthError('aborted', 'Sign-in was cancelled.');

const authorizeError = (error: string): PiAuthError => {
	const serverCode = safeServerCode(error);
	const options = serverCode ? {serverCode} : {};
	if (error === 'access_denied') {
		return new PiAuthError(
			'access-denied',
			'Access was denied in the browser. Start the sign-in again and approve access.',
			options,
		);
	}

	// RFC 6749 §4.1.2.1: the two transient authorization errors.
	const transient =
		error === 'server_error' || error === 'temporarily_unavailable';
	return new PiAuthError(
		transient ? 'server-error' : 'bad-response',
		`The sign-in page reported an error${serverCode ? ` (${serverCode})` : ''}. Start the sign-in again.`,
		options,
	);
};

/*
DNS rebinding: a web page on a name that a hostile DNS server points at 127.0.0.1 can reach this
server, but its requests carry that name in Host. Only the names the redirect URI could have used
are served; anything else is answered 421 (RFC 9110 §15.5.20) and the sign-in goes on waiting.
*/
const servesHost = (host: string | undefined, port: number | undefined) =>
	port !== undefined &&
	host !== undefined &&
	[`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].includes(
		host.toLowerCase(),
	);

/**
Starts the callback server on the first port of `ports` that can be bound on both 127.0.0.1 and
[::1] (loopback-listener.ts). Any listen error (EADDRINUSE, EACCES, …) moves on to the next port;
when none is left the server comes back unbound (`port: undefined`) rather than failing, so the
caller can fall back to paste.
*/
export const startCallbackServer = async (
	options: CallbackServerOptions,
): Promise<CallbackServer> => {
	const {path, expectedState, signal, requiredParams} = options;
	if (signal?.aborted) throw aborted();
	let settled = false;
	let resolveResult: (value: CallbackResult) => void = () => {};
	let rejectResult: (error: PiAuthError) => void = () => {};
	const result = new Promise<CallbackResult>((resolve, reject) => {
		resolveResult = resolve;
		rejectResult = reject;
	});
	result.catch(() => undefined);
	// The last answer to the browser, awaited before connections are dropped.
	let flushed: Promise<void> = Promise.resolve();

	const finish = (
		response: ServerResponse,
		status: number,
		body: string,
		outcome: () => void,
	): void => {
		settled = true;
		flushed = new Promise(resolve => {
			response.once('close', resolve);
			send(response, status, body, 'html', resolve);
		});
		void flushed.then(() => {
			outcome();
			void close();
		});
	};

	const handle = (request: IncomingMessage, response: ServerResponse) => {
		if (!servesHost(request.headers.host, port)) {
			send(response, 421, 'Misdirected request\n', 'plain');
			return;
		}

		const raw = request.url ?? '/';
		if (raw.length > MAX_URL_LENGTH) {
			send(response, 414, 'URI too long\n', 'plain');
			return;
		}

		let url: URL | undefined;
		try {
			url = new URL(raw, 'http://127.0.0.1');
		} catch {}

		if (request.method !== 'GET' || url?.pathname !== path) {
			send(response, 404, 'Not found\n', 'plain');
			return;
		}

		if (settled) {
			send(response, 410, PAGES.done);
			return;
		}

		const params = url.searchParams;
		// A stale tab, a duplicate parameter or a forged request: refuse it and keep waiting.
		if (
			expectedState !== undefined &&
			(params.getAll('state').length !== 1 ||
				!sameState(params.get('state'), expectedState))
		) {
			send(response, 400, PAGES.stale);
			return;
		}

		const error = params.get('error');
		if (error !== null) {
			finish(
				response,
				200,
				error === 'access_denied' ? PAGES.denied : PAGES.failed,
				() => {
					rejectResult(authorizeError(error));
				},
			);
			return;
		}

		const codes = params.getAll('code');
		const code = codes[0];
		if (
			codes.length !== 1 ||
			!code ||
			requiredParams?.some(name => !params.get(name))
		) {
			send(response, 400, PAGES.noCode);
			return;
		}

		finish(response, 200, PAGES.success, () => {
			resolveResult({
				code,
				state: expectedState ?? params.get('state') ?? '',
				...(requiredParams ? {params: Object.fromEntries(params)} : {}),
			});
		});
	};

	// Loaded here, not at the top: node:http is a few ms of every first frame, and only a browser
	// sign-in listens (npm run bench).
	const {createServer} = await import('node:http');
	const makeServer = () =>
		createServer(
			{
				requestTimeout: TIMEOUT_MS,
				headersTimeout: TIMEOUT_MS,
				keepAliveTimeout: 1000,
				connectionsCheckingInterval: 1000,
			},
			handle,
		).setTimeout(TIMEOUT_MS);
	const busyPorts: number[] = [];
	let servers: Server[] = [];
	let port: number | undefined;
	for (const candidate of options.ports) {
		const bound = await listenOnLoopback(makeServer, candidate);
		if (bound) {
			({port, servers} = bound);
			break;
		}

		busyPorts.push(candidate);
	}

	let closing: Promise<void> | undefined;
	const close = async (): Promise<void> => {
		closing ??= (async () => {
			signal?.removeEventListener('abort', onAbort);
			if (!settled) {
				settled = true;
				rejectResult(aborted());
			}

			await flushed;
			await closeServers(servers);
		})();
		return closing;
	};

	const onAbort = () => {
		void close();
	};

	signal?.addEventListener('abort', onAbort, {once: true});
	if (signal?.aborted) onAbort();
	return {port, busyPorts, result, close};
};
