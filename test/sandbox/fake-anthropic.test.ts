import {describe, expect, it} from 'vitest';
import {createPkce} from '../../source/oauth/pkce.js';
import {anthropic} from '../../source/providers/anthropic.js';
import {
	ANTHROPIC_CLIENT_ID,
	ANTHROPIC_PASTE_REDIRECT_URI,
	type FakeAnthropic,
	type FakeAnthropicOptions,
	startFakeAnthropic,
} from '../../source/sandbox/fake-anthropic.js';
import {
	get,
	manualClock,
	paramsOf,
	postForm,
	postJson,
	track,
} from './requests.js';

const CALLBACK = 'http://localhost:53692/callback';

const start = async (options?: FakeAnthropicOptions) =>
	track(await startFakeAnthropic(options));

/** An authorize URL exactly as the adapter builds it: a state of its own, not the verifier. */
const authorize = (
	fake: FakeAnthropic,
	redirectUri = CALLBACK,
	tweak: (url: URL) => void = () => undefined,
) => {
	const pkce = createPkce();
	const state = anthropic.newState!();
	const url = new URL(
		anthropic.authorizeUrl!({
			endpoints: fake.endpoints,
			redirectUri,
			challenge: pkce.challenge,
			state,
		}),
	);
	tweak(url);
	return {url: url.href, verifier: pkce.verifier, state};
};

const exchangeBody = (
	code: string,
	attempt: {verifier: string; state: string},
	redirectUri = CALLBACK,
) => ({
	grant_type: 'authorization_code',
	client_id: ANTHROPIC_CLIENT_ID,
	code,
	state: attempt.state,
	redirect_uri: redirectUri,
	code_verifier: attempt.verifier,
});

const signIn = async (fake: FakeAnthropic) => {
	const attempt = authorize(fake);
	const {code} = paramsOf(await fake.approve(attempt.url));
	const answer = await postJson(
		fake.endpoints.token,
		exchangeBody(code!, attempt),
	);
	expect(answer.status).toBe(200);
	return answer.json as {
		access_token: string;
		refresh_token: string;
		expires_in: number;
	};
};

const refresh = async (fake: FakeAnthropic, token: string, extra = {}) =>
	postJson(fake.endpoints.token, {
		grant_type: 'refresh_token',
		client_id: ANTHROPIC_CLIENT_ID,
		refresh_token: token,
		...extra,
	});

const usage = async (fake: FakeAnthropic, token: string, beta = true) =>
	get(fake.endpoints.usage, {
		authorization: `Bearer ${token}`,
		...(beta ? {'anthropic-beta': 'oauth-2025-04-20'} : {}),
	});

