/*
The six new fakes are strict where docs/providers.md says the real services are: each wrong request
below is refused as the real service would refuse it, and the right one is accepted (so a test
against a fake fails when pi-auth sends the wrong thing).
*/
import {describe, expect, it} from 'vitest';
import {createPkce} from '../../source/oauth/pkce.js';
import {
	CHATGPT_RESOURCE,
	startFakeChatgpt,
} from '../../source/sandbox/fake-chatgpt.js';
import {KIMI_CLIENT_ID, startFakeKimi} from '../../source/sandbox/fake-kimi.js';
import {META_CLIENT_ID, startFakeMeta} from '../../source/sandbox/fake-meta.js';
import {startFakeOpenrouter} from '../../source/sandbox/fake-openrouter.js';
import {
	RADIUS_CLIENT_ID,
	startFakeRadius,
} from '../../source/sandbox/fake-radius.js';
import {
	XAI_CLIENT_ID,
	XAI_SCOPE,
	startFakeXai,
} from '../../source/sandbox/fake-xai.js';
import {postForm, postJson, track} from './requests.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('fake xAI', () => {
	const device = {
		client_id: XAI_CLIENT_ID,
		scope: XAI_SCOPE,
		referrer: 'pi-auth',
	};

	it('the device request: client id, exact scope, referrer, Accept and a form body', async () => {
		const fake = track(await startFakeXai());
		const url = fake.endpoints.deviceCode;
		expect((await postForm(url, device)).status).toBe(200);
		expect(
			(await postForm(url, {...device, client_id: 'other'})).json,
		).toMatchObject({
			error: 'invalid_client',
		});
		expect(
			(await postForm(url, {...device, scope: 'openid'})).json,
		).toMatchObject({
			error: 'invalid_scope',
		});
		const {referrer: _referrer, ...withoutReferrer} = device;
		expect((await postForm(url, withoutReferrer)).status).toBe(400);
		expect((await postForm(url, device, {})).status).toBe(406);
		expect(
			(await postJson(url, device, {accept: 'application/json'})).status,
		).toBe(400);
	});

	it('polling: pending, then slow_down when too fast, then tokens after approval', async () => {
		const fake = track(await startFakeXai({deviceInterval: 60}));
		const start = await postForm(fake.endpoints.deviceCode, device);
		const poll = {
			grant_type: DEVICE_GRANT,
			client_id: XAI_CLIENT_ID,
			device_code: String(start.json['device_code']),
		};
		const first = await postForm(fake.endpoints.token, poll);
		expect([first.status, first.json['error']]).toEqual([
			400,
			'authorization_pending',
		]);
		const second = await postForm(fake.endpoints.token, poll);
		expect([second.status, second.json['error']]).toEqual([400, 'slow_down']);
	});

	it('a reused refresh token is invalid_grant and ends the grant', async () => {
		const fake = track(await startFakeXai());
		const grant = fake.issueGrant();
		const body = {
			grant_type: 'refresh_token',
			client_id: XAI_CLIENT_ID,
			refresh_token: grant.refresh,
		};
		const first = await postForm(fake.endpoints.token, body);
		expect(first.status).toBe(200);
		expect((await postForm(fake.endpoints.token, body)).json['error']).toBe(
			'invalid_grant',
		);
		// The family is revoked: the token the first refresh gave is dead too.
		const next = await postForm(fake.endpoints.token, {
			...body,
			refresh_token: String(first.json['refresh_token']),
		});
		expect(next.json['error']).toBe('invalid_grant');
	});
});

describe('fake Kimi', () => {
	it('wants its client id and a form body; a revoked grant answers 401', async () => {
		const fake = track(await startFakeKimi());
		const url = fake.endpoints.deviceCode;
		expect((await postForm(url, {client_id: KIMI_CLIENT_ID})).status).toBe(200);
		expect((await postForm(url, {client_id: 'other'})).status).toBe(401);
		expect((await postJson(url, {client_id: KIMI_CLIENT_ID})).status).toBe(400);
		const grant = fake.issueGrant();
		fake.revoke(grant.refresh);
		const refused = await postForm(fake.endpoints.token, {
			client_id: KIMI_CLIENT_ID,
			grant_type: 'refresh_token',
			refresh_token: grant.refresh,
		});
		expect(refused.status).toBe(401);
	});

	it('the device answer carries verification_uri_complete', async () => {
		const fake = track(await startFakeKimi());
		const start = await postForm(fake.endpoints.deviceCode, {
			client_id: KIMI_CLIENT_ID,
		});
		expect(String(start.json['verification_uri_complete'])).toContain(
			`user_code=${String(start.json['user_code'])}`,
		);
	});
});

describe('fake Meta', () => {
	it('the key endpoint wants Bearer, x-api-version and JSON; the token endpoint 404s a refresh grant', async () => {
		const fake = track(await startFakeMeta());
		const identity = fake.issueIdentity();
		const auth = {authorization: `Bearer ${identity}`};
		const ok = await postJson(
			fake.endpoints.key,
			{},
			{...auth, 'x-api-version': '1.0.0'},
		);
		expect(ok.json['api_key']).toMatch(/^meta-key-/);
		expect((await postJson(fake.endpoints.key, {}, auth)).status).toBe(400);
		expect(
			(
				await postForm(
					fake.endpoints.key,
					{},
					{...auth, 'x-api-version': '1.0.0'},
				)
			).status,
		).toBe(415);
		expect(
			(await postJson(fake.endpoints.key, {}, {'x-api-version': '1.0.0'}))
				.status,
		).toBe(401);
		const refresh = await postForm(fake.endpoints.token, {
			grant_type: 'refresh_token',
			client_id: META_CLIENT_ID,
			refresh_token: identity,
		});
		expect(refresh.status).toBe(404);
		expect(fake.refreshGrants()).toBe(1);
	});
});

