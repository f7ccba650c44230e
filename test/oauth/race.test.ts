import {PassThrough} from 'node:stream';
import {afterEach, describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {
	type CallbackServer,
	startCallbackServer,
} from '../../source/oauth/callback-server.js';
import {
	createPasteQueue,
	linesFrom,
	raceForCode,
} from '../../source/oauth/race.js';
import {canConnect} from './local-server.js';
import {rejection} from '../helpers/failure.js';

const STATE = 'race-state-0123456789';
const CODE = 'pasted-code-0123456789';
const opened: CallbackServer[] = [];

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

const callbackServer = async (ports: number[] = [0]) => {
	const server = await startCallbackServer({
		ports,
		path: '/callback',
		expectedState: STATE,
	});
	opened.push(server);
	return server;
};

const visit = async (server: CallbackServer, query: string) => {
	const response = await fetch(
		`http://127.0.0.1:${server.port}/callback?${query}`,
	);
	await response.text();
	return response.status;
};

describe('raceForCode', () => {
	it('takes a pasted code and closes the callback server', async () => {
		const callback = await callbackServer();
		const pastes = createPasteQueue();
		const race = raceForCode({callback, pastes, expectedState: STATE});
		pastes.push(`${CODE}#${STATE}`);
		expect(await race).toEqual({code: CODE, state: STATE, via: 'paste'});
		expect(await canConnect(callback.port!)).toBe(false);
		expect((await rejection(callback.result)).code).toBe('aborted');
	});

	it('takes the callback and stops reading pastes', async () => {
		const callback = await callbackServer();
		const input = new PassThrough();
		const race = raceForCode({
			callback,
			pastes: linesFrom(input),
			expectedState: STATE,
		});
		expect(await visit(callback, `code=from-browser&state=${STATE}`)).toBe(200);
		expect(await race).toEqual({
			code: 'from-browser',
			state: STATE,
			via: 'callback',
		});
		// readline was closed: the stream is no longer consumed.
		expect(input.listenerCount('data')).toBe(0);
		input.destroy();
	});

	it('reports an invalid paste and waits for the next one', async () => {
		const rejected: PiAuthError[] = [];
		const pastes = createPasteQueue();
		const race = raceForCode({
			pastes,
			expectedState: STATE,
			onRejectedPaste(error) {
				rejected.push(error);
			},
		});
		pastes.push('nope');
		pastes.push(`https://x.test/cb?code=${CODE}&state=stale-state`);
		pastes.push(`?error=access_denied&state=${STATE}`);
		pastes.push(`https://x.test/cb?code=${CODE}&state=${STATE}`);
		expect(await race).toEqual({code: CODE, state: STATE, via: 'paste'});
		expect(rejected.map(error => error.code)).toEqual([
			'paste-invalid',
			'state-mismatch',
			'access-denied',
		]);
	});

	it('keeps waiting for the callback after the pastes end', async () => {
		const callback = await callbackServer();
		const pastes = createPasteQueue();
		const race = raceForCode({callback, pastes, expectedState: STATE});
		pastes.end();
		await new Promise(resolve => setImmediate(resolve));
		expect(await visit(callback, `code=late&state=${STATE}`)).toBe(200);
		expect((await race).via).toBe('callback');
	});

	it('rejects aborted when the pastes end and there is no callback to wait for', async () => {
		const unbound = await callbackServer([]);
		expect(unbound.port).toBeUndefined();
		for (const callback of [undefined, unbound]) {
			const pastes = createPasteQueue();
			const race = raceForCode({callback, pastes});
			pastes.end();
			expect((await rejection(race)).code).toBe('aborted');
		}
	});

	it('ends with the callback error when the browser denies access', async () => {
		const callback = await callbackServer();
		const race = rejection(raceForCode({callback, pastes: createPasteQueue()}));
		await visit(callback, `error=access_denied&state=${STATE}`);
		expect((await race).code).toBe('access-denied');
	});

	it('is aborted by the signal and closes everything', async () => {
		const callback = await callbackServer();
		const controller = new AbortController();
		const race = raceForCode({
			callback,
			pastes: createPasteQueue(),
			signal: controller.signal,
		});
		controller.abort();
		expect((await rejection(race)).code).toBe('aborted');
		expect(await canConnect(callback.port!)).toBe(false);

		const early = await rejection(
			raceForCode({pastes: createPasteQueue(), signal: controller.signal}),
		);
		expect(early.code).toBe('aborted');
	});
});

describe('linesFrom', () => {
	it('yields each line as it arrives, without waiting for EOF', async () => {
		const input = new PassThrough();
		const iterator = linesFrom(input)[Symbol.asyncIterator]();
		input.write('first\r\nsec');
		expect(await iterator.next()).toEqual({done: false, value: 'first'});
		const pending = iterator.next();
		input.write('ond\n');
		expect(await pending).toEqual({done: false, value: 'second'});
		input.end('last');
		expect(await iterator.next()).toEqual({done: false, value: 'last'});
		expect((await iterator.next()).done).toBe(true);
	});
});

describe('createPasteQueue', () => {
	it('buffers, ends after draining, and return() wakes a waiting next()', async () => {
		const queue = createPasteQueue();
		queue.push('a');
		queue.push('b');
		const iterator = queue[Symbol.asyncIterator]();
		expect(await iterator.next()).toEqual({done: false, value: 'a'});
		queue.end();
		queue.push('ignored');
		expect(await iterator.next()).toEqual({done: false, value: 'b'});
		expect((await iterator.next()).done).toBe(true);

		const other = createPasteQueue()[Symbol.asyncIterator]();
		const waiting = other.next();
		await other.return?.();
		expect((await waiting).done).toBe(true);
	});
});
