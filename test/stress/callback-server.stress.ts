/*
The localhost callback server under abuse (source/oauth/callback-server.ts): wrong states, wrong
paths and methods, huge query strings, garbage bytes, hundreds of parallel connections and a
slow-loris client, requests for other Host names, all while it waits. It must stay up, take the
first valid code only, listen on 127.0.0.1 and [::1] and nowhere else, and always close: close()
resolves and the port is free afterwards.
*/
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import {afterEach, describe, expect, it} from 'vitest';
import {
	type CallbackServer,
	startCallbackServer,
} from '../../source/oauth/callback-server.js';
import {report} from './helpers/processes.js';

const STATE = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const PATH = '/callback';
const PARALLEL = 300;

const servers: CallbackServer[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
	for (const socket of sockets) socket.destroy();
	sockets.clear();
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

/**
One raw HTTP exchange: the status code, or the socket error's code when there was no answer. The
`Host: localhost` of a request built by `get` gets the port, as a browser sends it.
*/
const exchange = async (
	port: number,
	request: string | Buffer,
	host = '127.0.0.1',
): Promise<string> =>
	new Promise(resolve => {
		const socket = net.connect({port, host});
		const bytes =
			typeof request === 'string'
				? request.replace('Host: localhost\r\n', `Host: localhost:${port}\r\n`)
				: request;
		sockets.add(socket);
		let answer = '';
		socket.setTimeout(15_000, () => {
			socket.destroy();
			resolve('timeout');
		});
		socket.on('connect', () => {
			socket.write(bytes);
		});
		socket.on('data', chunk => {
			answer += chunk.toString('latin1');
		});
		socket.on('error', error => {
			resolve((error as NodeJS.ErrnoException).code ?? 'error');
		});
		socket.on('close', () => {
			sockets.delete(socket);
			resolve(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 'closed');
		});
	});

const get = (target: string, method = 'GET') =>
	`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

const query = (params: Record<string, string>) =>
	`${PATH}?${new URLSearchParams(params).toString()}`;

/** The listening sockets on `port` from /proc/net/tcp{,6}, as "address:port" hex pairs. */
const listeners = async (port: number): Promise<string[] | undefined> => {
	const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
	const found: string[] = [];
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text: string;
		try {
			text = await fs.readFile(table, 'utf8');
		} catch {
			return undefined;
		}

		for (const line of text.split('\n').slice(1)) {
			const [, local, , state] = line.trim().split(/\s+/);
			// State 0A is LISTEN.
			if (state === '0A' && local?.endsWith(`:${hexPort}`)) found.push(local);
		}
	}

	return found;
};

/** This machine's addresses that are not loopback (link-local IPv6 needs a scope: left out). */
const outsideAddresses = () =>
	Object.values(os.networkInterfaces())
		.flat()
		.filter(
			(entry): entry is os.NetworkInterfaceInfo =>
				entry !== undefined &&
				!entry.internal &&
				!entry.address.toLowerCase().startsWith('fe80'),
		)
		.map(entry => entry.address);

const settledYet = async (promise: Promise<unknown>) =>
	Promise.race([
		promise.then(
			() => true,
			() => true,
		),
		new Promise<boolean>(resolve => {
			setImmediate(() => {
				resolve(false);
			});
		}),
	]);

/** Sends a request line one byte at a time and never finishes it. */
const slowLoris = (port: number, everyMs: number) => {
	const socket = net.connect({port, host: '127.0.0.1'});
	sockets.add(socket);
	const text = `GET ${PATH}?code=loris&state=${STATE} HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${'a'.repeat(5000)}`;
	let index = 0;
	let timer: NodeJS.Timeout | undefined;
	const closed = new Promise<number>(resolve => {
		const started = Date.now();
		socket.on('close', () => {
			clearTimeout(timer);
			resolve(Date.now() - started);
		});
	});
	socket.on('error', () => undefined);
	const drip = () => {
		if (socket.destroyed || index >= text.length) return;
		socket.write(text[index++] ?? '');
		timer = setTimeout(drip, everyMs);
	};

	socket.on('connect', drip);
	return {socket, closed, sent: () => index};
};

describe('the callback server under abuse', () => {
	it('stays up, takes the first valid code only, listens on loopback only, and closes', async () => {
		const server = await startCallbackServer({
			ports: [0],
			path: PATH,
			expectedState: STATE,
		});
		servers.push(server);
		const {port} = server;
		expect(port).toBeGreaterThan(0);
		if (port === undefined) throw new Error('not bound');

		// Where it listens: 127.0.0.1 (0100007F) and ::1, never 0.0.0.0 or ::.
		const bound = await listeners(port);
		const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
		if (bound !== undefined) {
			expect(bound[0]).toBe(`0100007F:${hexPort}`);
			expect(bound.slice(1)).toEqual(
				bound.length === 2
					? [`00000000000000000000000001000000:${hexPort}`]
					: [],
			);
		}
		const outside = outsideAddresses();
		const fromOutside = await Promise.all(
			outside.map(async address =>
				exchange(port, get(query({code: 'x', state: STATE})), address),
			),
		);
		for (const outcome of fromOutside) expect(outcome).toBe('ECONNREFUSED');
		// [::1] is the same server (a stale link there is refused as on 127.0.0.1), when the machine has it.
		expect(await exchange(port, get(PATH), '::1')).toMatch(
			bound?.length === 2 ? /^400$/ : /^(?:400|ECONNREFUSED|EADDRNOTAVAIL)$/,
		);

		// A slow-loris client drips its headers the whole time.
		const loris = slowLoris(port, 20);

		// Hundreds of parallel connections, none of them valid.
		const abuse: Array<[string, string | Buffer]> = [
			['wrong state', get(query({code: 'c1', state: 'wrong'}))],
			['no state', get(query({code: 'c2'}))],
			['two states', get(`${PATH}?code=c3&state=${STATE}&state=${STATE}`)],
			[
				'another Host (DNS rebinding)',
				`GET ${query({code: 'c8', state: STATE})} HTTP/1.1\r\nHost: rebind.example:80\r\nConnection: close\r\n\r\n`,
			],
			['two codes', get(`${query({state: STATE})}&code=a&code=b`)],
			['no code', get(query({state: STATE}))],
			[
				'error with a wrong state',
				get(query({error: 'access_denied', state: 'wrong'})),
			],
			['wrong path', get(`/other?code=c4&state=${STATE}`)],
			['path prefix', get(`${PATH}/../callback2?code=c5&state=${STATE}`)],
			['POST', get(query({code: 'c6', state: STATE}), 'POST')],
			['10 KB query', get(query({code: 'c'.repeat(10_000), state: STATE}))],
			['100 KB query', get(query({code: 'c'.repeat(100_000), state: STATE}))],
			[
				'garbage bytes',
				Buffer.from([
					0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a,
				]),
			],
			['half a request', 'GET /callback?code=c7&state='],
		];
		const outcomes: Record<string, Record<string, number>> = {};
		await Promise.all(
			Array.from({length: PARALLEL}, async (_, index) => {
				const [what, request] = abuse[index % abuse.length]!;
				// A half request gets no answer: close it from our side after a moment.
				const outcome =
					what === 'half a request'
						? await Promise.race([
								exchange(port, request),
								new Promise<string>(resolve => {
									setTimeout(() => {
										resolve('no answer (client gave up)');
									}, 300);
								}),
							])
						: await exchange(port, request);
				const tally = (outcomes[what] ??= {});
				tally[outcome] = (tally[outcome] ?? 0) + 1;
			}),
		);
		for (const [what, tally] of Object.entries(outcomes)) {
			const answers = Object.keys(tally);
			expect(answers, what).not.toContain('200');
			expect(answers, what).not.toContain('ECONNREFUSED');
		}

		expect(outcomes['wrong state']).toEqual({
			400: expect.any(Number) as number,
		});
		expect(outcomes['wrong path']).toEqual({404: expect.any(Number) as number});
		expect(outcomes['another Host (DNS rebinding)']).toEqual({
			421: expect.any(Number) as number,
		});
		expect(outcomes['10 KB query']).toEqual({
			414: expect.any(Number) as number,
		});
		expect(
			await settledYet(server.result),
			'no invalid request settled it',
		).toBe(false);
		expect(loris.socket.destroyed, 'the slow client is still connected').toBe(
			false,
		);

		// Valid codes, many at once: exactly one wins, the rest are turned away.
		const codes = Array.from({length: 20}, (_, index) => `valid-code-${index}`);
		const valid = await Promise.all(
			codes.map(async code => exchange(port, get(query({code, state: STATE})))),
		);
		const result = await server.result;
		expect(codes).toContain(result.code);
		expect(result.state).toBe(STATE);
		const accepted = valid.filter(status => status === '200').length;
		expect(accepted).toBe(1);

		// It closes by itself after the code, the slow client included, and the port is free.
		const closeStarted = Date.now();
		await server.close();
		const closeMs = Date.now() - closeStarted;
		const lorisClosedAfter = await loris.closed;
		expect(await exchange(port, get(PATH))).toBe('ECONNREFUSED');
		const again = net.createServer();
		await new Promise<void>((resolve, reject) => {
			again.once('error', reject);
			again.listen({port, host: '127.0.0.1'}, resolve);
		});
		await new Promise<void>(resolve => {
			again.close(() => {
				resolve();
			});
		});

		report(
			`callback server abuse: ${PARALLEL} parallel bad connections, then 20 valid codes at once`,
			{
				'bound to':
					bound === undefined ? 'n/a (no /proc/net/tcp)' : bound.join(', '),
				'non-loopback addresses tried':
					outside.length === 0
						? 'none on this machine (asserted on the bound address only)'
						: `${outside.join(', ')}: ${fromOutside.join(', ')}`,
				'answers to bad requests': outcomes,
				'valid requests answered 200': `${accepted} of ${codes.length} (the rest: ${[...new Set(valid.filter(status => status !== '200'))].join(', ')})`,
				'code taken': result.code,
				'slow-loris bytes sent before the close': loris.sent(),
				'close() took': `${closeMs} ms (slow-loris socket dropped ${lorisClosedAfter} ms after it connected)`,
				'port free afterwards': 'yes (re-bound and released)',
			},
		);
	});

	it('cuts a slow-loris client off by itself, and close() still resolves with nothing received', async () => {
		const server = await startCallbackServer({
			ports: [0],
			path: PATH,
			expectedState: STATE,
		});
		servers.push(server);
		const port = server.port ?? 0;
		// 5000+ bytes at one every 5 ms would take 25 s: the 10 s header timeout must end it first.
		const loris = slowLoris(port, 5);
		const cutAfter = await loris.closed;
		expect(cutAfter).toBeGreaterThanOrEqual(9_000);
		expect(cutAfter).toBeLessThan(14_000);
		// It is still up and waiting.
		expect(await exchange(port, get(query({code: 'x', state: 'wrong'})))).toBe(
			'400',
		);
		expect(await settledYet(server.result)).toBe(false);
		await server.close();
		await expect(server.result).rejects.toMatchObject({code: 'aborted'});
		expect(await exchange(port, get(PATH))).toBe('ECONNREFUSED');
		report('callback server: slow-loris cut-off', {
			'slow client dropped after': `${cutAfter} ms (${loris.sent()} bytes sent)`,
			'still answering afterwards': 'yes (400 to a wrong state)',
			'close() with nothing received': 'resolved; result rejected with aborted',
		});
	});
});
