import {describe, expect, it} from 'vitest';
import {EDITOR_HEADERS} from '../../source/providers/github-copilot.js';
import {
	type FakeGithub,
	type FakeGithubOptions,
	GITHUB_CLIENT_ID,
	startFakeGithub,
} from '../../source/sandbox/fake-github.js';
import {get, manualClock, postForm, postJson, track} from './requests.js';

const start = async (options?: FakeGithubOptions) =>
	track(await startFakeGithub(options));

const startDevice = async (fake: FakeGithub) => {
	const answer = await postForm(fake.endpoints.deviceCode, {
		client_id: GITHUB_CLIENT_ID,
		scope: 'read:user',
	});
	expect(answer.status).toBe(200);
	return answer.json as {
		device_code: string;
		user_code: string;
		verification_uri: string;
		expires_in: number;
		interval: number;
	};
};

const poll = async (fake: FakeGithub, deviceCode: string) =>
	postForm(fake.endpoints.accessToken, {
		client_id: GITHUB_CLIENT_ID,
		device_code: deviceCode,
		grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
	});

const copilotToken = async (
	fake: FakeGithub,
	token: string,
	headers: Record<string, string> = EDITOR_HEADERS,
) =>
	get(fake.endpoints.copilotToken, {
		authorization: `Bearer ${token}`,
		...headers,
	});

describe('fake GitHub: device flow', () => {
	it('starts a device flow whose verification_uri is its own device page', async () => {
		const fake = await start();
		const device = await startDevice(fake);
		expect(device).toMatchObject({
			user_code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/) as string,
			verification_uri: fake.devicePage,
			expires_in: 900,
			interval: 5,
		});
		expect(device.device_code).toMatch(/^[\da-f]{40}$/);
		const page = await get(device.verification_uri);
		expect(page.text).toContain('name="user_code"');
		expect(page.text).toMatch(/>Authorize</);
	});

	it('answers form-encoded unless asked for JSON', async () => {
		const fake = await start();
		const answer = await postForm(
			fake.endpoints.deviceCode,
			{client_id: GITHUB_CLIENT_ID, scope: 'read:user'},
			{},
		);
		expect(answer.headers.get('content-type')).toMatch(
			/^application\/x-www-form-urlencoded/,
		);
		expect(new URLSearchParams(answer.text).get('user_code')).toMatch(/-/);
	});

	it('answers pending and slow_down with HTTP 200, and slow_down adds 5 s for good', async () => {
		const clock = manualClock();
		const fake = await start({now: clock.now, deviceInterval: 5});
		const {device_code: code} = await startDevice(fake);
		const first = await poll(fake, code);
		expect(first).toMatchObject({
			status: 200,
			json: {error: 'authorization_pending'},
		});
		clock.advance(4999);
		const fast = await poll(fake, code);
		expect(fast).toMatchObject({
			status: 200,
			json: {error: 'slow_down', interval: 10},
		});
		clock.advance(9000);
		expect((await poll(fake, code)).json).toMatchObject({
			error: 'slow_down',
			interval: 15,
		});
		clock.advance(15_000);
		expect((await poll(fake, code)).json).toMatchObject({
			error: 'authorization_pending',
		});
	});

	it('issues a ghu_ token once the code is authorized on the device page', async () => {
		const fake = await start({deviceInterval: 0.01});
		const device = await startDevice(fake);
		await fake.approveDevice(device.user_code);
		const answer = await poll(fake, device.device_code);
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({
			access_token: expect.stringMatching(/^ghu_/) as string,
			token_type: 'bearer',
			scope: 'read:user',
		});
		// The device code is used up.
		expect((await poll(fake, device.device_code)).json).toMatchObject({
			error: 'incorrect_device_code',
		});
	});

	it('approves a device code by itself after autoApproveDeviceMs (the demo aid), not before', async () => {
		const clock = manualClock();
		const fake = await start({
			now: clock.now,
			deviceInterval: 1,
			autoApproveDeviceMs: 6000,
		});
		const device = await startDevice(fake);
		clock.advance(5999);
		expect((await poll(fake, device.device_code)).json).toMatchObject({
			error: 'authorization_pending',
		});
		clock.advance(1001);
		expect((await poll(fake, device.device_code)).json).toMatchObject({
			access_token: expect.stringMatching(/^ghu_/) as string,
		});
	});

	it('answers access_denied, expired_token and wrong clients with HTTP 200 errors', async () => {
		const clock = manualClock();
		const fake = await start({now: clock.now, deviceExpiresIn: 60});
		const denied = await startDevice(fake);
		await fake.denyDevice(denied.user_code);
		expect(await poll(fake, denied.device_code)).toMatchObject({
			status: 200,
			json: {error: 'access_denied'},
		});
		const late = await startDevice(fake);
		clock.advance(60_000);
		expect((await poll(fake, late.device_code)).json).toMatchObject({
			error: 'expired_token',
		});
		const expired = await startDevice(fake);
		expect(fake.expireDevice(expired.user_code)).toBe(true);
		expect((await poll(fake, expired.device_code)).json).toMatchObject({
			error: 'expired_token',
		});
		await expect(fake.approveDevice(expired.user_code)).rejects.toThrow(
			/unknown or has expired/,
		);
		const wrongClient = await postForm(fake.endpoints.accessToken, {
			client_id: 'other',
			device_code: 'x',
			grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
		});
		expect(wrongClient.json).toMatchObject({
			error: 'incorrect_client_credentials',
		});
		const json = await postJson(
			fake.endpoints.deviceCode,
			{client_id: GITHUB_CLIENT_ID},
			{accept: 'application/json'},
		);
		expect(json.json).toMatchObject({error: 'incorrect_client_credentials'});
	});
});

