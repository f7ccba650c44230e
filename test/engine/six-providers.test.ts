/*
The six providers added for pi 1.6 (docs/providers.md "Providers pi supports that pi-auth does not
yet"), every method through the built CLI, scripted through pipes, against the sandbox's fakes: what
is stored must be exactly pi's entry (fields and expiry margins), what is printed holds no secret.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {CliResult} from '../helpers/cli.js';
import {CODE_LINE, URL_LINE, type Setup, setupSandbox} from './sandbox-cli.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

/** `expires` lies within a run's window of `now + lifetime − margin`. */
const expectExpiry = (
	expires: unknown,
	started: number,
	lifetimeMs: number,
	marginMs: number,
) => {
	expect(typeof expires).toBe('number');
	expect(expires as number).toBeGreaterThanOrEqual(
		started + lifetimeMs - marginMs,
	);
	expect(expires as number).toBeLessThanOrEqual(
		Date.now() + lifetimeMs - marginMs,
	);
};

const succeeded = (setup: Setup, result: CliResult) => {
	expect(result.code, result.stderr).toBe(0);
	setup.expectNoSecrets(result);
};

/** A device sign-in: the code line, approval on the fake's page, then the saved entry. */
const deviceLogin = async (
	setup: Setup,
	provider: string,
	approve: (userCode: string) => Promise<void>,
) => {
	const started = Date.now();
	const cli = setup.start(['login', provider, '--method', 'device', '--json']);
	const [, userCode, verification] = await cli.waitFor('stderr', CODE_LINE);
	await approve(userCode!);
	const result = await cli.result;
	succeeded(setup, result);
	const entry = (await setup.readAuth())[provider] ?? {};
	return {
		result,
		entry,
		started,
		userCode: userCode!,
		verification: verification!,
	};
};

/** A browser sign-in whose callback the "browser" loads after approving. */
const browserLogin = async (
	setup: Setup,
	provider: string,
	approve: (url: string) => Promise<string>,
) => {
	const started = Date.now();
	const cli = setup.start(['login', provider, '--method', 'oauth', '--json']);
	const [, url] = await cli.waitFor('stderr', URL_LINE);
	const callback = await approve(url!);
	const page = await fetch(callback);
	expect(page.status).toBe(200);
	const result = await cli.result;
	succeeded(setup, result);
	const entry = (await setup.readAuth())[provider] ?? {};
	return {
		result,
		entry,
		started,
		url: new URL(url!),
		callback: new URL(callback),
	};
};

const apiKeyLogin = async (setup: Setup, provider: string, key: string) => {
	const result = await setup.run(
		['login', provider, '--method', 'api-key', '--json'],
		`${key}\n`,
	);
	expect(result.code, result.stderr).toBe(0);
	expect(result.stdout).not.toContain(key);
	expect(JSON.parse(result.stdout)).toEqual({
		provider,
		method: 'api-key',
		expires: null,
		profile: 'default',
		active: true,
	});
	expect((await setup.readAuth())[provider]).toEqual({type: 'api_key', key});
	const token = await setup.run(['token', provider]);
	expect(token).toEqual({code: 0, stdout: `${key}\n`, stderr: ''});
};

