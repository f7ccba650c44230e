/*
HTTPS_PROXY / HTTP_PROXY / NO_PROXY for provider calls (providers.md, pi #1132; openclaw #42176 was a
token exchange ignoring the proxy). createFetch hands them to undici's EnvHttpProxyAgent.

What these tests can and cannot prove, honestly:
- undici's EnvHttpProxyAgent has no built-in loopback exception: with NO_PROXY empty, a request to
  127.0.0.1 goes through the proxy. That is what lets a loopback server stand in for a provider.
- undici 7 tunnels even http:// targets with CONNECT (ProxyAgent's proxyTunnel defaults to true),
  so the proxy sees `CONNECT host:port`, then the plaintext request inside the tunnel. The proxy
  below also does absolute-form forwarding in case that ever changes; the tests accept either
  mode for "went through the proxy" and pin the mode separately.
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
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {createFetch, getJson, postToken} from '../../source/oauth/http.js';
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

const REQUEST_LINE =
	/^(?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) \S+ HTTP\/1\.1$/gm;
// Loopback only: the proxy refuses to reach anything else, whatever a test asks of it.
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

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

		if (target.protocol !== 'http:' || !LOOPBACK.has(target.hostname)) {
			response.writeHead(403).end();
			return;
		}

		log.forwarded.push(`${request.method} ${target.href}`);
		const headers = {...request.headers};
		delete headers['proxy-connection'];
		const upstream = httpRequest(
			{
				host: target.hostname,
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
		if (!match?.[1] || !LOOPBACK.has(match[1])) {
			client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}

		const upstream = connect({host: match[1], port: Number(match[2])});
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

const viaProxy = (proxy: Proxy, target: {requests: Seen[]}) =>
	target.requests.map(request =>
		proxy.log.upstreamPorts.has(request.remotePort),
	);

describe('createFetch and proxies', () => {
	it('returns the global fetch when no proxy variable is set (NO_PROXY alone changes nothing)', async () => {
		expect(await createFetch({})).toBe(globalThis.fetch);
		expect(await createFetch({NO_PROXY: '*', no_proxy: 'x'})).toBe(
			globalThis.fetch,
		);
		expect(await createFetch({HTTP_PROXY: ''})).toBe(globalThis.fetch);
		expect(await createFetch({HTTP_PROXY: 'http://127.0.0.1:1'})).not.toBe(
			globalThis.fetch,
		);
	});

	it.each([['HTTP_PROXY'], ['http_proxy']])(
		'%s: postToken and getJson reach an http:// loopback target through the proxy',
		async variable => {
			const {proxy, target} = await setup();
			const {token, api} = await callBoth({[variable]: proxy.url}, target.url);
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
			expect(proxy.log.connects.length).toBeGreaterThan(0);
			expect(new Set(proxy.log.connects)).toEqual(
				new Set([`127.0.0.1:${target.port}`]),
			);
			expect(proxy.log.tunnelled).toEqual([
				'POST /token HTTP/1.1',
				'GET /api HTTP/1.1',
			]);
			expect(proxy.log.forwarded).toEqual([]);
		},
	);

	it.each([
		['NO_PROXY=host', () => ({NO_PROXY: '127.0.0.1'})],
		['no_proxy=host', () => ({no_proxy: '127.0.0.1'})],
		['NO_PROXY=host:port', (port: number) => ({NO_PROXY: `127.0.0.1:${port}`})],
		['NO_PROXY list', () => ({NO_PROXY: 'example.com, 127.0.0.1'})],
		['NO_PROXY=*', () => ({NO_PROXY: '*'})],
		// curl reads an empty variable as unset; so does createFetch for the proxy variables.
		[
			'empty no_proxy, NO_PROXY=host',
			() => ({no_proxy: '', NO_PROXY: '127.0.0.1'}),
		],
	])('%s bypasses the proxy', async (_name, noProxy) => {
		const {proxy, target} = await setup();
		const {token} = await callBoth(
			{HTTP_PROXY: proxy.url, ...noProxy(target.port)},
			target.url,
		);
		expect(token).toMatchObject({access_token: 'new-access'});
		expect(target.requests).toHaveLength(2);
		expect(proxy.seen()).toBe(0);
		expect(viaProxy(proxy, target)).toEqual([false, false]);
	});

	it.each([
		['another host', () => ({NO_PROXY: 'example.com,localhost'})],
		['another port', (port: number) => ({NO_PROXY: `127.0.0.1:${port + 1}`})],
	])('NO_PROXY naming %s still proxies', async (_name, noProxy) => {
		const {proxy, target} = await setup();
		await callBoth(
			{HTTP_PROXY: proxy.url, ...noProxy(target.port)},
			target.url,
		);
		expect(viaProxy(proxy, target)).toEqual([true, true]);
	});

	it.each([['HTTPS_PROXY'], ['https_proxy']])(
		'%s carries https:// requests (CONNECT seen) and leaves http:// alone',
		async variable => {
			const {proxy, target} = await setup();
			const fetch = await createFetch({[variable]: proxy.url});
			// The tunnel reaches a plain-HTTP server, so TLS fails: only the routing is proven here.
			const error = await postToken({
				fetch,
				url: `https://127.0.0.1:${target.port}/token`,
				encoding: 'json',
				body: {grant_type: 'refresh_token'},
				timeoutMs: 5000,
			}).then(
				() => undefined,
				(error: unknown) => error,
			);
			expect(error).toBeInstanceOf(PiAuthError);
			expect((error as PiAuthError).code).toBe('network');
			expect((error as PiAuthError).message).toMatch(/HTTPS_PROXY/);
			expect(proxy.log.connects).toEqual([`127.0.0.1:${target.port}`]);

			// http:// is HTTP_PROXY's business: with only HTTPS_PROXY set it goes direct.
			const api = await getJson({fetch, url: `${target.url}/api`});
			expect(api).toEqual({ok: true});
			expect(proxy.log.connects).toHaveLength(1);
			expect(viaProxy(proxy, target).at(-1)).toBe(false);
		},
	);

	it('HTTPS_PROXY with NO_PROXY naming the host sends https:// direct', async () => {
		const {proxy, target} = await setup();
		const fetch = await createFetch({
			HTTPS_PROXY: proxy.url,
			NO_PROXY: '127.0.0.1',
		});
		const error = await postToken({
			fetch,
			url: `https://127.0.0.1:${target.port}/token`,
			encoding: 'json',
			body: {},
			timeoutMs: 5000,
		}).then(
			() => undefined,
			(error: unknown) => error,
		);
		expect((error as PiAuthError).code).toBe('network');
		expect(proxy.seen()).toBe(0);
	});

	it('HTTP_PROXY alone also carries https:// (undici falls back to it, as in pi)', async () => {
		const {proxy, target} = await setup();
		const fetch = await createFetch({HTTP_PROXY: proxy.url});
		await postToken({
			fetch,
			url: `https://127.0.0.1:${target.port}/token`,
			encoding: 'json',
			body: {},
			timeoutMs: 5000,
		}).catch(() => undefined);
		expect(proxy.log.connects).toEqual([`127.0.0.1:${target.port}`]);
	});
});

describe('the built CLI honours the proxy variables', () => {
	const OLD_ACCESS = 'sk-ant-oat01-OLD-ACCESS-0123456789';
	const OLD_REFRESH = 'sk-ant-ort01-OLD-REFRESH-0123456789';
	const NEW_ACCESS = 'sk-ant-oat01-NEW-ACCESS-0123456789';
	const NEW_REFRESH = 'sk-ant-ort01-NEW-REFRESH-0123456789';

	/** Anthropic's token endpoint as providers.md describes it: JSON in, JSON out. */
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

	const prepare = async () => {
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
					anthropic: {endpoints: {token: `${token.url}/v1/oauth/token`}},
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

	it('`refresh anthropic --force` with HTTP_PROXY goes through the proxy', async () => {
		const {proxy, token, home, authFile, args} = await prepare();
		const result = await runCli(args, {
			env: cleanEnv(home, {HTTP_PROXY: proxy.url}),
		});
		expect(result.stderr).toMatch(/anthropic: refreshed/);
		expect(result.code).toBe(0);
		expect(token.requests).toHaveLength(1);
		expect(token.requests[0]?.json).toEqual({
			grant_type: 'refresh_token',
			client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
			refresh_token: OLD_REFRESH,
		});
		// It came from the proxy's socket, through a tunnel the proxy opened for it.
		expect(proxy.log.upstreamPorts.has(token.requests[0]!.remotePort)).toBe(
			true,
		);
		expect(proxy.log.connects).toEqual([`127.0.0.1:${token.port}`]);
		expect(proxy.log.tunnelled).toEqual(['POST /v1/oauth/token HTTP/1.1']);
		expect(await stored(authFile)).toMatchObject({
			access: NEW_ACCESS,
			refresh: NEW_REFRESH,
		});
	});

	it.each([
		[
			'NO_PROXY names the host',
			(proxy: Proxy) => ({HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1'}),
		],
		['no proxy variable is set', () => ({})],
	])('the same command goes direct when %s', async (_name, proxyEnv) => {
		const {proxy, token, home, authFile, args} = await prepare();
		const result = await runCli(args, {
			env: cleanEnv(home, proxyEnv(proxy)),
		});
		expect(result.code).toBe(0);
		expect(token.requests).toHaveLength(1);
		expect(proxy.seen()).toBe(0);
		expect(proxy.log.upstreamPorts.has(token.requests[0]!.remotePort)).toBe(
			false,
		);
		expect(await stored(authFile)).toMatchObject({access: NEW_ACCESS});
	});
});