describe('fake GitHub: Copilot token', () => {
	it('sells a tid= token with expires_at and refresh_in for a GitHub token and the editor headers', async () => {
		const clock = manualClock();
		const fake = await start({now: clock.now, copilotTokenLifetime: 1500});
		const github = fake.issueGithubToken();
		const answer = await copilotToken(fake, github);
		expect(answer.status).toBe(200);
		const nowS = Math.floor(clock.now() / 1000);
		expect(answer.json).toMatchObject({
			token: expect.stringMatching(/^tid=[\da-f]+;exp=\d+;/) as string,
			expires_at: nowS + 1500,
			refresh_in: 1200,
		});
		expect(fake.secrets()).toEqual(
			expect.arrayContaining([github, answer.json['token']]),
		);
	});

	it('refuses a request without the editor headers, like the real one', async () => {
		const fake = await start();
		const github = fake.issueGithubToken();
		for (const header of Object.keys(EDITOR_HEADERS)) {
			const headers: Record<string, string> = {...EDITOR_HEADERS};
			delete headers[header];
			const answer = await copilotToken(fake, github, headers);
			expect(answer.status, header).toBe(400);
			expect(String(answer.json['message'])).toContain(header.toLowerCase());
		}
	});

	it('answers 401 to unknown, revoked or wrongly presented GitHub tokens', async () => {
		const fake = await start();
		expect((await copilotToken(fake, 'ghu_unknown')).status).toBe(401);
		const github = fake.issueGithubToken();
		const wrongScheme = await get(fake.endpoints.copilotToken, {
			authorization: `token ${github}`,
			...EDITOR_HEADERS,
		});
		expect(wrongScheme.status).toBe(401);
		expect(fake.revoke(github)).toBe(true);
		const revoked = await copilotToken(fake, github);
		expect(revoked.status).toBe(401);
		expect(revoked.json).toMatchObject({message: 'Bad credentials'});
	});
});

describe('fake GitHub: Copilot quota (user)', () => {
	it('answers login, plan, reset date and snapshots, one of them unlimited, to `token <ghu>`', async () => {
		const fake = await start({login: 'mona'});
		const github = fake.issueGithubToken();
		const answer = await get(fake.endpoints.user, {
			authorization: `token ${github}`,
		});
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({
			login: 'mona',
			copilot_plan: 'individual',
			quota_reset_date: expect.stringMatching(/^\d{4}-\d\d-01$/) as string,
			quota_snapshots: {
				premium_interactions: {
					entitlement: 300,
					remaining: 213,
					percent_remaining: 71,
					unlimited: false,
				},
				chat: {unlimited: true},
				completions: {unlimited: true},
			},
		});
		const bearer = await get(fake.endpoints.user, {
			authorization: `Bearer ${github}`,
		});
		expect(bearer.status).toBe(401);
		fake.settings.user = {login: 'set'};
		const set = await get(fake.endpoints.user, {
			authorization: `token ${github}`,
		});
		expect(set.json).toEqual({login: 'set'});
	});
});
