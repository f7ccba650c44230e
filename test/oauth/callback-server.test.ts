import {
	type AddressInfo,
	connect,
	createServer as createNetServer,
} from 'node:net';
import {networkInterfaces, platform} from 'node:os';
import {afterEach, describe, expect, it} from 'vitest';
import {
	type CallbackServer,
	type CallbackServerOptions,
	startCallbackServer,
} from '../../source/oauth/callback-server.js';
import {type LocalServer, canConnect, startServer} from './local-server.js';
import {rejection} from '../helpers/failure.js';

const STATE = 'state-0123456789abcdef';
const opened: Array<CallbackServer | LocalServer> = [];

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

const start = async (
	options: Partial<CallbackServerOptions> = {},
): Promise<CallbackServer> => {
	const server = await startCallbackServer({
		ports: [0],
		path: '/callback',
		expectedState: STATE,
		...options,
	});
	opened.push(server);
	return server;
};

const get = async (server: CallbackServer, pathAndQuery: string) => {
	const response = await fetch(
		`http://127.0.0.1:${server.port}${pathAndQuery}`,
	);
	return {status: response.status, text: await response.text()};
};

/** Whether `promise` is still pending after the event loop had a chance to settle it. */
const isPending = async (promise: Promise<unknown>): Promise<boolean> => {
	let settled = false;
	promise.then(
		() => (settled = true),
		() => (settled = true),
	);
	await new Promise(resolve => setImmediate(resolve));
	return !settled;
};

/** Whether this machine has an IPv6 loopback at all (some containers do not). */
const ipv6 = await new Promise<boolean>(resolve => {
	const probe = createNetServer();
	probe.once('error', () => {
		resolve(false);
	});
	probe.listen({port: 0, host: '::1'}, () => {
		probe.close(() => {
			resolve(true);
		});
	});
});

/** Another program listening on `host` at a free port. */
const listenOn = async (host: string) => {
	const server = createNetServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen({port: 0, host, ipv6Only: true}, resolve);
	});
	return {
		port: (server.address() as AddressInfo).port,
		close() {
			server.close();
		},
	};
};

/** One raw GET with the given Host header ('' sends none), answered by its status line. */
const rawGet = async (port: number, target: string, host: string) =>
	new Promise<string>((resolve, reject) => {
		const socket = connect({port, host: '127.0.0.1'});
		let answer = '';
		socket.on('connect', () => {
			socket.write(
				`GET ${target} HTTP/1.1\r\n${host === '' ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`,
			);
		});
		socket.on('data', chunk => (answer += chunk.toString('latin1')));
		socket.on('error', reject);
		socket.on('close', () => {
			resolve(answer.split('\r\n')[0] ?? '');
		});
	});

