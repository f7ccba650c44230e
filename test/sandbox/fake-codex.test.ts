import {describe, expect, it} from 'vitest';
import {createPkce} from '../../source/oauth/pkce.js';
import {openaiCodex} from '../../source/providers/openai-codex.js';
import {decodeJwtPayload} from '../../source/providers/token-response.js';
import {
	CODEX_CLIENT_ID,
	type FakeCodex,
	type FakeCodexOptions,
	startFakeCodex,
} from '../../source/sandbox/fake-codex.js';
import {
	get,
	manualClock,
	paramsOf,
	postForm,
	postJson,
	track,
} from './requests.js';

const CALLBACK = 'http://localhost:1455/auth/callback';
const DEVICE_CALLBACK = 'https://auth.openai.com/deviceauth/callback';

const start = async (options?: FakeCodexOptions) =>
	track(await startFakeCodex(options));

const authorize = (fake: FakeCodex, redirectUri = CALLBACK) => {
	const pkce = createPkce();
	const state = openaiCodex.newState!();
	const url = openaiCodex.authorizeUrl!({
		endpoints: fake.endpoints,
		redirectUri,
		challenge: pkce.challenge,
		state,
	});
	return {url, verifier: pkce.verifier, state};
};

const exchange = (
	fake: FakeCodex,
	code: string,
	verifier: string,
	redirectUri = CALLBACK,
) =>
	postForm(fake.endpoints.token, {
		grant_type: 'authorization_code',
		client_id: CODEX_CLIENT_ID,
		code,
		code_verifier: verifier,
		redirect_uri: redirectUri,
	});

const refresh = async (fake: FakeCodex, token: string) =>
	postForm(fake.endpoints.token, {
		grant_type: 'refresh_token',
		refresh_token: token,
		client_id: CODEX_CLIENT_ID,
	});

const startDevice = async (fake: FakeCodex) => {
	const answer = await postJson(fake.endpoints.deviceUserCode, {
		client_id: CODEX_CLIENT_ID,
	});
	expect(answer.status).toBe(200);
	return answer.json as {
		device_auth_id: string;
		user_code: string;
		interval: unknown;
	};
};

const pollDevice = async (
	fake: FakeCodex,
	device: {device_auth_id: string; user_code: string},
) =>
	postJson(fake.endpoints.deviceToken, {
		device_auth_id: device.device_auth_id,
		user_code: device.user_code,
	});

describe('fake Codex: browser sign-in', () => {
	it('approves to the localhost callback and issues JWTs with the account id and email', async () => {
		const fake = await start({email: 'dev@example.com', accountId: 'acct-42'});
		const attempt = authorize(fake);
		const page = await get(attempt.url);
		expect(page.text).toContain(CODEX_CLIENT_ID);
		expect(page.text).toContain('offline_access');
		const location = await fake.approve(attempt.url);
		expect(location.startsWith(`${CALLBACK}?`)).toBe(true);
		const {code, state} = paramsOf(location);
		expect(state).toBe(attempt.state);
		const answer = await exchange(fake, code!, attempt.verifier);
		expect(answer.status).toBe(200);
		const access = answer.json['access_token'] as string;
		expect(access.split('.')).toHaveLength(3);
		expect(decodeJwtPayload(access)).toMatchObject({
			'https://api.openai.com/auth': {chatgpt_account_id: 'acct-42'},
			'https://api.openai.com/profile': {email: 'dev@example.com'},
		});
		expect(decodeJwtPayload(answer.json['id_token'] as string)).toMatchObject({
			email: 'dev@example.com',
		});
		expect(answer.json['refresh_token']).toMatch(/^rt_/);
		expect(answer.json['expires_in']).toBe(fake.settings.accessTtlSeconds);
	});

	it('refuses a JSON token request, a wrong verifier and a reused code', async () => {
		const fake = await start();
		const attempt = authorize(fake);
		const {code} = paramsOf(await fake.approve(attempt.url));
		const json = await postJson(fake.endpoints.token, {
			grant_type: 'authorization_code',
			client_id: CODEX_CLIENT_ID,
			code,
			code_verifier: attempt.verifier,
			redirect_uri: CALLBACK,
		});
		expect(json).toMatchObject({status: 400, json: {error: 'invalid_request'}});
		const second = authorize(fake);
		const other = paramsOf(await fake.approve(second.url));
		const wrong = await exchange(fake, other.code!, 'w'.repeat(43));
		expect(wrong).toMatchObject({status: 400, json: {error: 'invalid_grant'}});
		const reused = await exchange(fake, other.code!, second.verifier);
		expect(reused.json).toMatchObject({error: 'invalid_grant'});
	});

	it('accepts only localhost /auth/callback redirects, and Deny sends access_denied', async () => {
		const fake = await start();
		const bad = authorize(fake, 'http://localhost:1455/callback');
		await expect(fake.approve(bad.url)).rejects.toThrow(/redirect_uri/);
		const attempt = authorize(fake, 'http://localhost:1457/auth/callback');
		expect(paramsOf(await fake.deny(attempt.url))).toMatchObject({
			error: 'access_denied',
			state: attempt.state,
		});
	});
});