describe('openai (Sign in with ChatGPT)', () => {
	it('browser sign-in: dynamic client, issued client id stored, device id kept in pi-auth/', async () => {
		const setup = await setupSandbox();
		const {chatgpt} = setup.sandbox;
		const first = await browserLogin(setup, 'openai', chatgpt.approve);
		const query = first.url.searchParams;
		expect(Object.fromEntries(query)).toMatchObject({
			client_id: 'dynamic_agent_client',
			agent_name_hint: 'pi-auth',
			response_type: 'code',
			resource: 'https://api.openai.com/v1',
			scope:
				'openid profile email offline_access resource.invoke chatgpt.tokens.use.direct',
			code_challenge_method: 'S256',
		});
		expect(query.get('redirect_uri')).toMatch(
			/^http:\/\/127\.0\.0\.1:\d+\/auth\/callback$/,
		);
		expect(query.get('state')).toMatch(/^[\w-]{43}$/);
		expect(query.get('nonce')).toMatch(/^[\w-]{43}$/);
		const issued = first.callback.searchParams.get('client_id');
		expect(issued).toMatch(/^app_agent_/);
		expect(first.entry).toEqual({
			type: 'oauth',
			access: expect.stringMatching(/^oai-at-/) as string,
			refresh: expect.stringMatching(/^oai-rt-/) as string,
			expires: expect.any(Number) as number,
			clientId: issued,
			scopes: [
				'openid',
				'profile',
				'email',
				'offline_access',
				'resource.invoke',
				'chatgpt.tokens.use.direct',
			],
			account: 'chatgpt-user@example.com',
		});
		// docs/providers.md: now + expires_in − 3 min.
		expectExpiry(first.entry['expires'], first.started, HOUR, 3 * MINUTE);
		expect(chatgpt.requests('token')[0]?.body).toMatchObject({
			grant_type: 'authorization_code',
			client_id: issued,
			redirect_uri: query.get('redirect_uri'),
			resource: 'https://api.openai.com/v1',
		});

		const deviceFile = path.join(
			path.dirname(setup.authFile),
			'pi-auth',
			'device-id',
		);
		const deviceId = (await fs.readFile(deviceFile, 'utf8')).trim();
		expect(deviceId).toMatch(UUID);
		expect(query.get('ext_agent_host_id')).toBe(`urn:uuid:${deviceId}`);
		expect((await fs.stat(deviceFile)).mode & 0o777).toBe(0o600);
		expect((await fs.stat(path.dirname(deviceFile))).mode & 0o777).toBe(0o700);
		// Generated once and kept: the next sign-in names the same installation.
		const second = await browserLogin(setup, 'openai', chatgpt.approve);
		expect(second.url.searchParams.get('ext_agent_host_id')).toBe(
			`urn:uuid:${deviceId}`,
		);
		expect(chatgpt.hostIds()).toEqual([
			`urn:uuid:${deviceId}`,
			`urn:uuid:${deviceId}`,
		]);
	});

	it('a pasted value must be the whole callback URL: a bare code is refused, the URL works', async () => {
		const setup = await setupSandbox();
		const {chatgpt} = setup.sandbox;
		const cli = setup.start(['login', 'openai', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		await cli.waitFor('stderr', /paste the whole address the browser ends on/);
		const redirect = new URL(await chatgpt.approve(url!));
		cli.write(`${redirect.searchParams.get('code')}\n`);
		await cli.waitFor('stderr', /Paste the whole address the browser ended on/);
		const withoutClient = new URL(redirect);
		withoutClient.searchParams.delete('client_id');
		cli.write(`${withoutClient.href}\n`);
		await cli.waitFor('stderr', /lacks client_id/);
		cli.write(`${redirect.href}\n`);
		const result = await cli.result;
		succeeded(setup, result);
		expect((await setup.readAuth())['openai']?.['clientId']).toBe(
			redirect.searchParams.get('client_id'),
		);
	});

	it('api-key', async () => {
		await apiKeyLogin(await setupSandbox(), 'openai', 'sk-proj-KEY0123456789');
	});
});

describe('xai', () => {
	it('device code: https-only page check passes for the local fake; entry as pi stores it', async () => {
		const setup = await setupSandbox();
		const {xai} = setup.sandbox;
		const {entry, started, verification, result} = await deviceLogin(
			setup,
			'xai',
			xai.approveDevice,
		);
		// verification_uri_complete is shown when present.
		expect(verification).toMatch(/\/device\?user_code=/);
		expect(JSON.parse(result.stdout)).toMatchObject({
			provider: 'xai',
			method: 'device',
			account: 'grok-user@example.com',
		});
		expect(entry).toEqual({
			type: 'oauth',
			access: expect.stringMatching(/^xai-at-/) as string,
			refresh: expect.stringMatching(/^xai-rt-/) as string,
			expires: expect.any(Number) as number,
			account: 'grok-user@example.com',
		});
		// docs/providers.md: now + expires_in − 5 min.
		expectExpiry(entry['expires'], started, HOUR, 5 * MINUTE);
		expect(xai.requests('deviceCode')[0]?.body).toEqual({
			client_id: 'b1a00492-073a-47ea-816f-4c329264a828',
			scope: 'openid profile email offline_access grok-cli:access api:access',
			referrer: 'pi-auth',
		});
	});

	it('api-key', async () => {
		await apiKeyLogin(await setupSandbox(), 'xai', 'xai-KEY0123456789');
	});
});

describe('kimi-coding', () => {
	it('device code: 15-minute tokens stored with no margin', async () => {
		const setup = await setupSandbox();
		const {kimi} = setup.sandbox;
		const {entry, started, verification} = await deviceLogin(
			setup,
			'kimi-coding',
			kimi.approveDevice,
		);
		expect(verification).toContain('user_code=');
		expect(entry).toEqual({
			type: 'oauth',
			access: expect.stringMatching(/^kimi-at-/) as string,
			refresh: expect.stringMatching(/^kimi-rt-/) as string,
			expires: expect.any(Number) as number,
		});
		expectExpiry(entry['expires'], started, 15 * MINUTE, 0);
		expect(kimi.requests('deviceCode')[0]?.body).toEqual({
			client_id: '17e5f671-d194-4dfb-9706-5516cb48c098',
		});
	});

	it('api-key', async () => {
		await apiKeyLogin(
			await setupSandbox(),
			'kimi-coding',
			'sk-kimi-0123456789',
		);
	});
});

describe('openrouter', () => {
	it('browser sign-in on an unguessable path: a permanent key stored as pi stores it', async () => {
		const setup = await setupSandbox();
		const {openrouter} = setup.sandbox;
		const {entry, url, result} = await browserLogin(
			setup,
			'openrouter',
			openrouter.approve,
		);
		expect([...url.searchParams.keys()].sort()).toEqual([
			'callback_url',
			'code_challenge',
			'code_challenge_method',
		]);
		expect(url.searchParams.get('callback_url')).toMatch(
			/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback\/[\da-f-]{36}$/,
		);
		expect(entry).toEqual({
			type: 'oauth',
			access: openrouter.keys()[0],
			refresh: '',
			expires: 9_007_199_254_740_991,
		});
		expect(JSON.parse(result.stdout)).toEqual({
			provider: 'openrouter',
			method: 'oauth',
			expires: 9_007_199_254_740_991,
			profile: 'default',
			active: true,
		});
		expect(openrouter.requests('keys')[0]?.body).toEqual({
			code: expect.any(String) as string,
			code_verifier: expect.stringMatching(/^[\w-]{43}$/) as string,
			code_challenge_method: 'S256',
		});
		// status and refresh say "does not expire", never a date in the year 287396.
		const status = await setup.run(['status']);
		expect(status.stdout).toMatch(
			/OpenRouter\s+API key \(from sign-in\) · file\s+valid, does not expire/,
		);
		const refresh = await setup.run(['refresh', 'openrouter', '--force']);
		expect(refresh.code).toBe(0);
		expect(refresh.stderr).toContain(
			'openrouter: still valid, not refreshed, does not expire.',
		);
		expect(openrouter.count('keys')).toBe(1);
		const logout = await setup.run(['logout', 'openrouter']);
		expect(logout.stderr).toMatch(
			/Signed out of openrouter\. The API key this sign-in created still exists in your OpenRouter account/,
		);
	});

	it('a pasted bare code works too (no state to check)', async () => {
		const setup = await setupSandbox();
		const {openrouter} = setup.sandbox;
		const cli = setup.start(['login', 'openrouter', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		const code = new URL(await openrouter.approve(url!)).searchParams.get(
			'code',
		);
		cli.write(`${code}\n`);
		const result = await cli.result;
		succeeded(setup, result);
		expect((await setup.readAuth())['openrouter']?.['access']).toBe(
			openrouter.keys()[0],
		);
	});

	it('api-key', async () => {
		await apiKeyLogin(
			await setupSandbox(),
			'openrouter',
			'sk-or-v1-KEY0123456789',
		);
	});
});

describe('meta', () => {
	it('device code, then a minted key: key as access, identity token as refresh, now + 24 h', async () => {
		const setup = await setupSandbox();
		const {meta} = setup.sandbox;
		const {entry, started} = await deviceLogin(
			setup,
			'meta',
			meta.approveDevice,
		);
		expect(entry).toEqual({
			type: 'oauth',
			access: expect.stringMatching(/^meta-key-/) as string,
			refresh: expect.stringMatching(/^meta-id-/) as string,
			expires: expect.any(Number) as number,
		});
		expectExpiry(entry['expires'], started, 24 * HOUR, 0);
		const [mint] = meta.requests('key');
		expect(mint?.headers['x-api-version']).toBe('1.0.0');
		expect(mint?.headers.authorization).toBe(
			`Bearer ${String(entry['refresh'])}`,
		);
		expect(mint?.body).toEqual({});
	});

	it('api-key', async () => {
		await apiKeyLogin(await setupSandbox(), 'meta', 'meta-KEY0123456789');
	});
});

describe('radius', () => {
	it('browser sign-in after discovery: handoff=url, a UUID state, scope stored', async () => {
		const setup = await setupSandbox();
		const {radius} = setup.sandbox;
		const {entry, started, url} = await browserLogin(
			setup,
			'radius',
			radius.approve,
		);
		expect(radius.count('discovery')).toBe(1);
		expect(url.pathname).toBe('/oauth/authorize');
		expect(url.searchParams.get('handoff')).toBe('url');
		expect(url.searchParams.get('state')).toMatch(UUID);
		expect(url.searchParams.get('redirect_uri')).toMatch(
			/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/,
		);
		expect(entry).toEqual({
			type: 'oauth',
			access: expect.stringMatching(/^radius-at-/) as string,
			refresh: expect.stringMatching(/^radius-rt-/) as string,
			expires: expect.any(Number) as number,
			scope: 'gateway offline_access',
		});
		// docs/providers.md: now + expires_in − 60 s.
		expectExpiry(entry['expires'], started, HOUR, MINUTE);
	});

	it('device code', async () => {
		const setup = await setupSandbox();
		const {radius} = setup.sandbox;
		const {entry} = await deviceLogin(setup, 'radius', radius.approveDevice);
		expect(entry).toMatchObject({
			type: 'oauth',
			scope: 'gateway offline_access',
		});
		expect(radius.requests('device')[0]?.body).toEqual({
			client_id: 'pi-gateway',
			scope: 'gateway offline_access',
		});
	});

	it('api-key', async () => {
		await apiKeyLogin(await setupSandbox(), 'radius', 'radius-KEY0123456789');
	});
});

describe('environment credentials of the six', () => {
	it('are listed by status with their variable and used by token; the file wins', async () => {
		const setup = await setupSandbox();
		const env = {
			OPENAI_API_KEY: 'env-openai-0123456789',
			XAI_API_KEY: 'env-xai-0123456789',
			KIMI_API_KEY: 'env-kimi-0123456789',
			OPENROUTER_API_KEY: 'env-openrouter-0123456789',
			META_API_KEY: 'env-meta-0123456789',
			RADIUS_API_KEY: 'env-radius-0123456789',
		};
		const {runCli} = await import('../helpers/cli.js');
		const flags = ['--auth-file', setup.authFile, '--config', setup.configFile];
		const status = await runCli(['status', '--json', ...flags], {
			env: {...setup.env, ...env},
		});
		for (const value of Object.values(env))
			expect(status.stdout).not.toContain(value);
		const listed = (
			JSON.parse(status.stdout) as {
				providers: Array<{id: string; source: string; variable: string}>;
			}
		).providers.map(({id, source, variable}) => [id, source, variable]);
		expect(listed).toEqual([
			['openai', 'env', 'OPENAI_API_KEY'],
			['xai', 'env', 'XAI_API_KEY'],
			['kimi-coding', 'env', 'KIMI_API_KEY'],
			['openrouter', 'env', 'OPENROUTER_API_KEY'],
			['meta', 'env', 'META_API_KEY'],
			['radius', 'env', 'RADIUS_API_KEY'],
		]);
		const ids = [
			'openai',
			'xai',
			'kimi-coding',
			'openrouter',
			'meta',
			'radius',
		];
		for (const [index, id] of ids.entries()) {
			const token = await runCli(['token', id, ...flags], {
				env: {...setup.env, ...env},
			});
			expect(token.stdout).toBe(`${Object.values(env)[index]}\n`);
		}

		await setup.writeAuth({xai: {type: 'api_key', key: 'stored-xai-key'}});
		const stored = await runCli(['token', 'xai', ...flags], {
			env: {...setup.env, ...env},
		});
		expect(stored.stdout).toBe('stored-xai-key\n');
	});
});
