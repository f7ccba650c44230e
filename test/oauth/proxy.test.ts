/*
HTTPS_PROXY / HTTP_PROXY / NO_PROXY for provider calls (docs/providers.md, pi #1132; openclaw #42176 was a
token exchange ignoring the proxy), decided per origin by proxy.ts as curl decides it, and never for
a loopback host (issue 11, item 6).

What these tests can and cannot prove, honestly:
- A loopback target is never proxied now, so a provider host is stood in for by a name only the
  test proxy resolves (provider.test, anthropic.test, to the target on 127.0.0.1). A request that
  goes through the proxy never looks the name up; one that went direct would, so the cases where a
  request must go direct to a non-loopback host use this machine's own non-loopback address
  instead, with nothing listening there: the connection is refused on this machine, and the proxy
  must have seen nothing. Where the machine has no such address those cases are left to proxyFor's
  unit tests.
- undici 7 tunnels even http:// targets with CONNECT (ProxyAgent's proxyTunnel defaults to true),
  so the proxy sees `CONNECT host:port`, then the plaintext request inside the tunnel. The proxy
  below also does absolute-form forwarding in case that ever changes.
- The target checks the connection's remote port against the proxy's upstream sockets, so
  "through the proxy" means the bytes arrived from the proxy, not merely that the proxy was asked.
- https:// targets: only the routing is proven (the proxy receives CONNECT host:port). There is no
  TLS server here that the agent would trust, so the request itself then fails.
*/
import fs from 'node:fs/promises';
import {
	type IncomingMessage,
	type Server,
	createServer,
	request as httpRequest,
} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import {connect} from 'node:net';
import {networkInterfaces} from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {httpFetch} from '../../source/oauth/http-client.js';
import {createFetch, getJson, postToken} from '../../source/oauth/http.js';
import {proxyFor} from '../../source/oauth/proxy.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp-dir.js';
import {type LocalServer, json, readBody, startServer} from './local-server.js';

type ProxyLog = {
	/** Authorities of CONNECT requests, e.g. `127.0.0.1:4567`. */
	connects: string[];
	/** Request lines seen in plaintext inside tunnels (http:// targets only). */
	tunnelled: string[];
	/** Absolute-form requests forwarded without a tunnel: `METHOD http://…`. */
	forwarded: string[];
	/** Local ports of the proxy's own connections to targets. */
	upstreamPorts: Set<number>;
};

type Proxy = LocalServer & {log: ProxyLog; seen(): number};

/*
Names the proxy resolves itself, to the one target on 127.0.0.1: a client that goes through the
proxy never looks them up, so they stand for provider hosts without any DNS. Anything else the
proxy refuses, loopback aside: nothing leaves this machine, whatever a test asks of it.
*/
const MAPPED = new Set(['provider.test', 'anthropic.test']);
const REQUEST_LINE =
	/^(?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) \S+ HTTP\/1\.1$/gm;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const reachable = (host: string) => LOOPBACK.has(host) || MAPPED.has(host);
const resolve = (host: string) => (MAPPED.has(host) ? '127.0.0.1' : host);

