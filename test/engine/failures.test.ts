import {describe, expect, it} from 'vitest';
import type {CliResult} from '../helpers/cli.js';
import {
	CODE_LINE,
	URL_LINE,
	busyPort,
	expiredEntry,
	setupSandbox,
	type Setup,
} from './sandbox-cli.js';

/** A one-sentence-ish message on stderr that names the next step, and nothing on stdout. */
const expectTold = (result: CliResult, what: RegExp, next: RegExp) => {
	expect(result.code).toBe(1);
	expect(result.stdout).toBe('');
	expect(result.stderr).toMatch(what);
	expect(result.stderr).toMatch(next);
	expect(result.stderr.trim().split('\n').at(-1)).toMatch(next);
};

/** A seeded, expired entry of `provider` around a grant the fake knows. */
const seedExpired = async (setup: Setup, provider: string) => {
	const {anthropic, codex} = setup.sandbox;
	const grant =
		provider === 'anthropic' ? anthropic.issueGrant() : codex.issueGrant();
	const entry = expiredEntry({
		access: grant.access,
		refresh: grant.refresh,
		...('accountId' in grant ? {accountId: grant.accountId} : {}),
		account: 'kept@example.com',
	});
	await setup.writeAuth({[provider]: entry});
	return {grant, entry, raw: await setup.rawAuth()};
};

const stateOf = async (setup: Setup) => {
	const status = await setup.run(['status', '--json']);
	expect(status.code).toBe(0);
	return (JSON.parse(status.stdout) as {providers: Array<{state: string}>})
		.providers[0]?.state;
};

describe('a refresh token the provider no longer accepts', () => {
	it('Anthropic invalid_grant: exit 1, needsLogin recorded, every field kept', async () => {
		const setup = await setupSandbox();
		const {grant, entry} = await seedExpired(setup, 'anthropic');
		setup.sandbox.anthropic.revoke(grant.refresh);
		const result = await setup.run(['token', 'anthropic']);
		expectTold(
			result,
			/needs a new sign-in.*invalid_grant/,
			/pi-auth login anthropic/,
		);
		setup.expectNoSecrets(result);
		const stored = (await setup.readAuth())['anthropic'];
		expect(stored).toEqual({
			...entry,
			needsLogin: {reason: 'invalid_grant', at: expect.any(Number) as number},
		});
		expect(await stateOf(setup)).toBe('needs-login');
		// Recorded: the next call does not ask the provider again.
		const again = await setup.run(['token', 'anthropic']);
		expect(again.code).toBe(1);
		expect(setup.sandbox.anthropic.count('token')).toBe(1);
	});

	it('Codex refresh_token_reused: exit 1, needsLogin recorded, every field kept', async () => {
		const setup = await setupSandbox();
		const {codex} = setup.sandbox;
		const {grant, entry} = await seedExpired(setup, 'openai-codex');
		// Another program (Codex CLI, say) used the refresh token first.
		const elsewhere = await fetch(codex.endpoints.token, {
			method: 'POST',
			headers: {'content-type': 'application/x-www-form-urlencoded'},
			body: new URLSearchParams({
				grant_type: 'refresh_token',
				refresh_token: grant.refresh,
				client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
			}),
		});
		expect(elsewhere.status).toBe(200);
		const result = await setup.run(['token', 'openai-codex']);
		expectTold(
			result,
			/needs a new sign-in.*refresh_token_reused/,
			/pi-auth login openai-codex/,
		);
		setup.expectNoSecrets(result);
		expect((await setup.readAuth())['openai-codex']).toEqual({
			...entry,
			needsLogin: {
				reason: 'refresh_token_reused',
				at: expect.any(Number) as number,
			},
		});
		expect(await stateOf(setup)).toBe('needs-login');
	});
	it('GitHub token revoked: the Copilot token exchange answers 401; needsLogin recorded', async () => {
		const setup = await setupSandbox();
		const {github} = setup.sandbox;
		const ghu = github.issueGithubToken();
		const entry = expiredEntry({
			access: 'tid=old',
			refresh: ghu,
			enterpriseUrl: 'github.example.com',
		});
		await setup.writeAuth({'github-copilot': entry});
		github.revoke(ghu);
		const result = await setup.run(['token', 'github-copilot']);
		expectTold(result, /needs a new sign-in/, /pi-auth login github-copilot/);
		setup.expectNoSecrets(result);
		expect((await setup.readAuth())['github-copilot']).toEqual({
			...entry,
			needsLogin: {
				reason: expect.any(String) as string,
				at: expect.any(Number) as number,
			},
		});
		expect(await stateOf(setup)).toBe('needs-login');
	});
});