describe('fake OpenRouter', () => {
	it('redirects with a code, and exchanges it only as JSON with the verifier', async () => {
		const fake = track(await startFakeOpenrouter());
		const pkce = createPkce();
		const authorize = new URL(fake.endpoints.authorize);
		authorize.search = new URLSearchParams({
			callback_url: 'http://127.0.0.1:3000/oauth/callback/x',
			code_challenge: pkce.challenge,
			code_challenge_method: 'S256',
		}).toString();
		const code = new URL(await fake.approve(authorize.href)).searchParams.get(
			'code',
		)!;
		const body = {
			code,
			code_verifier: pkce.verifier,
			code_challenge_method: 'S256',
		};
		expect((await postForm(fake.endpoints.keys, body)).status).toBe(400);
		const wrong = await postJson(fake.endpoints.keys, {
			...body,
			code_verifier: createPkce().verifier,
		});
		expect(wrong.status).toBe(403);
		// The code was spent by the failed attempt (a code is used once).
		expect((await postJson(fake.endpoints.keys, body)).status).toBe(403);
	});
});

describe('fake Radius', () => {
	it('device start wants client id, scope and a form body; discovery names the page', async () => {
		const fake = track(await startFakeRadius());
		const url = `${fake.gateway}/v1/oauth/device`;
		const body = {client_id: RADIUS_CLIENT_ID, scope: 'gateway offline_access'};
		expect((await postForm(url, body)).status).toBe(200);
		expect((await postForm(url, {...body, client_id: 'pi'})).status).toBe(401);
		expect((await postForm(url, {...body, scope: 'gateway'})).status).toBe(400);
		expect((await postJson(url, body)).status).toBe(400);
		const discovery = (await fetch(`${fake.gateway}/v1/oauth`).then(
			async response => response.json(),
		)) as Record<string, unknown>;
		expect(discovery['authorizationEndpoint']).toBe(
			`${fake.gateway}/oauth/authorize`,
		);
	});
});

describe('fake Sign in with ChatGPT', () => {
	it('issues a client id per approval and wants it (and resource) at the token endpoint', async () => {
		const fake = track(await startFakeChatgpt());
		const grant = fake.issueGrant();
		const body = {
			grant_type: 'refresh_token',
			client_id: grant.clientId,
			refresh_token: grant.refresh,
			resource: CHATGPT_RESOURCE,
		};
		const {resource: _resource, ...noResource} = body;
		expect(
			(await postForm(fake.endpoints.token, noResource)).json['error'],
		).toBe('invalid_target');
		expect(
			(
				await postForm(fake.endpoints.token, {
					...body,
					client_id: 'dynamic_agent_client',
				})
			).json['error'],
		).toBe('invalid_client');
		expect((await postJson(fake.endpoints.token, body)).status).toBe(400);
		expect((await postForm(fake.endpoints.token, body)).status).toBe(200);
		const reused = await postForm(fake.endpoints.token, body);
		expect([reused.status, reused.json['error']]).toEqual([
			401,
			expect.objectContaining({code: 'refresh_token_reused'}),
		]);
	});

	it('the authorize page refuses a request without resource, nonce or a urn:uuid host id', async () => {
		const fake = track(await startFakeChatgpt());
		const pkce = createPkce();
		const good = {
			client_id: 'dynamic_agent_client',
			agent_name_hint: 'pi-auth',
			ext_agent_host_id: 'urn:uuid:4b9e6c1e-1111-4c4c-8d8d-123456789abc',
			response_type: 'code',
			redirect_uri: 'http://127.0.0.1:1455/auth/callback',
			resource: CHATGPT_RESOURCE,
			scope: 'openid offline_access chatgpt.tokens.use.direct',
			state: 's'.repeat(43),
			nonce: 'n'.repeat(43),
			code_challenge: pkce.challenge,
			code_challenge_method: 'S256',
		};
		const page = async (params: Record<string, string>) =>
			(
				await fetch(
					`${fake.endpoints.authorize}?${new URLSearchParams(params)}`,
				)
			).status;
		expect(await page(good)).toBe(200);
		for (const missing of [
			'resource',
			'nonce',
			'ext_agent_host_id',
			'agent_name_hint',
		]) {
			const {[missing]: _gone, ...rest} = good as Record<string, string>;
			expect(await page(rest), missing).toBe(400);
		}

		expect(
			await page({
				...good,
				redirect_uri: 'http://localhost:1455/auth/callback',
			}),
		).toBe(400);
		const callback = new URL(
			await fake.approve(
				`${fake.endpoints.authorize}?${new URLSearchParams(good)}`,
			),
		);
		expect(callback.searchParams.get('client_id')).toMatch(/^app_agent_/);
	});
});