/** A tiny forward proxy on 127.0.0.1: CONNECT tunnels and absolute-form forwarding. */
const startProxy = async (): Promise<Proxy> => {
	const log: ProxyLog = {
		connects: [],
		tunnelled: [],
		forwarded: [],
		upstreamPorts: new Set(),
	};
	const sockets = new Set<Socket>();
	const track = (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => socket.destroy());
	};

	const server: Server = createServer((request, response) => {
		// RFC 9112 §3.2.2: a proxy request carries the absolute URI.
		let target: URL;
		try {
			target = new URL(request.url ?? '');
		} catch {
			response.writeHead(400).end();
			return;
		}

		if (target.protocol !== 'http:' || !reachable(target.hostname)) {
			response.writeHead(403).end();
			return;
		}

		log.forwarded.push(`${request.method} ${target.href}`);
		const headers = {...request.headers};
		delete headers['proxy-connection'];
		const upstream = httpRequest(
			{
				host: resolve(target.hostname),
				port: target.port,
				method: request.method,
				path: `${target.pathname}${target.search}`,
				headers,
				agent: false,
			},
			answer => {
				response.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(response);
			},
		);
		upstream.on('socket', socket => {
			track(socket);
			socket.once('connect', () => log.upstreamPorts.add(socket.localPort!));
		});
		upstream.on('error', () => {
			if (!response.headersSent) response.writeHead(502);
			response.end();
		});
		request.pipe(upstream);
	});

	// RFC 9110 §9.3.6: CONNECT host:port, answer 200, then pipe bytes both ways.
	server.on('connect', (request: IncomingMessage, client: Socket, head) => {
		track(client);
		const authority = request.url ?? '';
		log.connects.push(authority);
		const match = /^(.+):(\d+)$/.exec(authority);
		if (!match?.[1] || !reachable(match[1])) {
			client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}

		const upstream = connect({host: resolve(match[1]), port: Number(match[2])});
		track(upstream);
		upstream.once('error', () => {
			client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
		});
		upstream.once('connect', () => {
			log.upstreamPorts.add(upstream.localPort!);
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length > 0) upstream.write(head);
			client.on('data', (chunk: Buffer) => {
				for (const line of chunk.toString('latin1').match(REQUEST_LINE) ?? []) {
					log.tunnelled.push(line);
				}
			});
			client.pipe(upstream);
			upstream.pipe(client);
		});
	});
	server.on('connection', track);

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;
	return {
		server,
		port,
		url: `http://127.0.0.1:${port}`,
		log,
		seen: () => log.connects.length + log.forwarded.length,
		async close() {
			const closed = new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
			// Tunnelled sockets are detached from the HTTP server: closeAllConnections misses them.
			for (const socket of sockets) socket.destroy();
			server.closeAllConnections();
			await closed;
		},
	};
};

type Seen = {method: string; url: string; remotePort: number; body: string};

/** A provider stand-in: a token endpoint (form or JSON) and a JSON API. */
const startTarget = async () => {
	const requests: Seen[] = [];
	const server = await startServer(async (request, response) => {
		const body = await readBody(request);
		requests.push({
			method: request.method ?? '',
			url: request.url ?? '',
			remotePort: request.socket.remotePort ?? 0,
			body,
		});
		if (request.method === 'POST') {
			json(response, 200, {
				access_token: 'new-access',
				refresh_token: 'new-refresh',
				expires_in: 3600,
			});
		} else {
			json(response, 200, {ok: true});
		}
	});
	return Object.assign(server, {requests});
};

const opened: LocalServer[] = [];

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

const setup = async () => {
	const proxy = await startProxy();
	const target = await startTarget();
	opened.push(proxy, target);
	return {proxy, target};
};

/** One token POST and one JSON GET through a fetch made from `env`. */
const callBoth = async (env: NodeJS.ProcessEnv, base: string) => {
	const fetch = await createFetch(env);
	const token = await postToken({
		fetch,
		url: `${base}/token`,
		encoding: 'form',
		body: {grant_type: 'refresh_token', refresh_token: 'old-refresh'},
		timeoutMs: 5000,
	});
	const api = await getJson({fetch, url: `${base}/api`, timeoutMs: 5000});
	return {token, api};
};

/** The PiAuthError a request ends with (network: refused, or TLS through a tunnel). */
const failure = async (request: Promise<unknown>): Promise<PiAuthError> => {
	const error = await request.then(
		() => undefined,
		(error: unknown) => error,
	);
	expect(error).toBeInstanceOf(PiAuthError);
	return error as PiAuthError;
};

const viaProxy = (proxy: Proxy, target: {requests: Seen[]}) =>
	target.requests.map(request =>
		proxy.log.upstreamPorts.has(request.remotePort),
	);