describe('transient refresh failures leave the entry exactly as it was', () => {
	const cases: Array<[string, object, RegExp, RegExp]> = [
		[
			'429 with Retry-After',
			{status: 429, retryAfter: '7'},
			/rate-limit/,
			/Wait 7 s and try again/,
		],
		['500', {status: 500}, /server error \(HTTP 500\)/, /Try again later/],
		[
			'an HTML error page',
			{status: 502, html: true},
			/server error \(HTTP 502\)/,
			/Try again later/,
		],
	];
	for (const [what, fault, message, next] of cases) {
		it(`${what}: exit 1 and what to do`, async () => {
			const setup = await setupSandbox();
			const {raw} = await seedExpired(setup, 'anthropic');
			setup.sandbox.anthropic.fail('token', fault);
			const result = await setup.run(['token', 'anthropic']);
			expectTold(result, message, next);
			setup.expectNoSecrets(result);
			expect(await setup.rawAuth()).toBe(raw);
			expect(await stateOf(setup)).toBe('expired');
			expect(setup.sandbox.anthropic.count('token')).toBe(1);
		});
	}
});

describe('sign-in failures keep the stored entry and name the next step', () => {
	const seedValid = async (setup: Setup, provider: string) => {
		await setup.writeAuth({
			[provider]: {
				type: 'oauth',
				access: 'stored-access-SECRET',
				refresh: 'stored-refresh-SECRET',
				expires: Date.now() + 3_600_000,
				accountId: 'acct-stored',
			},
		});
		return setup.rawAuth();
	};

	const secrets = ['stored-access-SECRET', 'stored-refresh-SECRET'];

	it('device sign-in disabled (Codex 404)', async () => {
		const setup = await setupSandbox();
		const raw = await seedValid(setup, 'openai-codex');
		setup.sandbox.codex.fail('deviceUserCode', {status: 404});
		const result = await setup.run([
			'login',
			'openai-codex',
			'--method',
			'device',
		]);
		expectTold(result, /Device-code sign-in is not enabled/, /--method oauth/);
		setup.expectNoSecrets(result, secrets);
		expect(await setup.rawAuth()).toBe(raw);
	});

	it('device sign-in refused by GitHub with HTTP 200 (device_flow_disabled)', async () => {
		const setup = await setupSandbox();
		setup.sandbox.github.fail('deviceCode', {
			status: 200,
			body: {error: 'device_flow_disabled'},
		});
		const result = await setup.run(['login', 'github-copilot']);
		expectTold(
			result,
			/GitHub would not start a device sign-in \(device_flow_disabled\)/,
			/enable device sign-in/,
		);
	});

	it('access denied in the browser (Anthropic)', async () => {
		const setup = await setupSandbox();
		const raw = await seedValid(setup, 'anthropic');
		const cli = setup.start(['login', 'anthropic', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		const denied = await setup.sandbox.anthropic.deny(url!);
		expect((await fetch(denied)).status).toBe(200);
		const result = await cli.result;
		expectTold(result, /denied/, /approve access/);
		setup.expectNoSecrets(result, secrets);
		expect(await setup.rawAuth()).toBe(raw);
		expect(setup.sandbox.anthropic.count('token')).toBe(0);
	});

	it('access denied on the device page (GitHub, Codex)', async () => {
		const setup = await setupSandbox();
		const raw = await seedValid(setup, 'github-copilot');
		const github = setup.start(['login', 'github-copilot']);
		const [, code] = await github.waitFor('stderr', CODE_LINE);
		await setup.sandbox.github.denyDevice(code!);
		const result = await github.result;
		expectTold(result, /denied on GitHub/, /choose Authorize/);
		setup.expectNoSecrets(result, secrets);
		expect(await setup.rawAuth()).toBe(raw);

		const codex = setup.start(['login', 'openai-codex', '--method', 'device']);
		const [, codexCode] = await codex.waitFor('stderr', CODE_LINE);
		await setup.sandbox.codex.denyDevice(codexCode!);
		const codexResult = await codex.result;
		expectTold(codexResult, /denied/, /approve access/);
		expect(await setup.rawAuth()).toBe(raw);
	});

	it('an expired device code (GitHub expired_token)', async () => {
		const setup = await setupSandbox();
		const raw = await seedValid(setup, 'github-copilot');
		const cli = setup.start(['login', 'github-copilot']);
		const [, code] = await cli.waitFor('stderr', CODE_LINE);
		expect(setup.sandbox.github.expireDevice(code!)).toBe(true);
		const result = await cli.result;
		expectTold(result, /code has expired/, /Start the sign-in again/);
		setup.expectNoSecrets(result, secrets);
		expect(await setup.rawAuth()).toBe(raw);
	});

	it('a wrong paste, then the right one', async () => {
		const port = await busyPort();
		const setup = await setupSandbox({callbackPorts: {anthropic: port}});
		const cli = setup.start(['login', 'anthropic', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		const shown = await setup.sandbox.anthropic.approve(url!);
		cli.write('what now\n');
		await cli.waitFor('stderr', /contains spaces.*paste it again/);
		cli.write('y\n');
		await cli.waitFor('stderr', /doesn't look like a sign-in code/);
		cli.write(`${shown}\n`);
		const result = await cli.result;
		expect(result.code).toBe(0);
		setup.expectNoSecrets(result);
		expect(setup.sandbox.anthropic.count('token')).toBe(1);
	});

	it('a state mismatch: refused by paste and by the callback; the right code still works', async () => {
		const setup = await setupSandbox();
		const {codex} = setup.sandbox;
		const cli = setup.start(['login', 'openai-codex', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		const location = new URL(await codex.approve(url!));
		const forged = new URL(location);
		forged.searchParams.set('state', 'f'.repeat(32));
		cli.write(`${forged.href}\n`);
		await cli.waitFor('stderr', /belongs to a different sign-in attempt/);
		const stale = await fetch(forged.href);
		expect(stale.status).toBe(400);
		expect(await stale.text()).toContain('out of date');
		expect(codex.count('token')).toBe(0);
		expect((await fetch(location.href)).status).toBe(200);
		const result = await cli.result;
		expect(result.code).toBe(0);
		setup.expectNoSecrets(result);
	});

	it('a state mismatch with no callback and no other paste: exit 1, entry kept', async () => {
		const port = await busyPort();
		const setup = await setupSandbox({callbackPorts: {anthropic: port}});
		const raw = await seedValid(setup, 'anthropic');
		const cli = setup.start(['login', 'anthropic', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		const [code] = (await setup.sandbox.anthropic.approve(url!)).split('#');
		cli.write(`${code}#${'s'.repeat(43)}\n`);
		await cli.waitFor('stderr', /belongs to a different sign-in attempt/);
		cli.end();
		const result = await cli.result;
		expectTold(
			result,
			/ended before a code was pasted/,
			/Run the command again/,
		);
		setup.expectNoSecrets(result, secrets);
		expect(await setup.rawAuth()).toBe(raw);
		expect(setup.sandbox.anthropic.count('token')).toBe(0);
	});

	it('a sign-in whose token lacks the ChatGPT account id', async () => {
		const setup = await setupSandbox({sandbox: {codex: {omitAccountId: true}}});
		const raw = await seedValid(setup, 'openai-codex');
		const cli = setup.start(['login', 'openai-codex', '--method', 'device']);
		const [, code] = await cli.waitFor('stderr', CODE_LINE);
		await setup.sandbox.codex.approveDevice(code!);
		const result = await cli.result;
		expectTold(result, /no ChatGPT account id/, /sign in again/);
		setup.expectNoSecrets(result, secrets);
		expect(await setup.rawAuth()).toBe(raw);
	});
});
