import fs from 'node:fs/promises';
import {createServer} from 'node:net';
import {describe, expect, it} from 'vitest';
import {CODE_LINE, URL_LINE, busyPort, setupSandbox} from './sandbox-cli.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** What the browser does with a redirect to the callback: load it. */
const openInBrowser = async (url: string) => {
	const response = await fetch(url);
	return {status: response.status, text: await response.text()};
};

describe('scripted login against the fakes: Anthropic', () => {
	it('signs in through the localhost callback', async () => {
		const setup = await setupSandbox();
		const {anthropic} = setup.sandbox;
		const cli = setup.start([
			'login',
			'anthropic',
			'--method',
			'oauth',
			'--json',
		]);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		const callback = await anthropic.approve(url!);
		expect(callback).toMatch(/^http:\/\/localhost:\d+\/callback\?code=/);
		const page = await openInBrowser(callback);
		expect(page.status).toBe(200);
		expect(page.text).toContain('you can close this tab');
		const result = await cli.result;
		expect(result.code).toBe(0);
		setup.expectNoSecrets(result);
		expect(JSON.parse(result.stdout)).toEqual({
			provider: 'anthropic',
			method: 'oauth',
			expires: expect.any(Number) as number,
			account: 'claude-user@example.com',
			profile: 'default',
			active: true,
		});
		const {anthropic: entry} = await setup.readAuth();
		expect(entry).toMatchObject({
			type: 'oauth',
			access: expect.stringMatching(/^sk-ant-oat01-/) as string,
			refresh: expect.stringMatching(/^sk-ant-ort01-/) as string,
		});
		// docs/providers.md: now + expires_in (8 h) − 5 min.
		const expires = entry!['expires'] as number;
		expect(expires).toBeGreaterThan(Date.now() + 8 * HOUR - 6 * MINUTE);
		expect(expires).toBeLessThanOrEqual(Date.now() + 8 * HOUR - 5 * MINUTE);
		const [exchange] = anthropic.requests('token');
		expect(anthropic.count('token')).toBe(1);
		expect(exchange?.body).toMatchObject({
			grant_type: 'authorization_code',
			redirect_uri: new URL(callback).origin + '/callback',
		});
	});

	it('signs in with a pasted redirect URL while the callback is listening', async () => {
		const setup = await setupSandbox();
		const cli = setup.start(['login', 'anthropic', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		cli.write(`${await setup.sandbox.anthropic.approve(url!)}\n`);
		const result = await cli.result;
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(
			/Signed in to Anthropic.*claude-user@example.com/,
		);
		setup.expectNoSecrets(result);
		expect((await setup.readAuth()).anthropic?.['access']).toMatch(
			/^sk-ant-oat01-/,
		);
	});

	it("takes any free port when pi's port 53692 is busy, before paste-only", async () => {
		const setup = await setupSandbox();
		// The provider's own ports, not the test config's "any free port".
		const config = JSON.parse(await fs.readFile(setup.configFile, 'utf8')) as {
			providers: Record<string, {callbackPort?: number}>;
		};
		delete config.providers['anthropic']!.callbackPort;
		await fs.writeFile(setup.configFile, JSON.stringify(config));
		const holder = createServer();
		const held = await new Promise<boolean>(resolve => {
			holder.once('error', () => resolve(false));
			holder.listen(53692, '127.0.0.1', () => resolve(true));
		});
		try {
			const cli = setup.start(['login', 'anthropic', '--method', 'oauth']);
			const [, url] = await cli.waitFor('stderr', URL_LINE);
			const redirect = new URL(new URL(url!).searchParams.get('redirect_uri')!);
			// Busy either way: held by this test, or by something else on the machine.
			expect(cli.stderr).toMatch(
				/Port 53692 is in use by another program; listening on \d+ instead/,
			);
			expect(redirect.hostname).toBe('localhost');
			expect(redirect.port).not.toBe('53692');
			await fetch(await setup.sandbox.anthropic.approve(url!));
			expect((await cli.result).code).toBe(0);
		} finally {
			if (held) holder.close();
		}
	});

	it('falls back to the paste-only page when the callback port is busy, and takes code#state', async () => {
		const port = await busyPort();
		const setup = await setupSandbox({callbackPorts: {anthropic: port}});
		const {anthropic} = setup.sandbox;
		const cli = setup.start(['login', 'anthropic', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		expect(cli.stderr).toContain(`Port ${port} is in use by another program`);
		expect(new URL(url!).searchParams.get('redirect_uri')).toBe(
			'https://platform.claude.com/oauth/code/callback',
		);
		const shown = await anthropic.approve(url!);
		expect(shown).toMatch(/^[\w-]+#[\w-]{43}$/);
		cli.write(`  ${shown}\r\n`);
		const result = await cli.result;
		expect(result.code).toBe(0);
		setup.expectNoSecrets(result);
		expect(anthropic.requests('token')[0]?.body).toMatchObject({
			redirect_uri: 'https://platform.claude.com/oauth/code/callback',
		});
	});

	it('keeps the PKCE verifier out of the authorize URL and every output: the state is its own', async () => {
		const setup = await setupSandbox();
		const {anthropic} = setup.sandbox;
		const cli = setup.start(['login', 'anthropic', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		cli.write(`${await anthropic.approve(url!)}\n`);
		const result = await cli.result;
		expect(result.code).toBe(0);
		// The verifier is known only from the token request the fake received.
		const body = anthropic.requests('token')[0]?.body as Record<string, string>;
		const verifier = body['code_verifier'] ?? '';
		const state = new URL(url!).searchParams.get('state') ?? '';
		expect(verifier).toMatch(/^[\w-]{43}$/);
		// 32 random bytes, base64url: what the authorize page accepts (docs/providers.md).
		expect(state).toMatch(/^[\w-]{43}$/);
		expect(state).not.toBe(verifier);
		expect(body['state']).toBe(state);
		const pieces = Array.from({length: verifier.length - 6}, (_, index) =>
			verifier.slice(index, index + 7),
		);
		for (const text of [url!, result.stdout, result.stderr]) {
			expect(pieces.filter(piece => text.includes(piece))).toEqual([]);
		}
	});
});

describe('scripted login against the fakes: OpenAI Codex', () => {
	it('signs in through the localhost callback and stores the account id', async () => {
		const setup = await setupSandbox();
		const {codex} = setup.sandbox;
		const cli = setup.start([
			'login',
			'openai-codex',
			'--method',
			'oauth',
			'--json',
		]);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		const callback = await codex.approve(url!);
		expect(callback).toMatch(/^http:\/\/localhost:\d+\/auth\/callback\?code=/);
		expect((await openInBrowser(callback)).status).toBe(200);
		const result = await cli.result;
		expect(result.code).toBe(0);
		setup.expectNoSecrets(result);
		expect(JSON.parse(result.stdout)).toMatchObject({
			provider: 'openai-codex',
			account: 'codex-user@example.com',
		});
		const entry = (await setup.readAuth())['openai-codex'];
		expect(entry).toMatchObject({
			type: 'oauth',
			accountId: 'acct-fake-codex-0001',
			refresh: expect.stringMatching(/^rt_/) as string,
		});
		// docs/providers.md: Codex stores now + expires_in with no buffer.
		const expires = entry!['expires'] as number;
		const ttl = codex.settings.accessTtlSeconds * 1000;
		expect(expires).toBeGreaterThan(Date.now() + ttl - MINUTE);
		expect(expires).toBeLessThanOrEqual(Date.now() + ttl);
	});

	it('signs in with the pasted redirect URL when the callback port is busy', async () => {
		const port = await busyPort();
		const setup = await setupSandbox({callbackPorts: {'openai-codex': port}});
		const cli = setup.start(['login', 'openai-codex', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		const location = await setup.sandbox.codex.approve(url!);
		// Paste-only keeps the registered localhost URI; nothing listens there, the user copies it.
		expect(location).toMatch(/^http:\/\/localhost:1455\/auth\/callback\?/);
		cli.write(`${location}\n`);
		const result = await cli.result;
		expect(result.code).toBe(0);
		setup.expectNoSecrets(result);
		expect((await setup.readAuth())['openai-codex']).toMatchObject({
			accountId: 'acct-fake-codex-0001',
		});
	});

	it('signs in with a device code', async () => {
		const setup = await setupSandbox();
		const {codex} = setup.sandbox;
		const cli = setup.start(['login', 'openai-codex', '--method', 'device']);
		const [, code, where] = await cli.waitFor('stderr', CODE_LINE);
		expect(where).toBe(codex.endpoints.deviceVerification);
		await codex.approveDevice(code!);
		const result = await cli.result;
		expect(result.code).toBe(0);
		setup.expectNoSecrets(result);
		expect((await setup.readAuth())['openai-codex']).toMatchObject({
			accountId: 'acct-fake-codex-0001',
			account: 'codex-user@example.com',
		});
		// docs/providers.md: the exchange uses the literal deviceauth redirect_uri and the server's verifier.
		expect(codex.requests('token')[0]?.body).toMatchObject({
			grant_type: 'authorization_code',
			redirect_uri: 'https://auth.openai.com/deviceauth/callback',
		});
	});
});

describe('scripted login against the fakes: GitHub Copilot', () => {
	it('signs in with a device code and buys a Copilot token', async () => {
		const setup = await setupSandbox();
		const {github} = setup.sandbox;
		const cli = setup.start(['login', 'github-copilot', '--json']);
		const [, code, where] = await cli.waitFor('stderr', CODE_LINE);
		expect(where).toBe(github.devicePage);
		await github.approveDevice(code!);
		const result = await cli.result;
		expect(result.code).toBe(0);
		setup.expectNoSecrets(result);
		expect(JSON.parse(result.stdout)).toMatchObject({
			provider: 'github-copilot',
			method: 'device',
			account: 'octo-fake',
		});
		const entry = (await setup.readAuth())['github-copilot'];
		expect(entry).toMatchObject({
			type: 'oauth',
			access: expect.stringMatching(/^tid=/) as string,
			refresh: expect.stringMatching(/^ghu_/) as string,
		});
		expect(entry).not.toHaveProperty('enterpriseUrl');
		// docs/providers.md: expires = expires_at × 1000 − 5 min, for a ~30-minute token.
		const expires = entry!['expires'] as number;
		expect(expires).toBeGreaterThan(Date.now() + 24 * MINUTE);
		expect(expires).toBeLessThanOrEqual(Date.now() + 25 * MINUTE);
		// RFC 8628: polls never come sooner than the interval (50 ms here; GitHub would slow_down).
		const times = github.requests('accessToken').map(poll => poll.at);
		for (let index = 1; index < times.length; index++) {
			expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(49);
		}

		expect(github.count('copilotToken')).toBe(1);
		// pi sends the editor's User-Agent on the device requests as well (docs/providers.md drift).
		for (const request of [
			...github.requests('deviceCode'),
			...github.requests('accessToken'),
		]) {
			expect(request.headers['user-agent']).toBe('GitHubCopilotChat/0.35.0');
		}
	});

	it('signs in to GitHub Enterprise with --enterprise, keeping only the host', async () => {
		const setup = await setupSandbox();
		const {github} = setup.sandbox;
		const cli = setup.start([
			'login',
			'github-copilot',
			'--enterprise',
			'https://GitHub.Example.com/some/path',
		]);
		const [, code] = await cli.waitFor('stderr', CODE_LINE);
		await github.approveDevice(code!);
		const result = await cli.result;
		expect(result.code).toBe(0);
		expect((await setup.readAuth())['github-copilot']).toMatchObject({
			enterpriseUrl: 'github.example.com',
			refresh: expect.stringMatching(/^ghu_/) as string,
		});
		// The Copilot token of an enterprise entry is refreshed through the configured endpoints.
		const forced = await setup.run(['refresh', 'github-copilot', '--force']);
		expect(forced.code).toBe(0);
		expect(github.count('copilotToken')).toBe(2);
	});

	it("stores pi's availableModelIds: enables unconfigured picker models, skips disabled, hidden and tool-less ones", async () => {
		const setup = await setupSandbox();
		const {github} = setup.sandbox;
		const cli = setup.start(['login', 'github-copilot']);
		const [, code] = await cli.waitFor('stderr', CODE_LINE);
		await github.approveDevice(code!);
		expect((await cli.result).code).toBe(0);
		const entry = (await setup.readAuth())['github-copilot']!;
		expect(entry['availableModelIds']).toEqual([
			'gpt-6-sol',
			'claude-sonnet-5',
		]);
		// One policy request, for the one unconfigured model, as the editor sends it.
		const [policy, ...others] = github.requests('modelPolicy');
		expect(others).toEqual([]);
		expect(policy?.path).toBe('/copilot/models/claude-sonnet-5/policy');
		expect(policy?.body).toEqual({state: 'enabled'});
		expect(policy?.headers['authorization']).toBe(
			`Bearer ${entry['access'] as string}`,
		);
		expect(
			github.settings.models.find(m => m.id === 'claude-sonnet-5')?.policy,
		).toBe('enabled');

		// A refresh lists the models again (no policy step) and keeps the list when that fails.
		github.settings.models.push({
			id: 'gpt-6.2-astra',
			picker: true,
			policy: 'enabled',
		});
		expect(
			(await setup.run(['refresh', 'github-copilot', '--force'])).code,
		).toBe(0);
		expect(
			(await setup.readAuth())['github-copilot']!['availableModelIds'],
		).toEqual(['gpt-6-sol', 'claude-sonnet-5', 'gpt-6.2-astra']);
		github.fail('models', {status: 503});
		expect(
			(await setup.run(['refresh', 'github-copilot', '--force'])).code,
		).toBe(0);
		expect(
			(await setup.readAuth())['github-copilot']!['availableModelIds'],
		).toEqual(['gpt-6-sol', 'claude-sonnet-5', 'gpt-6.2-astra']);
		expect(github.count('modelPolicy')).toBe(1);
	});

	it('signs in without a model list when GitHub will not give one (pi then offers every model)', async () => {
		const setup = await setupSandbox();
		const {github} = setup.sandbox;
		github.fail('models', {status: 500, count: 5});
		const cli = setup.start(['login', 'github-copilot']);
		const [, code] = await cli.waitFor('stderr', CODE_LINE);
		await github.approveDevice(code!);
		expect((await cli.result).code).toBe(0);
		const entry = (await setup.readAuth())['github-copilot']!;
		expect(entry).not.toHaveProperty('availableModelIds');
		expect(entry['access']).toMatch(/^tid=/);
	});

	it('still signs in when the quota endpoint (the account label) fails', async () => {
		const setup = await setupSandbox();
		const {github} = setup.sandbox;
		github.fail('user', {status: 500});
		const cli = setup.start(['login', 'github-copilot', '--json']);
		const [, code] = await cli.waitFor('stderr', CODE_LINE);
		await github.approveDevice(code!);
		const result = await cli.result;
		expect(result.code).toBe(0);
		expect(JSON.parse(result.stdout)).not.toHaveProperty('account');
		expect(github.count('user')).toBe(1);
		expect((await setup.readAuth())['github-copilot']).toMatchObject({
			refresh: expect.stringMatching(/^ghu_/) as string,
		});
	});
});
