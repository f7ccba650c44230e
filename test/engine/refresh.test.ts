import {describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {expiredEntry, setupSandbox} from './sandbox-cli.js';

const HOUR = 3_600_000;

describe('token refreshes an expired entry through the fakes', () => {
	it('Anthropic: one JSON refresh without scope, a rotated refresh token, every other field kept', async () => {
		const setup = await setupSandbox();
		const {anthropic} = setup.sandbox;
		// The refresh answer names the account: the label stays what the provider says.
		const grant = anthropic.issueGrant({email: 'someone@example.com'});
		await setup.writeAuth({
			anthropic: expiredEntry({
				access: grant.access,
				refresh: grant.refresh,
				account: 'someone@example.com',
				custom: {kept: true},
			}),
			'other-tool': {type: 'api_key', key: 'untouched'},
		});
		const result = await setup.run(['token', 'anthropic']);
		expect(result.code).toBe(0);
		expect(result.stderr).toBe('');
		const data = await setup.readAuth();
		const entry = data['anthropic']!;
		expect(result.stdout).toBe(`${entry['access'] as string}\n`);
		expect(entry['access']).not.toBe(grant.access);
		expect(entry['refresh']).toMatch(/^sk-ant-ort01-/);
		expect(entry['refresh']).not.toBe(grant.refresh);
		expect(entry).toMatchObject({
			type: 'oauth',
			account: 'someone@example.com',
			custom: {kept: true},
		});
		expect(entry['expires']).toBeGreaterThan(Date.now() + 7 * HOUR);
		expect(data['other-tool']).toEqual({type: 'api_key', key: 'untouched'});
		expect(anthropic.count('token')).toBe(1);
		const [request] = anthropic.requests('token');
		expect(request?.headers['content-type']).toMatch(/^application\/json/);
		expect(request?.body).toEqual({
			grant_type: 'refresh_token',
			client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
			refresh_token: grant.refresh,
		});

		// Valid now: the next call prints the stored token and asks nobody.
		const again = await setup.run(['token', 'anthropic']);
		expect(again.stdout).toBe(result.stdout);
		expect(anthropic.count('token')).toBe(1);
		const status = await setup.run(['status', '--json']);
		expect(JSON.parse(status.stdout)).toMatchObject({
			providers: [
				{id: 'anthropic', state: 'valid', managed: true},
				{id: 'other-tool', state: 'valid', managed: false, keyKind: 'literal'},
			],
		});
	});

	it('Anthropic: keeps the old refresh token when the response omits it (pi #9369)', async () => {
		const setup = await setupSandbox({
			sandbox: {anthropic: {omitRefreshToken: true}},
		});
		const grant = setup.sandbox.anthropic.issueGrant();
		await setup.writeAuth({
			anthropic: expiredEntry({access: grant.access, refresh: grant.refresh}),
		});
		const result = await setup.run(['token', 'anthropic']);
		expect(result.code).toBe(0);
		const entry = (await setup.readAuth())['anthropic']!;
		expect(entry['refresh']).toBe(grant.refresh);
		expect(entry['access']).not.toBe(grant.access);
	});

	it('OpenAI Codex: one form-encoded refresh; account id and other fields kept', async () => {
		const setup = await setupSandbox();
		const {codex} = setup.sandbox;
		const grant = codex.issueGrant();
		await setup.writeAuth({
			'openai-codex': expiredEntry({
				access: grant.access,
				refresh: grant.refresh,
				accountId: grant.accountId,
				label: 'work',
			}),
		});
		const result = await setup.run(['token', 'openai-codex']);
		expect(result.code).toBe(0);
		const entry = (await setup.readAuth())['openai-codex']!;
		expect(result.stdout).toBe(`${entry['access'] as string}\n`);
		expect(entry).toMatchObject({accountId: grant.accountId, label: 'work'});
		expect(entry['refresh']).not.toBe(grant.refresh);
		expect(codex.count('token')).toBe(1);
		expect(codex.requests('token')[0]?.headers['content-type']).toMatch(
			/^application\/x-www-form-urlencoded/,
		);
	});

	it('OpenAI Codex: a refreshed token without the account claim keeps the stored account id (the old refresh token is spent by then)', async () => {
		const setup = await setupSandbox();
		const {codex} = setup.sandbox;
		const grant = codex.issueGrant();
		await setup.writeAuth({
			'openai-codex': expiredEntry({
				access: grant.access,
				refresh: grant.refresh,
				accountId: grant.accountId,
			}),
		});
		codex.settings.omitAccountId = true;
		const first = await setup.run(['token', 'openai-codex']);
		expect(first.code).toBe(0);
		const entry = (await setup.readAuth())['openai-codex']!;
		expect(entry['accountId']).toBe(grant.accountId);
		expect(entry['refresh']).not.toBe(grant.refresh);
		// The new pair works: the next refresh is accepted, not refused as a reused token.
		codex.settings.omitAccountId = false;
		const second = await setup.run(['refresh', 'openai-codex', '--force']);
		expect(second.code).toBe(0);
		expect(codex.count('token')).toBe(2);
	});

	it('GitHub Copilot: one Copilot token request with the editor headers; the GitHub token kept', async () => {
		const setup = await setupSandbox();
		const {github} = setup.sandbox;
		const ghu = github.issueGithubToken();
		await setup.writeAuth({
			'github-copilot': expiredEntry({access: 'tid=old', refresh: ghu}),
		});
		const result = await setup.run(['token', 'github-copilot']);
		expect(result.code).toBe(0);
		const entry = (await setup.readAuth())['github-copilot']!;
		expect(entry['access']).toMatch(/^tid=/);
		expect(result.stdout).toBe(`${entry['access'] as string}\n`);
		expect(entry['refresh']).toBe(ghu);
		expect(github.count('copilotToken')).toBe(1);
		expect(github.requests('copilotToken')[0]?.headers).toMatchObject({
			authorization: `Bearer ${ghu}`,
			'user-agent': 'GitHubCopilotChat/0.35.0',
			'editor-version': 'vscode/1.107.0',
			'editor-plugin-version': 'copilot-chat/0.35.0',
			'copilot-integration-id': 'vscode-chat',
		});
	});
});

describe('twenty processes refreshing one single-use refresh token', () => {
	it('make one refresh; all print the same new token; the file holds the new refresh token', async () => {
		const setup = await setupSandbox();
		const {codex} = setup.sandbox;
		const grant = codex.issueGrant();
		await setup.writeAuth({
			'openai-codex': expiredEntry({
				access: grant.access,
				refresh: grant.refresh,
				accountId: grant.accountId,
			}),
		});
		const args = [
			'token',
			'openai-codex',
			'--auth-file',
			setup.authFile,
			'--config',
			setup.configFile,
		];
		const results = await Promise.all(
			Array.from({length: 20}, async () =>
				runCli(args, {env: setup.env, timeoutMs: 60_000}),
			),
		);
		for (const result of results) {
			expect(result.code, result.stderr).toBe(0);
			expect(result.stderr).toBe('');
		}

		expect(new Set(results.map(result => result.stdout)).size).toBe(1);
		const entry = (await setup.readAuth())['openai-codex']!;
		expect(results[0]?.stdout).toBe(`${entry['access'] as string}\n`);
		expect(entry['access']).not.toBe(grant.access);
		expect(codex.count('token')).toBe(1);
		// The refresh token the one refresh got back (the fake issued it; the old one is used up).
		expect(entry['refresh']).not.toBe(grant.refresh);
		expect(codex.secrets()).toContain(entry['refresh']);
		const check = await setup.run([
			'token',
			'openai-codex',
			'--min-validity',
			'0s',
		]);
		expect(check.stdout).toBe(results[0]?.stdout);
	}, 90_000);
});
