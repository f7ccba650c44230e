/*
RFC 8628 device authorization against oidc-provider, through the toolkit the adapters ship: the §3.1
start and each §3.4 poll are http.ts postToken calls with a form body (as github-copilot.ts sends
them), the token response is read by token-response.ts readTokenResponse, and device-poller.ts
pollDevice runs the loop. The user approves (or not) on the server's own verification pages.

The §3.5 error answers arrive as HTTP 400 and reach the poll as PiAuthErrors from http-failure.ts:
`authorization_pending` and `slow_down` are read from `serverCode` into poll states (the shape of
github-copilot.ts pollResult, where GitHub sends the same codes with HTTP 200); `access_denied` and
`expired_token` pass through as 'access-denied' and 'code-expired'. oidc-provider never answers
slow_down, so that branch is not exercised here (device-poller.test.ts covers the poller's part).
*/
import {afterEach, describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {type DevicePoll, pollDevice} from '../../source/oauth/device-poller.js';
import {postToken} from '../../source/oauth/http.js';
import {
	type TokenResponse,
	readTokenResponse,
} from '../../source/providers/token-response.js';
import {
	type OidcServer,
	type OidcServerOptions,
	createUserAgent,
	startOidcServer,
} from '../helpers/oidc.js';
import {expectNoSecrets, rejection, within} from './shipped-steps.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const opened: OidcServer[] = [];

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

/*
oidc-provider sends no `interval` (RFC 8628 §3.2 makes it optional; clients then wait 5 s). The
poller's interval is injectable; it keeps any interval within 1–60 s (device-numbers.ts), so these
tests poll once a second, the fastest it goes.
*/
const INTERVAL_S = 1;

type DeviceStart = {
	deviceCode: string;
	userCode: string;
	verificationUri: string;
	expiresIn: number;
	interval?: number;
};

/** RFC 8628 §3.1–3.2, read as github-copilot.ts startDevice reads GitHub's answer. */
const startDevice = async (server: OidcServer): Promise<DeviceStart> => {
	const body = await postToken({
		fetch: globalThis.fetch,
		url: server.endpoints.deviceAuthorization,
		encoding: 'form',
		body: {client_id: server.clientId, scope: server.scope},
	});
	const deviceCode = body['device_code'];
	const userCode = body['user_code'];
	const verificationUri = body['verification_uri'];
	expect(typeof deviceCode).toBe('string');
	expect(typeof userCode).toBe('string');
	expect(typeof verificationUri).toBe('string');
	const interval = Number(body['interval']);
	return {
		deviceCode: String(deviceCode),
		userCode: String(userCode),
		verificationUri: String(verificationUri),
		expiresIn: Number(body['expires_in']),
		...(interval > 0 ? {interval} : {}),
	};
};

type Answer = {status: DevicePoll<TokenResponse>['status']; http: number};

/** One RFC 8628 §3.4 token request; the §3.5 answers mapped as the header says. */
const pollOnce = async (
	server: OidcServer,
	deviceCode: string,
	answers: Answer[],
): Promise<DevicePoll<TokenResponse>> => {
	let body: Record<string, unknown>;
	try {
		body = await postToken({
			fetch: globalThis.fetch,
			url: server.endpoints.token,
			encoding: 'form',
			body: {
				grant_type: DEVICE_GRANT,
				device_code: deviceCode,
				client_id: server.clientId,
			},
		});
	} catch (error) {
		if (
			error instanceof PiAuthError &&
			(error.serverCode === 'authorization_pending' ||
				error.serverCode === 'slow_down')
		) {
			const status = error.serverCode === 'slow_down' ? 'slow_down' : 'pending';
			answers.push({status, http: error.status ?? 0});
			return {status};
		}

		throw error;
	}

	answers.push({status: 'done', http: 200});
	return {status: 'done', value: readTokenResponse(body)};
};

const start = async (options: OidcServerOptions = {}) => {
	const server = await startOidcServer(options);
	opened.push(server);
	return {server, device: await startDevice(server)};
};

/** Polls as engine/login.ts does, and records each answer the server gave. */
const poll = (
	server: OidcServer,
	device: DeviceStart,
	expiresInSeconds = device.expiresIn,
) => {
	const answers: Answer[] = [];
	let heardPending = () => {};
	const pending = new Promise<void>(resolve => {
		heardPending = resolve;
	});
	const tokens = pollDevice({
		poll: async () => {
			const answer = await pollOnce(server, device.deviceCode, answers);
			if (answer.status === 'pending') heardPending();
			return answer;
		},
		intervalSeconds: device.interval ?? INTERVAL_S,
		expiresInSeconds,
	});
	// Observed by the caller later; never an unhandled rejection meanwhile.
	tokens.catch(() => undefined);
	return {
		tokens,
		answers,
		untilPending: async () =>
			within(pending, 5000, 'an authorization_pending answer'),
	};
};

describe('device flow against oidc-provider, shipped toolkit', () => {
	it('authorizes a device: pending (HTTP 400) until the user approves, then tokens', async () => {
		const {server, device} = await start();
		expect(device).toMatchObject({
			deviceCode: expect.any(String),
			userCode: expect.any(String),
			verificationUri: server.endpoints.deviceVerification,
			expiresIn: 600,
		});
		// The gotcha the poller must survive: no interval in the response.
		expect(device.interval).toBeUndefined();

		const {tokens, answers, untilPending} = poll(server, device);
		await untilPending();
		await createUserAgent(server.issuer).verifyDevice(
			device.verificationUri,
			device.userCode,
		);
		const result = await tokens;
		expect(result.accessToken).toEqual(expect.any(String));
		expect(result.refreshToken).toEqual(expect.any(String));
		expect(answers.at(-1)).toEqual({status: 'done', http: 200});
		// RFC 8628 §3.5 answers pending with 400 (GitHub departs: 200), and postToken reads it.
		expect(answers.slice(0, -1)).not.toEqual([]);
		for (const answer of answers.slice(0, -1)) {
			expect(answer).toEqual({status: 'pending', http: 400});
		}

		expect(server.grants.filter(event => event.outcome === 'success')).toEqual([
			{outcome: 'success', grantType: DEVICE_GRANT},
		]);
		expect(server.serverErrors).toEqual([]);
	});

	it('ends with access-denied when the user aborts on the verification page', async () => {
		const {server, device} = await start();
		const {tokens, untilPending} = poll(server, device);
		await untilPending();
		await createUserAgent(server.issuer).verifyDevice(
			device.verificationUri,
			device.userCode,
			{deny: true},
		);
		const error = await rejection(tokens);
		expect(error.code).toBe('access-denied');
		expect(error.serverCode).toBe('access_denied');
		expect(error.status).toBe(400);
		expectNoSecrets(error, [device.deviceCode]);
	});

	it('ends with code-expired when the server says expired_token (RFC 8628 §3.5)', async () => {
		const {server, device} = await start({deviceCodeTtlSeconds: 2});
		expect(device.expiresIn).toBe(2);
		// The local deadline is set well past the server's, so the answer is the server's own.
		const {tokens, answers} = poll(server, device, 20);
		const error = await rejection(tokens);
		expect(error.code).toBe('code-expired');
		expect(error.serverCode).toBe('expired_token');
		expectNoSecrets(error, [device.deviceCode]);
		expect(answers.map(answer => answer.status)).toContain('pending');
		expect(server.grants.at(-1)).toEqual({
			outcome: 'error',
			grantType: DEVICE_GRANT,
			error: 'expired_token',
		});
	});

	it('gives up with code-expired at its own deadline while the server still says pending', async () => {
		/*
		A deadline shorter than the server's (engines cap a device login, e.g. Codex at 15 minutes).
		The server's own expiry cannot be raced: oidc-provider floors `iat` to whole seconds, so its
		code always dies before a client deadline of `expires_in` and the test above covers that.
		*/
		const {server, device} = await start();
		const startedAt = Date.now();
		const {tokens, answers} = poll(server, device, 2.5);
		const error = await rejection(tokens);
		expect(error.code).toBe('code-expired');
		expect(error.serverCode).toBeUndefined();
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2400);
		expect(Date.now() - startedAt).toBeLessThan(8000);
		expect(answers.length).toBeGreaterThan(1);
		expect(answers.every(answer => answer.status === 'pending')).toBe(true);
		expect(
			server.grants.every(event => event.error === 'authorization_pending'),
		).toBe(true);
	});
});