describe('fake Anthropic: authorize page', () => {
	it('names the client and scopes, and Approve redirects to the localhost callback', async () => {
		const fake = await start();
		const attempt = authorize(fake);
		const page = await get(attempt.url);
		expect(page.status).toBe(200);
		expect(page.text).toContain(ANTHROPIC_CLIENT_ID);
		expect(page.text).toContain('user:inference');
		expect(page.text).toMatch(/<form method="post"/);
		expect(page.text).toMatch(/value="approve"[^>]*>Approve/);
		expect(page.text).toMatch(/value="deny"[^>]*>Deny/);
		const location = await fake.approve(attempt.url);
		expect(location.startsWith(`${CALLBACK}?`)).toBe(true);
		expect(paramsOf(location)).toEqual({
			code: expect.any(String) as string,
			state: attempt.state,
		});
		// Any localhost port is registered here (tests listen on free ports).
		const other = authorize(fake, 'http://localhost:40123/callback');
		expect(await fake.approve(other.url)).toMatch(
			/^http:\/\/localhost:40123\/callback\?code=/,
		);
	});

	it('shows code#state to copy for the paste-only redirect URI', async () => {
		const fake = await start();
		const attempt = authorize(fake, ANTHROPIC_PASTE_REDIRECT_URI);
		const shown = await fake.approve(attempt.url);
		const [code, state] = shown.split('#');
		expect(code).toMatch(/^code-/);
		expect(state).toBe(attempt.state);
		const answer = await postJson(
			fake.endpoints.token,
			exchangeBody(code!, attempt, ANTHROPIC_PASTE_REDIRECT_URI),
		);
		expect(answer.status).toBe(200);
	});

	it('Deny redirects with access_denied and the state', async () => {
		const fake = await start();
		const attempt = authorize(fake);
		expect(paramsOf(await fake.deny(attempt.url))).toMatchObject({
			error: 'access_denied',
			state: attempt.state,
		});
	});

	const refusals: Array<[string, (url: URL) => void, RegExp]> = [
		[
			'a short state',
			url => url.searchParams.set('state', 'a'.repeat(32)),
			/state is too short/,
		],
		[
			'another client',
			url => url.searchParams.set('client_id', 'someone-else'),
			/client_id/,
		],
		[
			'the plain PKCE method',
			url => url.searchParams.set('code_challenge_method', 'plain'),
			/S256/,
		],
		[
			'no code challenge',
			url => url.searchParams.delete('code_challenge'),
			/code_challenge/,
		],
		[
			'response_type token',
			url => url.searchParams.set('response_type', 'token'),
			/response_type/,
		],
		[
			'a non-localhost redirect',
			url =>
				url.searchParams.set('redirect_uri', 'http://evil.example/callback'),
			/redirect_uri/,
		],
		[
			'another callback path',
			url =>
				url.searchParams.set('redirect_uri', 'http://localhost:53692/other'),
			/redirect_uri/,
		],
		[
			'an unknown scope',
			url => url.searchParams.set('scope', 'user:inference admin'),
			/scope/,
		],
	];
	for (const [what, tweak, message] of refusals) {
		it(`refuses ${what} with an error page`, async () => {
			const fake = await start();
			const attempt = authorize(fake, CALLBACK, tweak);
			expect((await get(attempt.url)).status).toBe(400);
			await expect(fake.approve(attempt.url)).rejects.toThrow(message);
		});
	}
});