/** This machine's own non-loopback IPv4 address: reachable without leaving it, and no proxy skips it. */
const ownAddress = Object.values(networkInterfaces())
	.flat()
	.find(item => item && item.family === 'IPv4' && !item.internal)?.address;

describe("proxyFor: curl's rules, and loopback never", () => {
	const url = (text: string) => new URL(text);
	it.each([
		[
			'https via HTTPS_PROXY',
			'https://api.test/x',
			{HTTPS_PROXY: 'http://p:1'},
			'http://p:1',
		],
		[
			'https via https_proxy',
			'https://api.test/x',
			{https_proxy: 'http://p:2'},
			'http://p:2',
		],
		[
			'lower case wins',
			'https://api.test/x',
			{https_proxy: 'http://low:1', HTTPS_PROXY: 'http://up:1'},
			'http://low:1',
		],
		[
			'an empty lower case does not hide upper case',
			'http://api.test/x',
			{http_proxy: '', HTTP_PROXY: 'http://up:1'},
			'http://up:1',
		],
		[
			'http via HTTP_PROXY',
			'http://api.test/x',
			{HTTP_PROXY: 'http://p:3'},
			'http://p:3',
		],
		[
			'https is not carried by HTTP_PROXY',
			'https://api.test/x',
			{HTTP_PROXY: 'http://p:3'},
			undefined,
		],
		[
			'http is not carried by HTTPS_PROXY',
			'http://api.test/x',
			{HTTPS_PROXY: 'http://p:3'},
			undefined,
		],
		[
			'NO_PROXY names the host',
			'https://api.test/x',
			{HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.test'},
			undefined,
		],
		[
			'no_proxy names a parent domain',
			'https://a.api.test/x',
			{HTTPS_PROXY: 'http://p:1', no_proxy: 'api.test'},
			undefined,
		],
		[
			'NO_PROXY .domain',
			'https://a.api.test/x',
			{HTTPS_PROXY: 'http://p:1', NO_PROXY: '.api.test'},
			undefined,
		],
		[
			'NO_PROXY *.domain',
			'https://a.api.test/x',
			{HTTPS_PROXY: 'http://p:1', NO_PROXY: '*.api.test'},
			undefined,
		],
		[
			'NO_PROXY list with spaces',
			'https://api.test/x',
			{HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com, api.test'},
			undefined,
		],
		[
			'NO_PROXY=*',
			'https://api.test/x',
			{HTTPS_PROXY: 'http://p:1', NO_PROXY: '*'},
			undefined,
		],
		[
			'NO_PROXY host:port, that port',
			'https://api.test/x',
			{HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.test:443'},
			undefined,
		],
		[
			'NO_PROXY host:port, another port',
			'https://api.test/x',
			{HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.test:8443'},
			'http://p:1',
		],
		[
			'NO_PROXY is not a substring match',
			'https://notapi.test/x',
			{HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.test'},
			'http://p:1',
		],
		[
			'NO_PROXY an IPv6 address',
			'https://[2001:db8::1]/x',
			{HTTPS_PROXY: 'http://p:1', NO_PROXY: '2001:db8::1'},
			undefined,
		],
		[
			'localhost, whatever NO_PROXY says',
			'http://localhost:9/x',
			{HTTP_PROXY: 'http://p:1', NO_PROXY: '127.0.0.1'},
			undefined,
		],
		[
			'127.0.0.0/8',
			'http://127.1.2.3:9/x',
			{HTTP_PROXY: 'http://p:1'},
			undefined,
		],
		['[::1]', 'https://[::1]:9/x', {HTTPS_PROXY: 'http://p:1'}, undefined],
		[
			'a name that only looks local',
			'https://localhost.example/x',
			{HTTPS_PROXY: 'http://p:1'},
			'http://p:1',
		],
	] as Array<[string, string, NodeJS.ProcessEnv, string | undefined]>)(
		'%s',
		(_what, target, env, proxy) => {
			expect(proxyFor(url(target), env)).toBe(proxy);
		},
	);
});

describe('createFetch and proxies', () => {
	it('returns httpFetch (node:http) when no proxy variable is set (NO_PROXY alone changes nothing)', async () => {
		expect(await createFetch({})).toBe(httpFetch);
		expect(await createFetch({NO_PROXY: '*', no_proxy: 'x'})).toBe(httpFetch);
		expect(await createFetch({HTTP_PROXY: ''})).toBe(httpFetch);
		expect(await createFetch({HTTP_PROXY: 'http://127.0.0.1:1'})).not.toBe(
			httpFetch,
		);
	});

	it.each([['HTTP_PROXY'], ['http_proxy']])(
		'%s: postToken and getJson reach an http:// provider host through the proxy',
		async variable => {
			const {proxy, target} = await setup();
			const {token, api} = await callBoth(
				{[variable]: proxy.url},
				`http://provider.test:${target.port}`,
			);
			expect(token).toMatchObject({access_token: 'new-access'});
			expect(api).toEqual({ok: true});
			// The target got both requests, intact, from the proxy's sockets.
			expect(target.requests.map(request => request.url)).toEqual([
				'/token',
				'/api',
			]);
			expect(target.requests[0]?.body).toBe(
				'grant_type=refresh_token&refresh_token=old-refresh',
			);
			expect(viaProxy(proxy, target)).toEqual([true, true]);
			// undici 7 tunnels http:// too; the proxy saw the requests inside the tunnel.
			expect(new Set(proxy.log.connects)).toEqual(
				new Set([`provider.test:${target.port}`]),
			);
			expect(proxy.log.tunnelled).toEqual([
				'POST /token HTTP/1.1',
				'GET /api HTTP/1.1',
			]);
			expect(proxy.log.forwarded).toEqual([]);
		},
	);

	it.each([
		['127.0.0.1', {}],
		['localhost', {}],
		// The reported case: NO_PROXY=127.0.0.1 did not cover localhost.
		['localhost', {NO_PROXY: '127.0.0.1'}],
		['127.0.0.1', {NO_PROXY: 'example.com'}],
	])(
		'never proxies a loopback host (%s, NO_PROXY %j)',
		async (host, noProxy) => {
			const {proxy, target} = await setup();
			const {token} = await callBoth(
				{HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, ...noProxy},
				`http://${host}:${target.port}`,
			);
			expect(token).toMatchObject({access_token: 'new-access'});
			expect(target.requests).toHaveLength(2);
			expect(proxy.seen()).toBe(0);
			expect(viaProxy(proxy, target)).toEqual([false, false]);
		},
	);

	it.each([
		['another host', () => ({NO_PROXY: 'example.com,localhost'})],
		[
			'another port',
			(port: number) => ({NO_PROXY: `provider.test:${port + 1}`}),
		],
	])('NO_PROXY naming %s still proxies', async (_name, noProxy) => {
		const {proxy, target} = await setup();
		await callBoth(
			{HTTP_PROXY: proxy.url, ...noProxy(target.port)},
			`http://provider.test:${target.port}`,
		);
		expect(viaProxy(proxy, target)).toEqual([true, true]);
	});

	it.runIf(ownAddress !== undefined).each([
		['the host', (host: string) => host],
		['host:port', (host: string, port: number) => `${host}:${port}`],
		['in a list', (host: string) => `example.com, ${host}`],
		['*', () => '*'],
	])(
		'NO_PROXY naming a non-loopback host (%s) sends it direct',
		async (_name, entry) => {
			const {proxy, target} = await setup();
			const fetch = await createFetch({
				HTTP_PROXY: proxy.url,
				NO_PROXY: entry(ownAddress!, target.port),
			});
			// Nothing listens on this machine's own address: refused here, and the proxy saw nothing.
			const error = await failure(
				getJson({
					fetch,
					url: `http://${ownAddress}:${target.port}/api`,
					timeoutMs: 5000,
				}),
			);
			expect(error.code).toBe('network');
			expect(proxy.seen()).toBe(0);
		},
	);

	it.each([['HTTPS_PROXY'], ['https_proxy']])(
		'%s carries https:// requests (CONNECT seen), and never http://',
		async variable => {
			const {proxy, target} = await setup();
			const fetch = await createFetch({[variable]: proxy.url});
			// The tunnel reaches a plain-HTTP server, so TLS fails: only the routing is proven here.
			const error = await failure(
				postToken({
					fetch,
					url: `https://provider.test:${target.port}/token`,
					encoding: 'json',
					body: {grant_type: 'refresh_token'},
					timeoutMs: 5000,
				}),
			);
			expect(error.code).toBe('network');
			expect(error.message).toMatch(/HTTPS_PROXY/);
			expect(proxy.log.connects).toEqual([`provider.test:${target.port}`]);
			if (ownAddress === undefined) return;
			// http:// is HTTP_PROXY's business: with only HTTPS_PROXY set it goes direct.
			const direct = await failure(
				getJson({
					fetch,
					url: `http://${ownAddress}:${target.port}/api`,
					timeoutMs: 5000,
				}),
			);
			expect(direct.code).toBe('network');
			expect(proxy.log.connects).toHaveLength(1);
		},
	);

	it.runIf(ownAddress !== undefined)(
		'HTTP_PROXY alone does not carry https:// (as in curl)',
		async () => {
			const {proxy, target} = await setup();
			const fetch = await createFetch({HTTP_PROXY: proxy.url});
			const error = await failure(
				postToken({
					fetch,
					url: `https://${ownAddress}:${target.port}/token`,
					encoding: 'json',
					body: {},
					timeoutMs: 5000,
				}),
			);
			expect(error.code).toBe('network');
			expect(proxy.seen()).toBe(0);
		},
	);

	it('HTTP_PROXY and HTTPS_PROXY each carry their own scheme only', async () => {
		const {proxy: forHttp, target} = await setup();
		const forHttps = await startProxy();
		opened.push(forHttps);
		const fetch = await createFetch({
			HTTP_PROXY: forHttp.url,
			HTTPS_PROXY: forHttps.url,
		});
		await getJson({fetch, url: `http://provider.test:${target.port}/api`});
		await failure(
			getJson({
				fetch,
				url: `https://provider.test:${target.port}/api`,
				timeoutMs: 5000,
			}),
		);
		expect(forHttp.log.connects).toEqual([`provider.test:${target.port}`]);
		expect(forHttp.log.tunnelled).toEqual(['GET /api HTTP/1.1']);
		expect(forHttps.log.connects).toEqual([`provider.test:${target.port}`]);
		expect(forHttps.log.tunnelled).toEqual([]);
	});
});

describe('the built CLI honours the proxy variables', () => {
	const OLD_ACCESS = 'sk-ant-oat01-OLD-ACCESS-0123456789';
	const OLD_REFRESH = 'sk-ant-ort01-OLD-REFRESH-0123456789';
	const NEW_ACCESS = 'sk-ant-oat01-NEW-ACCESS-0123456789';
	const NEW_REFRESH = 'sk-ant-ort01-NEW-REFRESH-0123456789';

	/** Anthropic's token endpoint as docs/providers.md describes it: JSON in, JSON out. */
	const startAnthropicToken = async () => {
		const requests: Array<Seen & {json: unknown}> = [];
		const server = await startServer(async (request, response) => {
			const body = await readBody(request);
			let parsed: unknown;
			try {
				parsed = JSON.parse(body);
			} catch {}

			requests.push({
				method: request.method ?? '',
				url: request.url ?? '',
				remotePort: request.socket.remotePort ?? 0,
				body,
				json: parsed,
			});
			const ok =
				request.method === 'POST' &&
				request.url === '/v1/oauth/token' &&
				request.headers['content-type'] === 'application/json';
			if (!ok) {
				json(response, 400, {error: 'invalid_request'});
				return;
			}

			json(response, 200, {
				access_token: NEW_ACCESS,
				refresh_token: NEW_REFRESH,
				expires_in: 28_800,
			});
		});
		return Object.assign(server, {requests});
	};

	const prepare = async (tokenUrl: (port: number) => string) => {
		const proxy = await startProxy();
		const token = await startAnthropicToken();
		opened.push(proxy, token);
		const home = await makeTempDir();
		const authFile = path.join(home, 'auth.json');
		const configFile = path.join(home, 'pi-auth.json');
		await fs.writeFile(
			authFile,
			JSON.stringify({
				anthropic: {
					type: 'oauth',
					access: OLD_ACCESS,
					refresh: OLD_REFRESH,
					expires: Date.now() + 3_600_000,
				},
			}),
			{mode: 0o600},
		);
		await fs.writeFile(
			configFile,
			JSON.stringify({
				providers: {
					anthropic: {endpoints: {token: tokenUrl(token.port)}},
				},
			}),
		);
		const args = [
			'refresh',
			'anthropic',
			'--force',
			'--auth-file',
			authFile,
			'--config',
			configFile,
		];
		return {proxy, token, home, authFile, args};
	};

	const stored = async (file: string) =>
		(
			JSON.parse(await fs.readFile(file, 'utf8')) as {
				anthropic: Record<string, unknown>;
			}
		).anthropic;

	it('`refresh anthropic --force` to an https:// host goes through HTTPS_PROXY, and leaves the file alone when it fails', async () => {
		const {proxy, token, home, authFile, args} = await prepare(
			port => `https://anthropic.test:${port}/v1/oauth/token`,
		);
		const result = await runCli(args, {
			env: cleanEnv(home, {HTTPS_PROXY: proxy.url}),
		});
		// The tunnel reaches a plain-HTTP server: TLS fails, but the route is the point.
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/Could not reach anthropic\.test/);
		expect(proxy.log.connects).toEqual([`anthropic.test:${token.port}`]);
		expect(token.requests).toEqual([]);
		expect(await stored(authFile)).toMatchObject({
			access: OLD_ACCESS,
			refresh: OLD_REFRESH,
		});
	});

	it.each([
		// The reported case: NO_PROXY=127.0.0.1 did not cover localhost, and the call was tunnelled.
		[
			'a localhost endpoint with HTTP_PROXY and NO_PROXY=127.0.0.1',
			(port: number) => `http://localhost:${port}/v1/oauth/token`,
			(proxy: Proxy) => ({HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1'}),
		],
		[
			'a 127.0.0.1 endpoint with both proxies set',
			(port: number) => `http://127.0.0.1:${port}/v1/oauth/token`,
			(proxy: Proxy) => ({HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url}),
		],
		[
			'no proxy variable set',
			(port: number) => `http://127.0.0.1:${port}/v1/oauth/token`,
			() => ({}),
		],
	])('goes direct for %s', async (_name, tokenUrl, proxyEnv) => {
		const {proxy, token, home, authFile, args} = await prepare(tokenUrl);
		const result = await runCli(args, {
			env: cleanEnv(home, proxyEnv(proxy)),
		});
		expect(result.stderr).toMatch(/anthropic: refreshed/);
		expect(result.code).toBe(0);
		expect(token.requests).toHaveLength(1);
		expect(token.requests[0]?.json).toEqual({
			grant_type: 'refresh_token',
			client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
			refresh_token: OLD_REFRESH,
		});
		expect(proxy.seen()).toBe(0);
		expect(proxy.log.upstreamPorts.has(token.requests[0]!.remotePort)).toBe(
			false,
		);
		expect(await stored(authFile)).toMatchObject({
			access: NEW_ACCESS,
			refresh: NEW_REFRESH,
		});
	});
});
