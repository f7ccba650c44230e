import fs from 'node:fs/promises';
import type {IncomingMessage, ServerResponse} from 'node:http';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {type CliResult, cleanEnv, runCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp-dir.js';
import {type LocalServer, json, startServer} from '../oauth/local-server.js';
import {fixture} from '../usage/fixtures.js';

const HOUR = 3_600_000;
// Recognisable fake secrets: if any shows up in output, the test fails.
const ANTHROPIC_ACCESS = 'sk-ant-oat01-STATUSACCESSSECRET';
const ANTHROPIC_REFRESH = 'sk-ant-ort01-STATUSREFRESHSECRET';
const CODEX_ACCESS = 'eyJhbGciOi.CODEXSTATUSSECRET.sig';
const CODEX_REFRESH = 'rt_CODEXREFRESHSECRET';
const GITHUB_TOKEN = 'ghu_STATUSGITHUBSECRET';
const COPILOT_ACCESS = 'tid=COPILOTSESSIONSECRET';
const SETUP_TOKEN = `sk-ant-oat01-${'S'.repeat(70)}SETUPSECRET`;
const SECRETS = [
	ANTHROPIC_ACCESS,
	ANTHROPIC_REFRESH,
	CODEX_ACCESS,
	CODEX_REFRESH,
	GITHUB_TOKEN,
	COPILOT_ACCESS,
	SETUP_TOKEN,
	'SECRET',
];

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: LocalServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

/** One local server for all three usage endpoints; records what each path was sent. */
const usageServer = async (handlers: Record<string, Handler>) => {
	const seen: Array<{path: string; headers: IncomingMessage['headers']}> = [];
	const server = await startServer((request, response) => {
		const url = request.url ?? '';
		seen.push({path: url, headers: request.headers});
		const handler = handlers[url];
		if (handler) handler(request, response);
		else json(response, 404, {error: 'not_found'});
	});
	servers.push(server);
	return {server, seen};
};

const setup = async (data: unknown, server: LocalServer) => {
	const home = await makeTempDir();
	const file = path.join(home, 'auth.json');
	const config = path.join(home, 'pi-auth.json');
	await fs.writeFile(file, JSON.stringify(data));
	await fs.writeFile(
		config,
		JSON.stringify({
			providers: {
				anthropic: {endpoints: {usage: `${server.url}/anthropic/usage`}},
				'openai-codex': {endpoints: {usage: `${server.url}/codex/usage`}},
				'github-copilot': {endpoints: {user: `${server.url}/copilot/user`}},
			},
		}),
	);
	return {
		home,
		file,
		args: ['--config', config, '--auth-file', file],
		env: cleanEnv(home),
	};
};

const expectNoSecrets = (result: CliResult) => {
	for (const secret of SECRETS) {
		expect(result.stdout).not.toContain(secret);
		expect(result.stderr).not.toContain(secret);
	}
};

const signedIn = () => ({
	anthropic: {
		type: 'oauth',
		access: ANTHROPIC_ACCESS,
		refresh: ANTHROPIC_REFRESH,
		expires: Date.now() + 5 * HOUR,
	},
	'openai-codex': {
		type: 'oauth',
		access: CODEX_ACCESS,
		refresh: CODEX_REFRESH,
		expires: Date.now() + 5 * HOUR,
		accountId: 'acct-status',
	},
	'github-copilot': {
		type: 'oauth',
		access: COPILOT_ACCESS,
		refresh: GITHUB_TOKEN,
		expires: Date.now() + HOUR,
	},
});

type Entry = {
	id: string;
	usage?: {windows: unknown[]; fetchedAt: number; error?: string};
};

const providersOf = (result: CliResult): Entry[] =>
	(JSON.parse(result.stdout) as {providers: Entry[]}).providers;

describe('status --usage', () => {
	it('adds every provider’s usage to status --json, with the headers each endpoint needs', async () => {
		const {server, seen} = await usageServer({
			'/anthropic/usage': (_, response) => {
				json(response, 200, fixture('anthropic-flat'));
			},
			'/codex/usage': (_, response) => {
				json(response, 200, fixture('codex-plus'));
			},
			'/copilot/user': (_, response) => {
				json(response, 200, fixture('copilot-pro'));
			},
		});
		const {args, env} = await setup(signedIn(), server);
		const before = Date.now();
		const result = await runCli(['status', '--json', '--usage', ...args], {
			env,
		});
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expectNoSecrets(result);
		const entries = providersOf(result);
		expect(entries.map(entry => entry.id)).toEqual([
			'anthropic',
			'openai-codex',
			'github-copilot',
		]);
		const fetchedAt = expect.any(Number) as number;
		expect(entries[0]?.usage).toEqual({
			windows: [
				{
					label: '5h',
					usedPercent: 42,
					resetsAt: Date.parse('2026-11-23T15:00:00.172Z'),
				},
				{
					label: '7d',
					usedPercent: 12.5,
					resetsAt: Date.parse('2026-11-27T09:00:00Z'),
				},
				{label: '7d-opus', usedPercent: 3, resetsAt: null},
			],
			fetchedAt,
		});
		expect(entries[1]?.usage).toEqual({
			windows: [
				{label: '5h', usedPercent: 37, resetsAt: 1_795_400_000_000},
				{label: '7d', usedPercent: 8, resetsAt: 1_795_800_000_000},
			],
			fetchedAt,
		});
		// Chat and completions are unlimited: left out, not shown as 0 %.
		expect(entries[2]?.usage).toEqual({
			windows: [
				{
					label: 'premium',
					usedPercent: 33,
					resetsAt: Date.parse('2026-12-01T00:00:00Z'),
				},
			],
			fetchedAt,
		});
		for (const entry of entries) {
			expect(entry.usage?.fetchedAt).toBeGreaterThanOrEqual(before);
			expect(entry.usage?.fetchedAt).toBeLessThanOrEqual(Date.now());
		}

		const header = (url: string, name: string) =>
			seen.find(request => request.path === url)?.headers[name];
		expect(seen).toHaveLength(3);
		expect(header('/anthropic/usage', 'authorization')).toBe(
			`Bearer ${ANTHROPIC_ACCESS}`,
		);
		expect(header('/anthropic/usage', 'anthropic-beta')).toBe(
			'oauth-2025-04-20',
		);
		expect(header('/anthropic/usage', 'user-agent')).toMatch(
			/^claude-code\/\d/,
		);
		expect(header('/codex/usage', 'chatgpt-account-id')).toBe('acct-status');
		expect(header('/copilot/user', 'authorization')).toBe(
			`token ${GITHUB_TOKEN}`,
		);
		expect(header('/copilot/user', 'x-github-api-version')).toBe('2025-04-01');
	});

	it('reports each failure in its own entry and keeps exit code 0', async () => {
		const {server, seen} = await usageServer({
			'/codex/usage': (_, response) => {
				json(response, 429, {error: 'rate_limited'}, {'retry-after': '0'});
			},
			'/copilot/user': (_, response) => {
				response.writeHead(502, {'content-type': 'text/html'});
				response.end('<html>Bad gateway</html>');
			},
		});
		const data = {
			...signedIn(),
			anthropic: {
				type: 'oauth',
				access: SETUP_TOKEN,
				refresh: '',
				expires: Date.now() + 300 * 24 * HOUR,
			},
		};
		const {args, env} = await setup(data, server);
		const result = await runCli(['status', '--json', '--usage', ...args], {
			env,
		});
		expect(result.code).toBe(0);
		expectNoSecrets(result);
		const [claude, codex, copilot] = providersOf(result);
		const failed = {windows: [], fetchedAt: expect.any(Number) as number};
		expect(claude?.usage).toEqual({
			...failed,
			error: expect.stringMatching(/not available for setup tokens/) as string,
		});
		expect(codex?.usage).toEqual({
			...failed,
			error: expect.stringMatching(/rate-limiting.*HTTP 429/) as string,
		});
		expect(copilot?.usage).toEqual({
			...failed,
			error: expect.stringMatching(/HTTP 502/) as string,
		});
		// The setup token is known up front: no request for it.
		expect(seen.map(request => request.path).sort()).toEqual([
			'/codex/usage',
			'/copilot/user',
		]);
	});

	it('says usage is not available for API keys, and uses an environment GitHub token', async () => {
		const {server, seen} = await usageServer({
			'/copilot/user': (_, response) => {
				json(response, 200, fixture('copilot-no-premium'));
			},
		});
		const {args, home} = await setup({}, server);
		const env = cleanEnv(home, {
			ANTHROPIC_API_KEY: 'sk-ant-api03-APIKEYSECRET',
			COPILOT_GITHUB_TOKEN: GITHUB_TOKEN,
		});
		const result = await runCli(['status', '--json', '--usage', ...args], {
			env,
		});
		expect(result.code).toBe(0);
		expectNoSecrets(result);
		expect(result.stdout).not.toContain('APIKEYSECRET');
		const [claude, copilot] = providersOf(result);
		expect(claude?.usage?.error).toMatch(/not available for API keys/);
		expect(copilot?.usage?.windows).toEqual([
			{label: 'chat', usedPercent: 60, resetsAt: Date.parse('2026-12-01')},
			{
				label: 'completions',
				usedPercent: 25,
				resetsAt: Date.parse('2026-12-01'),
			},
		]);
		expect(seen.map(request => request.headers['authorization'])).toEqual([
			`token ${GITHUB_TOKEN}`,
		]);
	});

	it('shows the same numbers in the text snapshot', async () => {
		const resetsAt = new Date(
			Date.now() + 2 * HOUR + 10.5 * 60_000,
		).toISOString();
		const {server} = await usageServer({
			'/anthropic/usage': (_, response) => {
				json(response, 200, {
					five_hour: {utilization: 42, resets_at: resetsAt},
				});
			},
			'/codex/usage': (_, response) => {
				json(response, 503, {});
			},
			'/copilot/user': (_, response) => {
				// The recorded body's reset date, moved to ten days from now: the line must not
				// depend on today's date (it read "reset due" once 2026-12-01 had passed).
				const resets = new Date(Date.now() + 10 * 24 * HOUR);
				json(response, 200, {
					...(fixture('copilot-pro') as Record<string, unknown>),
					quota_reset_date: resets.toISOString().slice(0, 10),
					quota_reset_date_utc: resets.toISOString(),
				});
			},
		});
		const {args, env} = await setup(signedIn(), server);
		const result = await runCli(['status', '--usage', ...args], {env});
		expect(result.code).toBe(0);
		expectNoSecrets(result);
		const lines = result.stdout.split('\n');
		const usageAfter = (name: string) =>
			lines[lines.findIndex(line => line.includes(name)) + 1];
		expect(usageAfter('Anthropic')).toBe(
			'    usage: 5h 42% (resets in 2h 10m)',
		);
		expect(usageAfter('OpenAI Codex')).toMatch(/^ {4}usage: .*HTTP 503/);
		expect(usageAfter('GitHub Copilot')).toMatch(
			/^ {4}usage: premium 33% \(resets in .+\) · chat not metered · completions not metered$/,
		);
	});

	it('touches no network without --usage, nor with --check', async () => {
		const {server, seen} = await usageServer({});
		const {args, env} = await setup(signedIn(), server);
		const plain = await runCli(['status', '--json', ...args], {env});
		expect(plain.code).toBe(0);
		for (const entry of providersOf(plain))
			expect(entry).not.toHaveProperty('usage');
		const text = await runCli(['status', ...args], {env});
		expect(text.stdout).not.toContain('usage:');
		const check = await runCli(
			['status', '--check', '--usage', '--json', ...args],
			{env},
		);
		expect(check.code).toBe(0);
		for (const entry of providersOf(check))
			expect(entry).not.toHaveProperty('usage');
		expect(seen).toHaveLength(0);
	});
});