describe('fake Anthropic: token endpoint', () => {
	it('takes JSON only: a form body is a 400', async () => {
		const fake = await start();
		const attempt = authorize(fake);
		const {code} = paramsOf(await fake.approve(attempt.url));
		const form = await postForm(
			fake.endpoints.token,
			exchangeBody(code!, attempt),
		);
		expect(form.status).toBe(400);
		expect(form.json).toMatchObject({error: 'invalid_request'});
	});

	it('issues sk-ant tokens with the configured lifetime and the account email', async () => {
		const fake = await start({accessTtlSeconds: 1234, email: 'me@example.com'});
		const tokens = await signIn(fake);
		expect(tokens.access_token).toMatch(/^sk-ant-oat01-/);
		expect(tokens.refresh_token).toMatch(/^sk-ant-ort01-/);
		expect(tokens.expires_in).toBe(1234);
		expect(tokens).toMatchObject({
			account: {email_address: 'me@example.com'},
		});
		expect(fake.secrets()).toEqual(
			expect.arrayContaining([tokens.access_token, tokens.refresh_token]),
		);
	});

	const mistakes: Array<[string, Record<string, string>, string]> = [
		['a wrong verifier', {code_verifier: 'x'.repeat(43)}, 'invalid_grant'],
		[
			'another redirect_uri',
			{redirect_uri: 'http://localhost:1/callback'},
			'invalid_grant',
		],
		['a wrong state', {state: 'y'.repeat(43)}, 'invalid_request'],
		['another client', {client_id: 'nope'}, 'invalid_client'],
		['a missing grant type', {grant_type: ''}, 'unsupported_grant_type'],
	];
	for (const [what, change, error] of mistakes) {
		it(`refuses an exchange with ${what}`, async () => {
			const fake = await start();
			const attempt = authorize(fake);
			const {code} = paramsOf(await fake.approve(attempt.url));
			const answer = await postJson(fake.endpoints.token, {
				...exchangeBody(code!, attempt),
				...change,
			});
			expect(answer.status).toBe(400);
			expect(answer.json).toMatchObject({error});
		});
	}

	it('uses a code once', async () => {
		const fake = await start();
		const attempt = authorize(fake);
		const {code} = paramsOf(await fake.approve(attempt.url));
		const body = exchangeBody(code!, attempt);
		expect((await postJson(fake.endpoints.token, body)).status).toBe(200);
		const again = await postJson(fake.endpoints.token, body);
		expect(again).toMatchObject({status: 400, json: {error: 'invalid_grant'}});
	});

	it('refuses a scope on refresh, without using up the refresh token', async () => {
		const fake = await start();
		const {refresh_token: token} = await signIn(fake);
		const scoped = await refresh(fake, token, {scope: 'user:inference'});
		expect(scoped).toMatchObject({status: 400, json: {error: 'invalid_scope'}});
		expect((await refresh(fake, token)).status).toBe(200);
	});

	it('rotates refresh tokens; reusing one revokes the whole family', async () => {
		const fake = await start();
		const first = await signIn(fake);
		const second = await refresh(fake, first.refresh_token);
		expect(second.status).toBe(200);
		const next = second.json['refresh_token'] as string;
		expect(next).toMatch(/^sk-ant-ort01-/);
		expect(next).not.toBe(first.refresh_token);
		expect(second.json['access_token']).not.toBe(first.access_token);
		const reused = await refresh(fake, first.refresh_token);
		expect(reused).toMatchObject({status: 400, json: {error: 'invalid_grant'}});
		// The family is gone: the newest refresh token and every access token with it.
		expect((await refresh(fake, next)).json).toMatchObject({
			error: 'invalid_grant',
		});
		const access = second.json['access_token'] as string;
		expect((await usage(fake, access)).status).toBe(401);
	});

	it('can omit refresh_token from a refresh, leaving the old one valid', async () => {
		const fake = await start();
		const {refresh_token: token} = await signIn(fake);
		fake.settings.omitRefreshToken = true;
		const answer = await refresh(fake, token);
		expect(answer.status).toBe(200);
		expect(answer.json).not.toHaveProperty('refresh_token');
		expect((await refresh(fake, token)).status).toBe(200);
	});

	it('revoke() ends a grant', async () => {
		const fake = await start();
		const {refresh} = fake.issueGrant();
		expect(fake.revoke(refresh)).toBe(true);
		expect(fake.revoke('unknown')).toBe(false);
		const answer = await postJson(fake.endpoints.token, {
			grant_type: 'refresh_token',
			client_id: ANTHROPIC_CLIENT_ID,
			refresh_token: refresh,
		});
		expect(answer.json).toMatchObject({error: 'invalid_grant'});
	});
});

describe('fake Anthropic: usage endpoint', () => {
	it('answers the documented body to a bearer token with the OAuth beta header', async () => {
		const fake = await start();
		const {access} = fake.issueGrant();
		const answer = await usage(fake, access);
		expect(answer.status).toBe(200);
		for (const window of [
			'five_hour',
			'seven_day',
			'seven_day_opus',
			'seven_day_sonnet',
		]) {
			expect(answer.json[window]).toEqual({
				utilization: expect.any(Number) as number,
				resets_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
			});
		}

		expect(answer.json['extra_usage']).toMatchObject({is_enabled: false});
		fake.settings.usage = {five_hour: {utilization: 99, resets_at: null}};
		expect((await usage(fake, access)).json).toEqual({
			five_hour: {utilization: 99, resets_at: null},
		});
	});

	it('refuses without the beta header, unknown and expired tokens (401) and setup tokens (403)', async () => {
		const clock = manualClock();
		const fake = await start({now: clock.now, accessTtlSeconds: 60});
		const {access} = fake.issueGrant();
		expect((await usage(fake, access, false)).status).toBe(401);
		expect((await usage(fake, 'sk-ant-oat01-unknown')).status).toBe(401);
		const setup = fake.issueSetupToken();
		expect(setup).toMatch(/^sk-ant-oat01-/);
		expect(setup.length).toBeGreaterThanOrEqual(80);
		const refused = await usage(fake, setup);
		expect(refused.status).toBe(403);
		expect(refused.json).toMatchObject({error: {type: 'permission_error'}});
		clock.advance(61_000);
		expect((await usage(fake, access)).status).toBe(401);
	});
});
