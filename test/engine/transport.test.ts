import {afterEach, describe, expect, it} from 'vitest';
import {
	type CallbackServer,
	startCallbackServer,
} from '../../source/oauth/callback-server.js';
import {
	DEFAULT_TIMEOUT_MS,
	postToken,
	sendRequest,
} from '../../source/oauth/http.js';
import {anthropic} from '../../source/providers/anthropic.js';
import {
	type FakeAnthropic,
	startFakeAnthropic,
} from '../../source/sandbox/fake-anthropic.js';
import {busyPort} from './sandbox-cli.js';
import {rejection} from '../helpers/failure.js';

const opened: Array<FakeAnthropic | CallbackServer> = [];
afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

const fake = async () => {
	const server = await startFakeAnthropic();
	opened.push(server);
	return server;
};

const refreshBody = (token: string) => ({
	grant_type: 'refresh_token',
	client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
	refresh_token: token,
});

describe('the HTTP layer against a fake that misbehaves', () => {
	it('bounds token calls by 15 s by default', () => {
		// docs/providers.md: "Bound a refresh call by a 15 s timeout."
		expect(DEFAULT_TIMEOUT_MS).toBe(15_000);
	});

	it('gives up on a server that never answers, with a timeout error', async () => {
		const server = await fake();
		server.fail('token', {hang: true, count: 2});
		const started = performance.now();
		const error = await rejection(
			postToken({
				fetch,
				url: server.endpoints.token,
				encoding: 'json',
				body: refreshBody('x'),
				timeoutMs: 600,
			}),
		);
		const elapsed = performance.now() - started;
		expect(error.code).toBe('timeout');
		expect(error.message).toMatch(/127\.0\.0\.1:\d+ did not answer within 1 s/);
		expect(elapsed).toBeGreaterThanOrEqual(590);
		expect(elapsed).toBeLessThan(5000);
		// The transport itself, under postToken: the same bound, the same error.
		const raw = await rejection(
			sendRequest({
				fetch,
				url: server.endpoints.token,
				init: {method: 'POST', body: '{}'},
				timeoutMs: 300,
			}),
		);
		expect(raw.code).toBe('timeout');
	});

	it('times out on a body that dribbles in slower than the timeout', async () => {
		const server = await fake();
		const {refresh} = server.issueGrant();
		// A token response is a few hundred bytes: 20 ms a byte is several seconds.
		server.fail('token', {dripMs: 20});
		const started = performance.now();
		const error = await rejection(
			postToken({
				fetch,
				url: server.endpoints.token,
				encoding: 'json',
				body: refreshBody(refresh),
				timeoutMs: 800,
			}),
		);
		expect(error.code).toBe('timeout');
		expect(performance.now() - started).toBeLessThan(5000);
	});

	it('reads a slowly dripped body that finishes within the timeout', async () => {
		const server = await fake();
		server.fail('token', {dripMs: 2, status: 400, error: 'invalid_grant'});
		const error = await rejection(
			postToken({
				fetch,
				url: server.endpoints.token,
				encoding: 'json',
				body: refreshBody('x'),
				timeoutMs: 10_000,
			}),
		);
		// The whole body arrived and was read: its error code is known.
		expect(error.code).toBe('revoked');
		expect(error.serverCode).toBe('invalid_grant');
	});

	it('an adapter refresh through a delayed fake still succeeds within its bound', async () => {
		const server = await fake();
		const {refresh} = server.issueGrant();
		server.fail('token', {delayMs: 200});
		const fields = await anthropic.refresh!(
			{fetch, endpoints: server.endpoints, now: Date.now},
			{type: 'oauth', access: 'a', refresh, expires: 0},
		);
		expect(fields.access).toMatch(/^sk-ant-oat01-/);
	});
});

describe('the callback server and busy ports', () => {
	it('falls back from a busy port to the next one', async () => {
		const busy = await busyPort();
		const server = await startCallbackServer({
			ports: [busy, 0],
			path: '/callback',
			expectedState: 'state-123',
		});
		opened.push(server);
		expect(server.busyPorts).toEqual([busy]);
		expect(server.port).toEqual(expect.any(Number));
		expect(server.port).not.toBe(busy);
		const response = await fetch(
			`http://127.0.0.1:${server.port}/callback?code=abc&state=state-123`,
		);
		expect(response.status).toBe(200);
		await expect(server.result).resolves.toEqual({
			code: 'abc',
			state: 'state-123',
		});
	});

	it('comes back unbound (paste-only) when every port is busy', async () => {
		const busy = await busyPort();
		const server = await startCallbackServer({
			ports: [busy],
			path: '/callback',
			expectedState: 'state-123',
		});
		opened.push(server);
		expect(server.port).toBeUndefined();
		expect(server.busyPorts).toEqual([busy]);
	});
});
