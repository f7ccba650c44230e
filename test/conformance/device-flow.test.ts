/*
RFC 8628 device authorization against oidc-provider: rfc.ts deviceAuthorization and
deviceCodeGrantPoll, looped by device-poller.ts pollDevice, with the user approving (or not) on the
server's own verification pages.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {type DevicePoll, pollDevice} from '../../source/oauth/device-poller.js';
import {
	type DeviceAuthorization,
	type TokenSet,
	deviceAuthorization,
	deviceCodeGrantPoll,
} from '../../source/oauth/rfc.js';
import {
	type OidcServer,
	type OidcServerOptions,
	createUserAgent,
	startOidcServer,
} from '../helpers/oidc.js';

const opened: OidcServer[] = [];

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

/*
oidc-provider sends no `interval` (RFC 8628 §3.2 makes it optional; clients then wait 5 s). The
poller's interval is injectable; 50 ms keeps these tests fast, and oidc-provider does not answer
slow_down.
*/
const INTERVAL_S = 0.05;

const start = async (options: OidcServerOptions = {}) => {
	const server = await startOidcServer(options);
	opened.push(server);
	const authorization = await deviceAuthorization({
		fetch: globalThis.fetch,
		clientId: server.clientId,
		deviceAuthorizationEndpoint: server.endpoints.deviceAuthorization,
		scope: server.scope,
	});
	return {server, authorization};
};

/** Polls like the engine does, and records each answer the server gave. */
const poll = (
	server: OidcServer,
	authorization: DeviceAuthorization,
	expiresInSeconds = authorization.expiresIn,
) => {
	const answers: Array<DevicePoll<TokenSet>['status']> = [];
	let heardPending = () => {};
	const pending = new Promise<void>(resolve => {
		heardPending = resolve;
	});
	const tokens = pollDevice({
		poll: async () => {
			const answer = await deviceCodeGrantPoll({
				fetch: globalThis.fetch,
				clientId: server.clientId,
				tokenEndpoint: server.endpoints.token,
				deviceCode: authorization.deviceCode,
			});
			answers.push(answer.status);
			if (answer.status === 'pending') heardPending();
			return answer;
		},
		intervalSeconds: authorization.interval ?? INTERVAL_S,
		expiresInSeconds,
	});
	// Observed by the caller later; never an unhandled rejection meanwhile.
	tokens.catch(() => undefined);
	return {tokens, answers, pending};
};

/** The first authorization_pending answer, or a failure after 5 s. */
const untilPending = async (pending: Promise<void>) => {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => {
			reject(new Error('no authorization_pending answer within 5 s'));
		}, 5000);
	});
	try {
		await Promise.race([pending, timeout]);
	} finally {
		clearTimeout(timer);
	}
};

const rejection = async (promise: Promise<unknown>): Promise<PiAuthError> => {
	const error = await promise.then(
		() => new Error('expected a rejection'),
		(error: unknown) => error,
	);
	expect(error).toBeInstanceOf(PiAuthError);
	return error as PiAuthError;
};

describe('device flow against oidc-provider', () => {
	it('authorizes a device: pending until the user approves, then tokens', async () => {
		const {server, authorization} = await start();
		expect(authorization).toMatchObject({
			deviceCode: expect.any(String),
			userCode: expect.any(String),
			verificationUri: server.endpoints.deviceVerification,
			expiresIn: 600,
		});
		// The gotcha the poller must survive: no interval in the response.
		expect(authorization.interval).toBeUndefined();

		const {tokens, answers, pending} = poll(server, authorization);
		await untilPending(pending);
		await createUserAgent(server.issuer).verifyDevice(
			authorization.verificationUri,
			authorization.userCode,
		);
		const result = await tokens;
		expect(result.accessToken).toEqual(expect.any(String));
		expect(result.refreshToken).toEqual(expect.any(String));
		expect(answers.at(-1)).toBe('done');
		expect(answers.slice(0, -1).every(answer => answer === 'pending')).toBe(
			true,
		);
		const done = server.grants.filter(event => event.outcome === 'success');
		expect(done).toEqual([
			{
				outcome: 'success',
				grantType: 'urn:ietf:params:oauth:grant-type:device_code',
			},
		]);
		expect(server.serverErrors).toEqual([]);
	});

	it('ends with access-denied when the user aborts on the verification page', async () => {
		const {server, authorization} = await start();
		const {tokens, pending} = poll(server, authorization);
		await untilPending(pending);
		await createUserAgent(server.issuer).verifyDevice(
			authorization.verificationUri,
			authorization.userCode,
			{deny: true},
		);
		const error = await rejection(tokens);
		expect(error.code).toBe('access-denied');
		expect(error.serverCode).toBe('access_denied');
	});

	it('ends with code-expired when the server says expired_token (RFC 8628 §3.5)', async () => {
		const {server, authorization} = await start({deviceCodeTtlSeconds: 2});
		expect(authorization.expiresIn).toBe(2);
		// The local deadline is set well past the server's, so the answer is the server's own.
		const {tokens, answers} = poll(server, authorization, 20);
		const error = await rejection(tokens);
		expect(error.code).toBe('code-expired');
		expect(error.serverCode).toBe('expired_token');
		expect(answers).toContain('pending');
		expect(server.grants.at(-1)).toEqual({
			outcome: 'error',
			grantType: 'urn:ietf:params:oauth:grant-type:device_code',
			error: 'expired_token',
		});
	});

	it('gives up with code-expired at its own deadline while the server still says pending', async () => {
		/*
		A deadline shorter than the server's (engines cap a device login, e.g. Codex at 15 minutes).
		The server's own expiry cannot be raced: oidc-provider floors `iat` to whole seconds, so its
		code always dies before a client deadline of `expires_in` and the test above covers that.
		*/
		const {server, authorization} = await start();
		const startedAt = Date.now();
		const {tokens, answers} = poll(server, authorization, 1);
		const error = await rejection(tokens);
		expect(error.code).toBe('code-expired');
		expect(error.serverCode).toBeUndefined();
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
		expect(Date.now() - startedAt).toBeLessThan(5000);
		expect(answers.length).toBeGreaterThan(1);
		expect(answers.every(answer => answer === 'pending')).toBe(true);
		expect(
			server.grants.every(event => event.error === 'authorization_pending'),
		).toBe(true);
	});
});
