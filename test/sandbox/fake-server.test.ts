import {describe, expect, it} from 'vitest';
import {jsonResponse} from '../../source/sandbox/fake-http.js';
import {
	type FakeServer,
	startFakeServer,
} from '../../source/sandbox/fake-server.js';
import {get, postForm, postJson, track} from './requests.js';

const start = async (): Promise<FakeServer> =>
	track(
		await startFakeServer({
			routes: [
				{
					name: 'echo',
					method: 'POST',
					path: '/echo',
					handle: request =>
						jsonResponse(200, {
							bodyType: request.bodyType,
							json: request.json ?? null,
							form: request.form,
						}),
				},
				{
					name: 'hello',
					method: 'GET',
					path: '/hello',
					handle: () => jsonResponse(200, {hello: 'world'}),
				},
			],
		}),
	);

describe('startFakeServer', () => {
	it('listens on 127.0.0.1 with an ephemeral port and routes by path and method', async () => {
		const server = await start();
		expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect((await get(server.url('/hello'))).json).toEqual({hello: 'world'});
		expect((await get(server.url('/nothing'))).status).toBe(404);
		const wrongMethod = await get(server.url('/echo'));
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.get('allow')).toBe('POST');
	});

	it('parses JSON and form bodies and logs every request with its name', async () => {
		const server = await start();
		const json = await postJson(server.url('/echo'), {a: 1});
		expect(json.json).toEqual({bodyType: 'json', json: {a: 1}, form: {}});
		const form = await postForm(server.url('/echo'), {b: 'two'});
		expect(form.json).toEqual({bodyType: 'form', json: null, form: {b: 'two'}});
		await get(server.url('/hello?x=1'), {authorization: 'Bearer abc'});
		expect(server.count('echo')).toBe(2);
		expect(server.count('hello')).toBe(1);
		expect(server.requests('echo').map(entry => entry.body)).toEqual([
			{a: 1},
			{b: 'two'},
		]);
		const [hello] = server.requests('hello');
		expect(hello).toMatchObject({
			name: 'hello',
			method: 'GET',
			path: '/hello',
			query: {x: '1'},
		});
		expect(hello?.headers.authorization).toBe('Bearer abc');
		server.clearLog();
		expect(server.requests()).toEqual([]);
		expect(server.count('echo')).toBe(0);
	});

	it('caps request bodies (413) and the log (500 entries)', async () => {
		const server = await start();
		const big = await postJson(server.url('/echo'), {pad: 'x'.repeat(70_000)});
		expect(big.status).toBe(413);
		for (let index = 0; index < 510; index++) await get(server.url('/hello'));
		expect(server.requests()).toHaveLength(500);
		expect(server.count('hello')).toBe(510);
	});

	it('answers queued faults in order, each for its count, then normally again', async () => {
		const server = await start();
		server.fail('hello', {status: 429, retryAfter: '7', count: 2});
		server.fail('hello', {status: 502, html: true});
		server.fail('hello', {error: 'invalid_grant'});
		server.fail('hello', {status: 401, body: {error: {code: 'custom'}}});
		for (let index = 0; index < 2; index++) {
			const limited = await get(server.url('/hello'));
			expect(limited.status).toBe(429);
			expect(limited.headers.get('retry-after')).toBe('7');
			expect(limited.json).toMatchObject({error: 'rate_limit_exceeded'});
		}

		const html = await get(server.url('/hello'));
		expect(html.status).toBe(502);
		expect(html.headers.get('content-type')).toMatch(/^text\/html/);
		expect(html.text).toContain('Bad Gateway');
		const grant = await get(server.url('/hello'));
		expect(grant.status).toBe(400);
		expect(grant.json).toMatchObject({error: 'invalid_grant'});
		const custom = await get(server.url('/hello'));
		expect(custom).toMatchObject({
			status: 401,
			json: {error: {code: 'custom'}},
		});
		expect((await get(server.url('/hello'))).json).toEqual({hello: 'world'});
		server.fail('hello', {status: 500});
		server.clearFaults();
		expect((await get(server.url('/hello'))).status).toBe(200);
	});

	it('faults only the endpoint they were queued for', async () => {
		const server = await start();
		server.fail('echo', {status: 500});
		expect((await get(server.url('/hello'))).status).toBe(200);
		expect((await postJson(server.url('/echo'), {})).status).toBe(500);
	});

	it('delays and drips answers', async () => {
		const server = await start();
		server.fail('hello', {delayMs: 150});
		let started = performance.now();
		expect((await get(server.url('/hello'))).json).toEqual({hello: 'world'});
		expect(performance.now() - started).toBeGreaterThanOrEqual(140);

		server.fail('hello', {dripMs: 10});
		started = performance.now();
		const response = await fetch(server.url('/hello'));
		const reader = response.body!.getReader();
		let chunks = 0;
		let text = '';
		for (;;) {
			const {done, value} = await reader.read();
			if (done) break;
			chunks++;
			text += Buffer.from(value).toString('utf8');
		}

		expect(JSON.parse(text)).toEqual({hello: 'world'});
		// 17 bytes, one per 10 ms: they cannot all arrive in one piece, nor in under ~150 ms.
		expect(chunks).toBeGreaterThan(5);
		expect(performance.now() - started).toBeGreaterThanOrEqual(150);
	});

	it('hangs until the client gives up, and close() drops hanging connections', async () => {
		const server = await start();
		server.fail('hello', {hang: true, count: 2});
		await expect(
			fetch(server.url('/hello'), {signal: AbortSignal.timeout(200)}),
		).rejects.toThrow();
		const hanging = fetch(server.url('/hello')).then(
			() => 'answered',
			() => 'dropped',
		);
		await expect.poll(() => server.count('hello')).toBe(2);
		const started = performance.now();
		await server.close();
		expect(await hanging).toBe('dropped');
		expect(performance.now() - started).toBeLessThan(2000);
		await expect(fetch(server.url('/hello'))).rejects.toThrow();
	});
});
