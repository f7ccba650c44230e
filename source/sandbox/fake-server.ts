/*
Shared plumbing of the fake provider servers (fake-anthropic.ts, fake-codex.ts, fake-github.ts).

Public API:
- startFakeServer({routes}) → FakeServer: one node:http server on 127.0.0.1, port 0, that routes
  by path (a `:name` segment matches any one segment) and method to named handlers (the
  provider's endpoint names, plus page names).
- FakeServer: `origin`, `url(path)`, `requests(name?)` (the request log), `count(name)`,
  `clearLog()`, `fail(name, fault)` / `clearFaults()` (the fault queue), `close()`.
- Fault (fake-http.ts): what a queued failure does to the next request(s) of an endpoint.

Nothing here grows without bound: bodies are capped at 64 KB, the log at 500 entries, each fault
queue at 100 entries. close() clears every timer and drops every connection, hanging ones included.
*/
import {
	type IncomingHttpHeaders,
	type IncomingMessage,
	type ServerResponse,
	createServer,
} from 'node:http';
import type {AddressInfo} from 'node:net';
import {
	type Fault,
	type FakeRequest,
	type FakeResponse,
	faultResponse,
	parseBody,
	readBody,
	textResponse,
} from './fake-http.js';

export type {Fault, FakeRequest, FakeResponse} from './fake-http.js';

export type Route = {
	name: string;
	method: 'GET' | 'POST';
	path: string;
	handle: (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;
};

export type LoggedRequest = {
	name: string;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	body: unknown;
	at: number;
};

export type FakeServer = {
	origin: string;
	url: (path: string) => string;
	/** The logged requests, oldest first, optionally of one route name. */
	requests: (name?: string) => LoggedRequest[];
	/** Requests ever seen by a route name (not capped like the log). */
	count: (name: string) => number;
	/** Answers sent by a route name (a delayed answer counts once it has gone out). */
	answered: (name: string) => number;
	clearLog: () => void;
	fail: (name: string, fault: Fault) => void;
	clearFaults: () => void;
	close: () => Promise<void>;
};

/** A route path matches literally, except that a `:name` segment matches any one segment. */
const pathMatches = (pattern: string, pathname: string): boolean => {
	const want = pattern.split('/');
	const got = pathname.split('/');
	return (
		want.length === got.length &&
		want.every(
			(segment, index) =>
				segment === got[index] ||
				(segment.startsWith(':') && got[index] !== ''),
		)
	);
};

const MAX_LOG = 500;
const MAX_FAULTS = 100;

/** Starts a fake on 127.0.0.1 (never 0.0.0.0) with an ephemeral port. */
export const startFakeServer = async (options: {
	routes: readonly Route[];
}): Promise<FakeServer> => {
	const {routes} = options;
	const log: LoggedRequest[] = [];
	const counts = new Map<string, number>();
	const answers = new Map<string, number>();
	const faults = new Map<string, Fault[]>();
	const timers = new Set<NodeJS.Timeout>();
	let closed = false;
	// Known once listening; request URLs are resolved against it so pages can link to themselves.
	let origin = 'http://127.0.0.1';

	const later = async (ms: number) =>
		new Promise<void>(resolve => {
			const timer = setTimeout(() => {
				timers.delete(timer);
				resolve();
			}, ms);
			timers.add(timer);
		});

	const takeFault = (name: string): Fault | undefined => {
		const queue = faults.get(name);
		const fault = queue?.[0];
		if (!queue || !fault) return undefined;
		fault.count = (fault.count ?? 1) - 1;
		if (fault.count <= 0) queue.shift();
		return fault;
	};

	const write = (
		response: ServerResponse,
		answer: FakeResponse,
		dripMs?: number,
	) => {
		const bytes = Buffer.from(answer.body, 'utf8');
		response.writeHead(answer.status, {
			'content-type': answer.contentType,
			'content-length': String(bytes.length),
			'cache-control': 'no-store',
			...answer.headers,
		});
		if (!dripMs) {
			response.end(bytes);
			return;
		}

		// One byte per tick, so a client's body read (not just its headers) is slow.
		const drip = async () => {
			for (let index = 0; index < bytes.length; index++) {
				await later(dripMs);
				if (closed || response.destroyed) return;
				response.write(bytes.subarray(index, index + 1));
			}

			response.end();
		};

		void drip();
	};

	const handle = async (request: IncomingMessage, response: ServerResponse) => {
		const url = new URL(request.url ?? '/', origin);
		const onPath = routes.filter(route =>
			pathMatches(route.path, url.pathname),
		);
		const route = onPath.find(candidate => candidate.method === request.method);
		if (!route) {
			write(
				response,
				onPath.length > 0
					? {
							...textResponse(405, 'Method not allowed\n'),
							headers: {allow: onPath.map(item => item.method).join(', ')},
						}
					: textResponse(404, 'Not found\n'),
			);
			return;
		}

		const text = await readBody(request);
		const contentType = String(request.headers['content-type'] ?? '');
		const parsed =
			text === null
				? {bodyType: 'other' as const, json: undefined, form: {}}
				: parseBody(contentType, text);
		counts.set(route.name, (counts.get(route.name) ?? 0) + 1);
		log.push({
			name: route.name,
			method: route.method,
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers: request.headers,
			body:
				parsed.bodyType === 'json'
					? parsed.json
					: parsed.bodyType === 'form'
						? parsed.form
						: text,
			at: Date.now(),
		});
		if (log.length > MAX_LOG) log.shift();
		if (text === null) {
			write(response, textResponse(413, 'Payload too large\n'));
			return;
		}

		const fault = takeFault(route.name);
		if (fault?.delayMs) await later(fault.delayMs);
		if (closed || fault?.hang) return;
		const answer =
			(fault && faultResponse(fault)) ??
			(await route.handle({
				name: route.name,
				method: route.method,
				url,
				headers: request.headers,
				...parsed,
			}));
		if (closed) return;
		write(response, answer, fault?.dripMs);
		answers.set(route.name, (answers.get(route.name) ?? 0) + 1);
	};

	const server = createServer({keepAliveTimeout: 1000}, (request, response) => {
		handle(request, response).catch(() => {
			if (!response.headersSent) {
				write(response, textResponse(500, 'Fake server error\n'));
			} else response.destroy();
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen({port: 0, host: '127.0.0.1'}, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;
	origin = `http://127.0.0.1:${port}`;
	let closing: Promise<void> | undefined;
	return {
		origin,
		url: path => `${origin}${path}`,
		requests: name =>
			log.filter(entry => name === undefined || entry.name === name),
		count: name => counts.get(name) ?? 0,
		answered: name => answers.get(name) ?? 0,
		clearLog() {
			log.length = 0;
			counts.clear();
			answers.clear();
		},
		fail(name, fault) {
			const queue = faults.get(name) ?? [];
			if (queue.length >= MAX_FAULTS) {
				throw new RangeError(`Too many queued faults for ${name}`);
			}

			queue.push({...fault});
			faults.set(name, queue);
		},
		clearFaults() {
			faults.clear();
		},
		async close() {
			closing ??= new Promise<void>(resolve => {
				closed = true;
				for (const timer of timers) clearTimeout(timer);
				timers.clear();
				server.close(() => {
					resolve();
				});
				server.closeAllConnections();
			});
			return closing;
		},
	};
};