describe('fake Codex: refresh', () => {
	it('rotates single-use refresh tokens; reuse is 401 refresh_token_reused and revokes the family', async () => {
		const fake = await start();
		const grant = fake.issueGrant();
		const first = await refresh(fake, grant.refresh);
		expect(first.status).toBe(200);
		const next = first.json['refresh_token'] as string;
		expect(next).not.toBe(grant.refresh);
		const reused = await refresh(fake, grant.refresh);
		expect(reused.status).toBe(401);
		expect(reused.json).toMatchObject({
			error: {
				code: 'refresh_token_reused',
				message: expect.any(String) as string,
			},
		});
		const after = await refresh(fake, next);
		expect(after.status).toBe(401);
		expect(after.json).toMatchObject({
			error: {code: 'refresh_token_invalidated'},
		});
	});

	it('refuses a JSON refresh and an unknown token', async () => {
		const fake = await start();
		const grant = fake.issueGrant();
		const json = await postJson(fake.endpoints.token, {
			grant_type: 'refresh_token',
			refresh_token: grant.refresh,
			client_id: CODEX_CLIENT_ID,
		});
		expect(json.status).toBe(400);
		expect((await refresh(fake, grant.refresh)).status).toBe(200);
		expect((await refresh(fake, 'rt_unknown')).json).toMatchObject({
			error: 'invalid_grant',
		});
	});

	it('can leave out the account claim and the refresh token', async () => {
		const fake = await start({omitAccountId: true, omitRefreshToken: true});
		const grant = fake.issueGrant();
		const answer = await refresh(fake, grant.refresh);
		expect(answer.json).not.toHaveProperty('refresh_token');
		const claims = decodeJwtPayload(answer.json['access_token'] as string);
		expect(claims?.['https://api.openai.com/auth']).not.toHaveProperty(
			'chatgpt_account_id',
		);
		expect((await refresh(fake, grant.refresh)).status).toBe(200);
	});
});