describe('startCallbackServer', () => {
	it('binds an ephemeral port with 0 and accepts one valid code', async () => {
		const server = await start();
		expect(server.port).toBeGreaterThan(0);
		expect(server.busyPorts).toEqual([]);
		const page = await get(
			server,
			`/callback?code=the-code&state=${STATE}&iss=https%3A%2F%2Fissuer.test`,
		);
		expect(page.status).toBe(200);
		expect(page.text).toContain(
			'you can close this tab and return to the terminal',
		);
		// RFC 9207 `iss` is not passed on: no provider publishes an issuer to check it against.
		expect(await server.result).toEqual({code: 'the-code', state: STATE});
		// The server is gone: a second valid request gets nothing.
		await expect(
			fetch(
				`http://127.0.0.1:${server.port}/callback?code=again&state=${STATE}`,
			),
		).rejects.toThrow();
		expect(await canConnect(server.port!)).toBe(false);
	});

	it('serves only GET on its path: 404 otherwise, and keeps waiting', async () => {
		const server = await start();
		expect((await get(server, `/other?code=c&state=${STATE}`)).status).toBe(
			404,
		);
		expect((await get(server, '/')).status).toBe(404);
		expect((await get(server, '/callback/extra')).status).toBe(404);
		const post = await fetch(
			`http://127.0.0.1:${server.port}/callback?code=c&state=${STATE}`,
			{method: 'POST'},
		);
		expect(post.status).toBe(404);
		await post.text();
		expect(await isPending(server.result)).toBe(true);
	});

	it('answers a wrong or missing state with 400, echoes nothing, and still takes the right one', async () => {
		const server = await start();
		const marker = '<script>alert(1)</script>';
		const stale = await get(
			server,
			`/callback?code=${encodeURIComponent(marker)}&state=${encodeURIComponent(marker)}`,
		);
		expect(stale.status).toBe(400);
		expect(stale.text).toMatch(/out of date/);
		expect(stale.text).not.toContain('alert');
		expect((await get(server, '/callback?code=abc')).status).toBe(400);
		expect(
			(await get(server, `/callback?state=${STATE}&state=${STATE}&code=a`))
				.status,
		).toBe(400);
		expect((await get(server, `/callback?state=${STATE}`)).status).toBe(400);
		expect(
			(await get(server, `/callback?error=access_denied&state=wrong`)).status,
		).toBe(400);
		expect(await isPending(server.result)).toBe(true);
		expect(
			(await get(server, `/callback?code=right&state=${STATE}`)).status,
		).toBe(200);
		expect((await server.result).code).toBe('right');
	});

	it('rejects with access-denied when the user declines, then closes', async () => {
		const server = await start();
		const page = await get(
			server,
			`/callback?error=access_denied&state=${STATE}`,
		);
		expect(page.status).toBe(200);
		expect(page.text).toMatch(/not granted/);
		const error = await rejection(server.result);
		expect(error.code).toBe('access-denied');
		expect(error.serverCode).toBe('access_denied');
		await server.close();
		expect(await canConnect(server.port!)).toBe(false);
	});

	it('maps other authorization errors', async () => {
		const server = await start();
		await get(server, `/callback?error=server_error&state=${STATE}`);
		const error = await rejection(server.result);
		expect(error.code).toBe('server-error');
		expect(error.serverCode).toBe('server_error');
	});

	it('answers 414 to a huge URL and keeps waiting', async () => {
		const server = await start();
		const page = await get(
			server,
			`/callback?state=${STATE}&code=${'a'.repeat(10_000)}`,
		);
		expect(page.status).toBe(414);
		expect(await isPending(server.result)).toBe(true);
	});

	it('moves on from a busy port to the next one', async () => {
		const busy = await startServer((_request, response) => response.end());
		opened.push(busy);
		const server = await start({ports: [busy.port, 0]});
		expect(server.busyPorts).toEqual([busy.port]);
		expect(server.port).not.toBe(busy.port);
		expect(server.port).toBeGreaterThan(0);
	});

	it('comes back unbound when every port is busy; only close() settles it', async () => {
		const first = await startServer((_request, response) => response.end());
		const second = await startServer((_request, response) => response.end());
		opened.push(first, second);
		const server = await start({ports: [first.port, second.port]});
		expect(server.port).toBeUndefined();
		expect(server.busyPorts).toEqual([first.port, second.port]);
		expect(await isPending(server.result)).toBe(true);
		await server.close();
		expect((await rejection(server.result)).code).toBe('aborted');
	});

	it('is reachable on 127.0.0.1 and [::1] only', async () => {
		const server = await start();
		const port = server.port!;
		expect(await canConnect(port)).toBe(true);
		if (ipv6) expect(await canConnect(port, '::1')).toBe(true);
		const external = Object.values(networkInterfaces())
			.flat()
			.filter(
				item => item && !item.internal && !item.address.startsWith('fe80'),
			)
			.map(item => item!.address);
		for (const address of external) {
			expect(await canConnect(port, address)).toBe(false);
		}

		// A wildcard (0.0.0.0 or ::) bind would accept this too; 127.0.0.1 alone does not.
		if (platform() === 'linux') {
			expect(await canConnect(port, '127.0.0.2')).toBe(false);
		}
	});

	/*
	The redirect URI says localhost, which a browser may resolve to ::1: another program listening on
	[::1] at the port would receive the code. Such a port is treated as busy.
	*/
	it.runIf(ipv6)(
		'does not use a port another program holds on [::1], and moves on',
		async () => {
			const squatter = await listenOn('::1');
			const server = await start({ports: [squatter.port, 0]});
			expect(server.busyPorts).toEqual([squatter.port]);
			expect(server.port).not.toBe(squatter.port);
			// Its own port is held on both addresses: a code sent to [::1] reaches it.
			const response = await fetch(
				`http://[::1]:${server.port}/callback?code=via-v6&state=${STATE}`,
			);
			expect(response.status).toBe(200);
			expect((await server.result).code).toBe('via-v6');
			squatter.close();
		},
	);

	it.runIf(ipv6)(
		'comes back unbound (paste only) when the only port is held on [::1]',
		async () => {
			const squatter = await listenOn('::1');
			const server = await start({ports: [squatter.port]});
			expect(server.port).toBeUndefined();
			expect(server.busyPorts).toEqual([squatter.port]);
			// What it bound on 127.0.0.1 for the attempt is released again.
			expect(await canConnect(squatter.port)).toBe(false);
			squatter.close();
		},
	);

	it('serves only the Host names the redirect can use: 421 otherwise, and keeps waiting (DNS rebinding)', async () => {
		const server = await start();
		const port = server.port!;
		for (const host of [
			`evil.example:${port}`,
			'localhost',
			`localhost:${port + 1}`,
			`127.0.0.1.nip.io:${port}`,
			// None at all: Node itself answers 400 (HTTP/1.1 requires Host).
			'',
		]) {
			const answer = await rawGet(
				port,
				`/callback?code=rebound&state=${STATE}`,
				host,
			);
			expect(answer, host).toMatch(/^HTTP\/1\.1 (?:421|400) /);
		}

		expect(await isPending(server.result)).toBe(true);
		for (const host of [`LocalHost:${port}`, `127.0.0.1:${port}`]) {
			expect(await rawGet(port, `/other`, host), host).toMatch(
				/^HTTP\/1\.1 404 /,
			);
		}

		const answer = await rawGet(
			port,
			`/callback?code=right&state=${STATE}`,
			`[::1]:${port}`,
		);
		expect(answer).toMatch(/^HTTP\/1\.1 200 /);
		expect((await server.result).code).toBe('right');
	});

	it('closes on abort: rejects aborted, refuses connections', async () => {
		const controller = new AbortController();
		const server = await start({signal: controller.signal});
		const port = server.port!;
		controller.abort();
		expect((await rejection(server.result)).code).toBe('aborted');
		await server.close();
		expect(await canConnect(port)).toBe(false);
	});

	it('refuses to start with an aborted signal', async () => {
		const controller = new AbortController();
		controller.abort();
		expect((await rejection(start({signal: controller.signal}))).code).toBe(
			'aborted',
		);
	});

	it('close() without anyone observing result does not crash the process', async () => {
		const server = await start();
		await server.close();
		await server.close();
		expect(await canConnect(server.port!)).toBe(false);
	});

	it('a slow-loris client does not block a valid request, and is dropped on close', async () => {
		const server = await start();
		const slow = connect({port: server.port!, host: '127.0.0.1'});
		await new Promise<void>((resolve, reject) => {
			slow.once('connect', resolve);
			slow.once('error', reject);
		});
		slow.write('GET /callback?state=');
		const slowClosed = new Promise<void>(resolve =>
			slow.once('close', () => resolve()),
		);
		slow.on('error', () => {});
		const page = await get(server, `/callback?code=fast&state=${STATE}`);
		expect(page.status).toBe(200);
		expect((await server.result).code).toBe('fast');
		await server.close();
		await slowClosed;
		expect(slow.destroyed).toBe(true);
	});
});
