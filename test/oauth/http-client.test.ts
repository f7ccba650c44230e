/*
httpFetch (source/oauth/http-client.ts), the node:http client used when no proxy applies, against
real servers on 127.0.0.1: what it sends, what sendRequest / postToken / getJson make of its
answers, and the same outcome as Node's fetch wherever pi-auth relies on fetch's behaviour.
*/
import {getEventListeners} from 'node:events';
import {readFileSync} from 'node:fs';
import fs from 'node:fs/promises';
import http, {type IncomingMessage, type ServerResponse} from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {brotliCompressSync, gzipSync} from 'node:zlib';
import {afterEach, describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {httpFetch} from '../../source/oauth/http-client.js';
import {
	type Fetch,
	MAX_BODY_BYTES,
	createFetch,
	getJson,
	postToken,
	sendRequest,
} from '../../source/oauth/http.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp-dir.js';
import {json, readBody} from './local-server.js';
import {rejection} from '../helpers/failure.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const opened: Array<{close: () => Promise<void>}> = [];
afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

type Seen = {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
};

// A self-signed certificate for 127.0.0.1 and localhost, valid from 2000 to 2999: no clock a test
// machine may have makes it expire or not yet valid.
const TLS = {
	key: readFileSync(new URL('../fixtures/tls/key.pem', import.meta.url)),
	cert: readFileSync(new URL('../fixtures/tls/cert.pem', import.meta.url)),
};
const CERT_FILE = fileURLToPath(
	new URL('../fixtures/tls/cert.pem', import.meta.url),
);

/**
A server answering each path with its handler; records every request it got. With `tls`, HTTPS
with the self-signed certificate of test/fixtures/tls (127.0.0.1), which no one trusts by default.
*/
const serve = async (
	routes: Record<string, Handler>,
	options: {tls?: boolean} = {},
) => {
	const seen: Seen[] = [];
	const handler: Handler = (request, response) => {
		void readBody(request).then(body => {
			seen.push({
				method: request.method ?? '',
				url: request.url ?? '',
				headers: request.headers,
				body,
			});
			const route = routes[(request.url ?? '').split('?')[0] ?? ''];
			if (route) route(request, response);
			else json(response, 404, {error: 'not_found'});
		});
	};

	const server = options.tls
		? https.createServer(TLS, handler)
		: http.createServer(handler);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	const close = async () => {
		if (!server.listening) return;
		const closed = new Promise(resolve => server.close(resolve));
		server.closeAllConnections();
		await closed;
	};

	opened.push({close});
	const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
	return {url, close, seen};
};

/** What a request ended with, comparable across fetch implementations. */
const outcome = async (promise: Promise<unknown>) =>
	promise.then(
		value => ({ok: value}),
		(error: unknown) =>
			error instanceof PiAuthError
				? {code: error.code, message: error.message, status: error.status}
				: {unexpected: String(error)},
	);

const IMPLEMENTATIONS: Array<[string, Fetch]> = [
	['Node’s fetch', globalThis.fetch],
	['httpFetch', httpFetch],
];

describe('httpFetch: what it sends', () => {
	it('sends the method, the caller’s headers (case-insensitively, once) and fetch’s defaults, asking for no compression', async () => {
		const server = await serve({
			'/token': (_, response) => {
				json(response, 200, {access_token: 'a'});
			},
		});
		await postToken({
			fetch: httpFetch,
			url: `${server.url}/token`,
			encoding: 'form',
			body: {grant_type: 'refresh_token', refresh_token: 'r é'},
			headers: {'User-Agent': 'GitHubCopilotChat/0.35.0', 'X-Extra': 'yes'},
		});
		const [request] = server.seen;
		expect(request?.method).toBe('POST');
		expect(request?.body).toBe(
			'grant_type=refresh_token&refresh_token=r+%C3%A9',
		);
		expect(request?.headers).toMatchObject({
			accept: 'application/json',
			'content-type': 'application/x-www-form-urlencoded',
			'content-length': String(Buffer.byteLength(request?.body ?? '')),
			'user-agent': 'GitHubCopilotChat/0.35.0',
			'x-extra': 'yes',
			'accept-encoding': 'identity',
			'accept-language': '*',
			'sec-fetch-mode': 'cors',
		});
	});

	it('sends what Node’s fetch sent (user-agent node), but for accept-encoding', async () => {
		const server = await serve({
			'/api': (_, response) => {
				json(response, 200, {ok: true});
			},
		});
		for (const [, fetch] of IMPLEMENTATIONS) {
			await getJson({fetch, url: `${server.url}/api`});
		}

		const [viaFetch, viaHttp] = server.seen.map(request => {
			const {
				connection: _connection,
				'accept-encoding': _encoding,
				...rest
			} = request.headers;
			return rest;
		});
		expect(viaHttp).toEqual(viaFetch);
		expect(viaHttp?.['user-agent']).toBe('node');
	});
});

describe('httpFetch: answers, as sendRequest reads them', () => {
	it('gives the status, headers (repeated ones joined, as fetch) and a chunked body whole', async () => {
		const server = await serve({
			'/chunked': (_, response) => {
				response.writeHead(418, [
					['content-type', 'application/json'],
					['retry-after', '7'],
					['x-many', 'a'],
					['x-many', 'b'],
				]);
				const text = JSON.stringify({error: 'teapot', pad: 'x'.repeat(50_000)});
				// Three chunks, the last after a pause: the body is read to its end.
				response.write(text.slice(0, 10));
				response.write(text.slice(10, 20_000));
				setTimeout(() => response.end(text.slice(20_000)), 50);
			},
		});
		for (const [name, fetch] of IMPLEMENTATIONS) {
			const result = await sendRequest({
				fetch,
				url: `${server.url}/chunked`,
				init: {method: 'GET'},
			});
			expect(result.status, name).toBe(418);
			expect(result.headers.get('Retry-After'), name).toBe('7');
			expect(result.headers.get('x-many'), name).toBe('a, b');
			expect(result.headers.get('x-absent'), name).toBeNull();
			expect(result.json, name).toMatchObject({error: 'teapot'});
			expect(result.bytes.byteLength, name).toBeGreaterThan(50_000);
		}
	});

	it('reads an empty body (204) as empty', async () => {
		const server = await serve({
			'/empty': (_, response) => {
				response.writeHead(204).end();
			},
		});
		const result = await sendRequest({
			fetch: httpFetch,
			url: `${server.url}/empty`,
			init: {},
		});
		expect(result.status).toBe(204);
		expect(result.bytes.byteLength).toBe(0);
		expect(result.json).toBeUndefined();
	});

	it.each(IMPLEMENTATIONS)(
		'%s: a body over the cap is refused, declared or streamed without a length',
		async (_name, fetch) => {
			const big = 'x'.repeat(MAX_BODY_BYTES + 10);
			const server = await serve({
				'/declared': (_, response) => {
					response.writeHead(200, {'content-length': String(big.length)});
					response.end(big);
				},
				'/streamed': (_, response) => {
					response.writeHead(200, {'content-type': 'application/json'});
					response.write(big.slice(0, 500_000));
					response.end(big.slice(500_000));
				},
			});
			for (const route of ['/declared', '/streamed']) {
				const error = await rejection(
					getJson({fetch, url: `${server.url}${route}`}),
				);
				expect(error.code, route).toBe('bad-response');
				expect(error.message, route).toMatch(/larger than 1024 KB/);
			}
		},
	);

	it('decodes a compressed answer sent although not asked for, capping the decoded size', async () => {
		const body = JSON.stringify({ok: 'decoded'});
		const server = await serve({
			'/gzip': (_, response) => {
				response.writeHead(200, {'content-encoding': 'gzip'});
				response.end(gzipSync(body));
			},
			'/br': (_, response) => {
				response.writeHead(200, {'content-encoding': 'br'});
				response.end(brotliCompressSync(body));
			},
			// 2 MB of zeros is a few KB compressed: the cap applies to what it decodes to.
			'/bomb': (_, response) => {
				response.writeHead(200, {'content-encoding': 'gzip'});
				response.end(gzipSync(Buffer.alloc(2 * MAX_BODY_BYTES)));
			},
			'/broken': (_, response) => {
				response.writeHead(200, {'content-encoding': 'gzip'});
				response.end('not gzip at all');
			},
		});
		for (const route of ['/gzip', '/br']) {
			expect(
				await getJson({fetch: httpFetch, url: `${server.url}${route}`}),
			).toEqual({ok: 'decoded'});
		}

		const bomb = await rejection(
			getJson({fetch: httpFetch, url: `${server.url}/bomb`}),
		);
		expect(bomb.message).toMatch(/larger than 1024 KB/);
		const broken = await rejection(
			getJson({fetch: httpFetch, url: `${server.url}/broken`}),
		);
		expect(broken.code).toBe('network');
	});
});

describe('httpFetch fails as Node’s fetch did (http-failure.ts codes and messages)', () => {
	it('connection refused: the same network error', async () => {
		const server = await serve({});
		const url = `${server.url}/token`;
		await server.close();
		const [viaFetch, viaHttp] = await Promise.all(
			IMPLEMENTATIONS.map(async ([, fetch]) =>
				outcome(getJson({fetch, url, timeoutMs: 5000})),
			),
		);
		expect(viaHttp).toEqual(viaFetch);
		expect(viaHttp).toMatchObject({
			code: 'network',
			message: expect.stringMatching(/^Could not reach 127\.0\.0\.1:\d+\./),
		});
	});

	it('a certificate it does not trust: refused, the same network error, nothing sent', async () => {
		const server = await serve({}, {tls: true});
		const outcomes = await Promise.all(
			IMPLEMENTATIONS.map(async ([, fetch]) =>
				outcome(getJson({fetch, url: `${server.url}/api`})),
			),
		);
		expect(outcomes[1]).toEqual(outcomes[0]);
		expect(outcomes[1]).toMatchObject({code: 'network'});
		expect(server.seen).toEqual([]);
	});

	it('a URL with credentials: refused, as fetch refused it, never sent', async () => {
		const server = await serve({});
		const url = server.url.replace('//', '//user:SECRET-PASSWORD@');
		const outcomes = await Promise.all(
			IMPLEMENTATIONS.map(async ([, fetch]) =>
				outcome(getJson({fetch, url: `${url}/api`})),
			),
		);
		expect(outcomes[1]).toEqual(outcomes[0]);
		expect(outcomes[1]).toMatchObject({code: 'network'});
		expect(JSON.stringify(outcomes[1])).not.toContain('SECRET');
		expect(server.seen).toEqual([]);
	});

	it('a connection reset in the middle of the body: the same network error', async () => {
		const server = await serve({
			'/reset': (request, response) => {
				response.writeHead(200, {'content-length': '1000'});
				response.write('{"partial":');
				setTimeout(() => request.socket.destroy(), 50);
			},
		});
		const outcomes = await Promise.all(
			IMPLEMENTATIONS.map(async ([, fetch]) =>
				outcome(getJson({fetch, url: `${server.url}/reset`})),
			),
		);
		expect(outcomes[1]).toEqual(outcomes[0]);
		expect(outcomes[1]).toMatchObject({code: 'network'});
	});

	it.each(IMPLEMENTATIONS)(
		'%s: no answer, or a body that stops halfway, is a timeout within the bound',
		async (_name, fetch) => {
			const server = await serve({
				'/hang': () => undefined,
				'/stall': (_, response) => {
					response.writeHead(200, {'content-length': '1000'});
					response.write('{"a":');
				},
			});
			for (const route of ['/hang', '/stall']) {
				const started = performance.now();
				const error = await rejection(
					getJson({fetch, url: `${server.url}${route}`, timeoutMs: 400}),
				);
				expect(error.code, route).toBe('timeout');
				expect(error.message, route).toMatch(
					/^127\.0\.0\.1:\d+ did not answer within 0 s\./,
				);
				expect(performance.now() - started, route).toBeLessThan(3000);
			}
		},
	);

	it.each(IMPLEMENTATIONS)(
		'%s: the caller’s signal cancels before, during the wait and during the body',
		async (_name, fetch) => {
			const server = await serve({
				'/hang': () => undefined,
				'/stall': (_, response) => {
					response.writeHead(200, {'content-length': '1000'});
					response.write('{"a":');
				},
			});
			const before = await rejection(
				getJson({
					fetch,
					url: `${server.url}/hang`,
					signal: AbortSignal.abort(),
				}),
			);
			expect(before.code).toBe('aborted');
			for (const route of ['/hang', '/stall']) {
				const error = await rejection(
					getJson({
						fetch,
						url: `${server.url}${route}`,
						signal: AbortSignal.timeout(200),
						timeoutMs: 10_000,
					}),
				);
				expect(error.code, route).toBe('aborted');
				expect(error.message).toBe('The request was cancelled.');
			}
		},
	);
});

it('leaves no listener on the caller’s signal once the answer has been read', async () => {
	const server = await serve({
		'/api': (_, response) => {
			json(response, 200, {ok: true});
		},
	});
	const controller = new AbortController();
	for (let index = 0; index < 3; index++) {
		const response = await httpFetch(`${server.url}/api`, {
			signal: controller.signal,
		});
		const reader = response.body!.getReader();
		while (!(await reader.read()).done);
	}

	await new Promise(resolve => setTimeout(resolve, 50));
	expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
});

it('a body left unread is no crash when the request is aborted or the connection drops', async () => {
	const server = await serve({
		'/stall': (request, response) => {
			response.writeHead(200, {'content-length': '1000'});
			response.write('{"a":');
			if (request.headers['x-drop']) {
				setTimeout(() => request.socket.destroy(), 50);
			}
		},
	});
	const controller = new AbortController();
	const aborted = await httpFetch(`${server.url}/stall`, {
		signal: controller.signal,
	});
	const dropped = await httpFetch(`${server.url}/stall`, {
		headers: {'x-drop': '1'},
	});
	controller.abort();
	// Both end in an error no one reads (node:http emits it only to listeners); vitest fails on an unhandled one.
	await new Promise(resolve => setTimeout(resolve, 200));
	expect([aborted.status, dropped.status]).toEqual([200, 200]);
});

describe('httpFetch follows redirects as Node’s fetch did', () => {
	const redirecting = async () => {
		const other = await serve({
			'/elsewhere': (_, response) => {
				json(response, 200, {where: 'other origin'});
			},
		});
		const server = await serve({
			'/moved': (_, response) => {
				response.writeHead(302, {location: '/final'}).end();
			},
			'/away': (_, response) => {
				response.writeHead(301, {location: `${other.url}/elsewhere`}).end();
			},
			'/see-other': (_, response) => {
				response.writeHead(303, {location: '/final'}).end();
			},
			'/temporary': (_, response) => {
				response.writeHead(307, {location: '/final'}).end();
			},
			'/loop': (request, response) => {
				const n = Number(
					new URL(request.url ?? '', 'http://x').searchParams.get('n'),
				);
				response.writeHead(302, {location: `/loop?n=${n + 1}`}).end();
			},
			'/scheme': (_, response) => {
				response.writeHead(302, {location: 'ftp://127.0.0.1/x'}).end();
			},
			'/nowhere': (_, response) => {
				json(response, 302, {error: 'no_location'});
			},
			'/final': (request, response) => {
				json(response, 200, {method: request.method});
			},
		});
		return {server, other};
	};

	it.each(IMPLEMENTATIONS)(
		'%s: a GET follows, keeping authorization on its origin and dropping it elsewhere',
		async (_name, fetch) => {
			const {server, other} = await redirecting();
			const headers = {authorization: 'Bearer SECRET-TOKEN'};
			expect(
				await getJson({fetch, url: `${server.url}/moved`, headers}),
			).toEqual({
				method: 'GET',
			});
			expect(server.seen.at(-1)?.headers.authorization).toBe(
				'Bearer SECRET-TOKEN',
			);
			expect(
				await getJson({fetch, url: `${server.url}/away`, headers}),
			).toEqual({
				where: 'other origin',
			});
			expect(other.seen.at(-1)?.headers.authorization).toBeUndefined();
		},
	);

	it.each(IMPLEMENTATIONS)(
		'%s: 302 or 303 after a POST is a GET without the body; 307 repeats the POST and its body',
		async (_name, fetch) => {
			const {server} = await redirecting();
			for (const [route, method, body] of [
				['/moved', 'GET', ''],
				['/see-other', 'GET', ''],
				['/temporary', 'POST', '{"a":1}'],
			] as const) {
				const result = await sendRequest({
					fetch,
					url: `${server.url}${route}`,
					init: {
						method: 'POST',
						headers: {'content-type': 'application/json'},
						body: '{"a":1}',
					},
				});
				expect(result.json, route).toEqual({method});
				const final = server.seen.at(-1);
				expect(final?.body, route).toBe(body);
				expect(final?.headers['content-type'], route).toBe(
					method === 'GET' ? undefined : 'application/json',
				);
			}
		},
	);

	it('a token POST (redirect: manual) is not followed: the same error as fetch gave', async () => {
		const {server} = await redirecting();
		const outcomes = await Promise.all(
			IMPLEMENTATIONS.map(async ([, fetch]) =>
				outcome(
					postToken({
						fetch,
						url: `${server.url}/moved`,
						encoding: 'form',
						body: {grant_type: 'refresh_token', refresh_token: 'r'},
					}),
				),
			),
		);
		expect(outcomes[1]).toEqual(outcomes[0]);
		expect(outcomes[1]).toMatchObject({code: 'bad-response', status: 302});
		expect(server.seen.filter(request => request.url === '/final')).toEqual([]);
	});

	it('too many redirects, a non-HTTP target and a 3xx without Location end as fetch’s did', async () => {
		const {server} = await redirecting();
		for (const route of ['/loop?n=0', '/scheme', '/nowhere']) {
			const outcomes = await Promise.all(
				IMPLEMENTATIONS.map(async ([, fetch]) =>
					outcome(getJson({fetch, url: `${server.url}${route}`})),
				),
			);
			expect(outcomes[1], route).toEqual(outcomes[0]);
		}

		// 20 redirects followed, the 21st refused: 21 requests per implementation.
		expect(
			server.seen.filter(request => request.url.startsWith('/loop')),
		).toHaveLength(2 * 21);
	});
});

describe('createFetch without a proxy', () => {
	it('is httpFetch, and the built CLI fetches usage over HTTPS without loading Node’s fetch (undici)', async () => {
		expect(await createFetch({})).toBe(httpFetch);
		expect(await createFetch({NO_PROXY: '*'})).toBe(httpFetch);
		const server = await serve(
			{
				'/anthropic/usage': (_, response) => {
					json(response, 200, {five_hour: {utilization: 42, resets_at: null}});
				},
			},
			{tls: true},
		);
		const home = await makeTempDir();
		const file = path.join(home, 'auth.json');
		const config = path.join(home, 'pi-auth.json');
		const preload = path.join(home, 'modules.cjs');
		const report = path.join(home, 'modules.json');
		await fs.writeFile(
			file,
			JSON.stringify({
				anthropic: {
					type: 'oauth',
					access: 'sk-ant-oat01-x',
					refresh: 'sk-ant-ort01-x',
					expires: Date.now() + 3_600_000,
				},
			}),
		);
		await fs.writeFile(
			config,
			JSON.stringify({
				providers: {
					anthropic: {endpoints: {usage: `${server.url}/anthropic/usage`}},
				},
			}),
		);
		await fs.writeFile(
			preload,
			`process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList)));`,
		);
		const result = await runCli(
			['status', '--json', '--usage', '--auth-file', file, '--config', config],
			{
				env: cleanEnv(home, {
					NODE_OPTIONS: `--require ${preload}`,
					// The one way to trust the test certificate: as a user behind a company CA would.
					NODE_EXTRA_CA_CERTS: CERT_FILE,
				}),
			},
		);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(server.seen.map(request => request.url)).toEqual([
			'/anthropic/usage',
		]);
		const modules = JSON.parse(await fs.readFile(report, 'utf8')) as string[];
		expect(modules).toContain('NativeModule _http_client');
		expect(modules.filter(name => /undici/.test(name))).toEqual([]);
	});
});