describe('fake Codex: device sign-in', () => {
	it('gives a string interval, answers 403 while pending, then a code to exchange with the server verifier', async () => {
		const fake = await start({deviceInterval: '0.05'});
		const device = await startDevice(fake);
		expect(device.interval).toBe('0.05');
		expect(device.user_code).toMatch(/^[A-Z\d]{4}-[A-Z\d]{5}$/);
		const pending = await pollDevice(fake, device);
		expect(pending.status).toBe(403);
		expect(pending.json).toMatchObject({
			error: {code: 'deviceauth_authorization_pending'},
		});
		const page = await get(fake.endpoints.deviceVerification);
		expect(page.text).toContain('name="user_code"');
		await fake.approveDevice(device.user_code.toLowerCase());
		const done = await pollDevice(fake, device);
		expect(done.status).toBe(200);
		const {authorization_code: code, code_verifier: verifier} = done.json as {
			authorization_code: string;
			code_verifier: string;
		};
		expect(done.json['code_challenge']).toEqual(expect.any(String));
		// Only with the literal deviceauth redirect_uri, not a localhost one (and a failed try uses
		// the code up, so the next device flow goes all the way).
		expect((await exchange(fake, code, verifier, CALLBACK)).status).toBe(400);
		const second = await startDevice(fake);
		await fake.approveDevice(second.user_code);
		const next = (await pollDevice(fake, second)).json as {
			authorization_code: string;
			code_verifier: string;
		};
		const tokens = await exchange(
			fake,
			next.authorization_code,
			next.code_verifier,
			DEVICE_CALLBACK,
		);
		expect(tokens.status).toBe(200);
		expect(tokens.json['access_token']).toEqual(expect.any(String));
	});

	it('approves a device code by itself after autoApproveDeviceMs (the demo aid), not before', async () => {
		const clock = manualClock();
		const fake = await start({now: clock.now, autoApproveDeviceMs: 6000});
		const device = await startDevice(fake);
		clock.advance(5999);
		expect((await pollDevice(fake, device)).status).toBe(403);
		clock.advance(1);
		expect((await pollDevice(fake, device)).status).toBe(200);
	});

	it('takes JSON only, and can be made to 404 (device sign-in disabled)', async () => {
		const fake = await start();
		const form = await postForm(fake.endpoints.deviceUserCode, {
			client_id: CODEX_CLIENT_ID,
		});
		expect(form.status).toBe(400);
		fake.fail('deviceUserCode', {status: 404});
		const disabled = await postJson(fake.endpoints.deviceUserCode, {
			client_id: CODEX_CLIENT_ID,
		});
		expect(disabled.status).toBe(404);
	});

	it('answers a denied code with access_denied and an expired one with expired_token', async () => {
		const clock = manualClock();
		const fake = await start({now: clock.now});
		const denied = await startDevice(fake);
		await fake.denyDevice(denied.user_code);
		const answer = await pollDevice(fake, denied);
		expect(answer.status).toBe(400);
		expect(answer.json).toMatchObject({error: {code: 'access_denied'}});
		const late = await startDevice(fake);
		clock.advance(15 * 60_000);
		expect((await pollDevice(fake, late)).json).toMatchObject({
			error: {code: 'expired_token'},
		});
		const expired = await startDevice(fake);
		expect(fake.expireDevice(expired.user_code)).toBe(true);
		expect((await pollDevice(fake, expired)).json).toMatchObject({
			error: {code: 'expired_token'},
		});
		await expect(fake.approveDevice('ZZZZ-ZZZZZ')).rejects.toThrow(/unknown/);
	});
});

describe('fake Codex: usage endpoint', () => {
	it('needs the bearer token and its ChatGPT-Account-Id', async () => {
		const fake = await start();
		const grant = fake.issueGrant();
		const answer = await get(fake.endpoints.usage, {
			authorization: `Bearer ${grant.access}`,
			'chatgpt-account-id': grant.accountId,
		});
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({
			plan_type: 'plus',
			rate_limit: {
				allowed: true,
				limit_reached: false,
				primary_window: {limit_window_seconds: 18_000},
				secondary_window: {
					used_percent: expect.any(Number) as number,
					limit_window_seconds: 604_800,
					reset_after_seconds: expect.any(Number) as number,
					reset_at: expect.any(Number) as number,
				},
			},
			credits: {balance: expect.any(String) as string},
		});
		const noAccount = await get(fake.endpoints.usage, {
			authorization: `Bearer ${grant.access}`,
		});
		expect(noAccount.status).toBe(403);
		const unknown = await get(fake.endpoints.usage, {
			authorization: 'Bearer nope',
			'chatgpt-account-id': grant.accountId,
		});
		expect(unknown.status).toBe(401);
		fake.settings.usage = {plan_type: 'pro'};
		const set = await get(fake.endpoints.usage, {
			authorization: `Bearer ${grant.access}`,
			'chatgpt-account-id': grant.accountId,
		});
		expect(set.json).toEqual({plan_type: 'pro'});
	});
});
