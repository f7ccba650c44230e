import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {type CliResult, cleanEnv, runCli, startCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const HOUR = 3_600_000;
// Recognisable fake secrets: if any of these shows up where it should not, the test fails.
const SETUP_TOKEN = `sk-ant-oat01-${'S'.repeat(70)}SETUPSECRET`;
const ACCESS = 'sk-ant-oat01-ACCESSSECRET-0123456789';
const REFRESH = 'sk-ant-ort01-REFRESHSECRET-0123456789';
const API_KEY = 'sk-ant-api03-APIKEYSECRET-0123456789';
const SECRETS = [
	SETUP_TOKEN,
	ACCESS,
	REFRESH,
	API_KEY,
	'ghu_ENVSECRET',
	'REFRESHSECRET',
];

const setup = async (data?: unknown) => {
	const home = await makeTempDir();
	const file = path.join(home, '.pi', 'agent', 'auth.json');
	if (data !== undefined) {
		await fs.mkdir(path.dirname(file), {recursive: true});
		await fs.writeFile(
			file,
			typeof data === 'string' ? data : JSON.stringify(data),
		);
	}

	return {home, file, env: cleanEnv(home)};
};

const expectNoSecrets = (result: CliResult, allowed: string[] = []) => {
	for (const secret of SECRETS.filter(secret => !allowed.includes(secret))) {
		expect(result.stdout).not.toContain(secret);
		expect(result.stderr).not.toContain(secret);
	}
};

const oauthEntry = (expiresIn: number, extra: object = {}) => ({
	type: 'oauth',
	access: ACCESS,
	refresh: REFRESH,
	expires: Date.now() + expiresIn,
	...extra,
});

describe('scripted login, status, token, logout (the issue\'s "done when")', () => {
	it('signs in with a setup token from stdin and works through every command', async () => {
		const {file, env} = await setup();
		const login = await runCli(
			['login', 'anthropic', '--method', 'setup-token', '--json'],
			{env, input: `${SETUP_TOKEN}\n`},
		);
		expect(login.code).toBe(0);
		expectNoSecrets(login);
		const result = JSON.parse(login.stdout) as {
			provider: string;
			method: string;
			expires: number;
		};
		expect(result).toMatchObject({
			provider: 'anthropic',
			method: 'setup-token',
		});
		expect(result.expires).toBeGreaterThan(Date.now() + 360 * 24 * HOUR);
		expect(((await fs.stat(file)).mode & 0o777).toString(8)).toBe('600');

		const status = await runCli(['status', '--json'], {env});
		expect(status.code).toBe(0);
		expectNoSecrets(status);
		expect(JSON.parse(status.stdout)).toEqual({
			file,
			providers: [
				{
					id: 'anthropic',
					name: 'Anthropic (Claude Pro/Max)',
					type: 'oauth',
					source: 'file',
					state: 'valid',
					expires: result.expires,
					expiresIn: expect.any(Number) as number,
					managed: true,
					profile: 'default',
					active: true,
				},
			],
		});

		const token = await runCli(['token', 'anthropic'], {env});
		expect(token).toEqual({code: 0, stdout: `${SETUP_TOKEN}\n`, stderr: ''});

		const logout = await runCli(['logout', 'anthropic'], {env});
		expect(logout.code).toBe(0);
		expectNoSecrets(logout);
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({});
		const after = await runCli(['token', 'anthropic'], {env});
		expect(after.code).toBe(1);
		expect(after.stdout).toBe('');
		expect(after.stderr).toMatch(
			/Not signed in to Anthropic.*pi-auth login anthropic/,
		);
	});

	it('validates a setup token and an API key before saving', async () => {
		const {file, env} = await setup();
		const short = await runCli(
			['login', 'anthropic', '--method', 'setup-token'],
			{
				env,
				input: 'sk-ant-oat01-short\n',
			},
		);
		expect(short.code).toBe(1);
		expect(short.stderr).toMatch(/not a setup token.*claude setup-token/s);
		const wrongKey = await runCli(
			['login', 'anthropic', '--method', 'api-key'],
			{
				env,
				input: 'sk-proj-123\n',
			},
		);
		expect(wrongKey.code).toBe(1);
		expect(wrongKey.stderr).toMatch(/should start with sk-ant-api/);
		const empty = await runCli(['login', 'anthropic', '--method', 'api-key'], {
			env,
			input: '',
		});
		expect(empty.code).toBe(1);
		await expect(fs.stat(file)).rejects.toThrow();

		const good = await runCli(['login', 'anthropic', '--method', 'api-key'], {
			env,
			input: `${API_KEY}\r\n`,
		});
		expect(good.code).toBe(0);
		expect(good.stderr).toMatch(/Signed in to Anthropic.*with an API key/);
		expectNoSecrets(good);
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
			anthropic: {type: 'api_key', key: API_KEY},
		});
		expect(await runCli(['token', 'anthropic'], {env})).toEqual({
			code: 0,
			stdout: `${API_KEY}\n`,
			stderr: '',
		});
	});
});

describe('status --check', () => {
	const cases: Array<[string, unknown, number]> = [
		['valid', {anthropic: oauthEntry(HOUR)}, 0],
		['expiring', {anthropic: oauthEntry(2 * 60_000)}, 2],
		['expired', {anthropic: oauthEntry(-60_000)}, 1],
		[
			'needs-login',
			{
				anthropic: oauthEntry(HOUR, {
					needsLogin: {reason: 'invalid_grant', at: 1},
				}),
			},
			1,
		],
		['none stored', {}, 1],
		[
			'expired wins over expiring',
			{anthropic: oauthEntry(-1), 'openai-codex': oauthEntry(60_000)},
			1,
		],
		['an API key', {anthropic: {type: 'api_key', key: API_KEY}}, 0],
	];
	for (const [what, data, code] of cases) {
		it(`exits ${code} for ${what}`, async () => {
			const {env} = await setup(data);
			const result = await runCli(['status', '--check'], {env});
			expect(result.code).toBe(code);
			expectNoSecrets(result);
		});
	}

	it('exits 1 with no file at all', async () => {
		const {env} = await setup();
		expect((await runCli(['status', '--check'], {env})).code).toBe(1);
	});
});

describe('status', () => {
	it('prints a readable snapshot without tokens', async () => {
		const {env, file} = await setup({
			anthropic: oauthEntry(3 * HOUR),
			'openai-codex': oauthEntry(HOUR, {
				needsLogin: {reason: 'refresh_token_reused', at: 1},
			}),
		});
		const result = await runCli(['status'], {
			env: {...env, COPILOT_GITHUB_TOKEN: 'ghu_ENVSECRET'},
		});
		expect(result.code).toBe(0);
		expectNoSecrets(result);
		expect(result.stdout).toContain(`Credentials in ${file}`);
		expect(result.stdout).toMatch(
			/Anthropic \(Claude Pro\/Max\)\s+OAuth · file\s+valid, expires in 2h 59m/,
		);
		expect(result.stdout).toMatch(
			/needs login.*sign in again: pi-auth login openai-codex/,
		);
		expect(result.stdout).toMatch(
			/GitHub Copilot\s+OAuth · env COPILOT_GITHUB_TOKEN\s+valid/,
		);
	});

	it('lists env credentials with source env and expires null', async () => {
		const {env} = await setup();
		const result = await runCli(['status', '--json'], {
			env: {
				...env,
				COPILOT_GITHUB_TOKEN: 'ghu_ENVSECRET',
				ANTHROPIC_API_KEY: API_KEY,
			},
		});
		expectNoSecrets(result);
		const {providers} = JSON.parse(result.stdout) as {providers: object[]};
		expect(providers).toEqual([
			expect.objectContaining({
				id: 'anthropic',
				type: 'api_key',
				source: 'env',
				expires: null,
				expiresIn: null,
			}),
			expect.objectContaining({
				id: 'github-copilot',
				type: 'oauth',
				source: 'env',
				state: 'valid',
			}),
		]);
	});

	it('never writes environment credentials to the file', async () => {
		const {env, file} = await setup({'openai-codex': oauthEntry(HOUR)});
		const before = await fs.readFile(file);
		await runCli(['status'], {env: {...env, ANTHROPIC_API_KEY: API_KEY}});
		await runCli(['logout', '--all'], {
			env: {...env, ANTHROPIC_API_KEY: API_KEY},
		});
		expect(await fs.readFile(file, 'utf8')).not.toContain(API_KEY);
		expect(before.toString()).not.toContain(API_KEY);
	});
});

describe('token', () => {
	it('prints only the token and a newline', async () => {
		const {env} = await setup({anthropic: oauthEntry(HOUR)});
		expect(await runCli(['token', 'anthropic'], {env})).toEqual({
			code: 0,
			stdout: `${ACCESS}\n`,
			stderr: '',
		});
	});

	it('uses an environment credential when nothing is stored, and the stored one first', async () => {
		const {env} = await setup();
		const fromEnv = await runCli(['token', 'anthropic'], {
			env: {...env, ANTHROPIC_API_KEY: API_KEY},
		});
		expect(fromEnv.stdout).toBe(`${API_KEY}\n`);
		const stored = await setup({anthropic: oauthEntry(HOUR)});
		const wins = await runCli(['token', 'anthropic'], {
			env: {...stored.env, ANTHROPIC_API_KEY: API_KEY},
		});
		expect(wins.stdout).toBe(`${ACCESS}\n`);
	});

	it('refuses a needs-login entry with what to do, and no token', async () => {
		const {env} = await setup({
			anthropic: oauthEntry(HOUR, {
				needsLogin: {reason: 'invalid_grant', at: 1},
			}),
		});
		const result = await runCli(['token', 'anthropic'], {env});
		expect(result.code).toBe(1);
		expect(result.stdout).toBe('');
		expect(result.stderr).toMatch(
			/needs a new sign-in.*pi-auth login anthropic/,
		);
		expectNoSecrets(result);
	});

	it('fails clearly for an expiring setup token, which cannot refresh', async () => {
		const {env} = await setup({
			anthropic: {
				type: 'oauth',
				access: SETUP_TOKEN,
				refresh: '',
				expires: Date.now() + 60_000,
			},
		});
		const result = await runCli(['token', 'anthropic'], {env});
		expect(result.code).toBe(1);
		expect(result.stdout).toBe('');
		expect(result.stderr).toMatch(
			/cannot be refreshed.*pi-auth login anthropic/,
		);
		expectNoSecrets(result);
	});

	it('honours --min-validity', async () => {
		const {env} = await setup({
			anthropic: {
				type: 'oauth',
				access: SETUP_TOKEN,
				refresh: '',
				expires: Date.now() + 20 * 60_000,
			},
		});
		expect(
			(await runCli(['token', 'anthropic', '--min-validity', '10m'], {env}))
				.code,
		).toBe(0);
		const stricter = await runCli(
			['token', 'anthropic', '--min-validity', '1h'],
			{env},
		);
		expect(stricter.code).toBe(1);
		const bad = await runCli(['token', 'anthropic', '--min-validity', 'soon'], {
			env,
		});
		expect(bad.code).toBe(2);
		expect(bad.stderr).toMatch(/not a duration/);
	});
});

describe('logout', () => {
	it('removes named entries, keeps the others, and works with dead tokens; --all removes every entry', async () => {
		const {env, file} = await setup({
			anthropic: oauthEntry(-10 * HOUR, {
				needsLogin: {reason: 'invalid_grant', at: 1},
			}),
			'openai-codex': oauthEntry(HOUR),
			'some-provider': {type: 'api_key', key: 'x'},
		});
		const result = await runCli(['logout', 'anthropic'], {env});
		expect(result.code).toBe(0);
		expect(
			Object.keys(JSON.parse(await fs.readFile(file, 'utf8')) as object),
		).toEqual(['openai-codex', 'some-provider']);
		const all = await runCli(['logout', '--all', '--json'], {env});
		expect(JSON.parse(all.stdout)).toMatchObject({
			removed: ['openai-codex', 'some-provider'],
		});
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({});
	});

	it('removes an entry pi-auth cannot sign in to by its id, and refuses an id stored nowhere', async () => {
		const {env, file} = await setup({
			groq: {type: 'api_key', key: 'gsk_GROQSECRET'},
			cerebras: {type: 'api_key', key: 'csk_x'},
		});
		const result = await runCli(['logout', 'groq'], {env});
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/Signed out of groq/);
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
			cerebras: {type: 'api_key', key: 'csk_x'},
		});
		const unknown = await runCli(['logout', 'mistral'], {env});
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toMatch(
			/Unknown provider "mistral". Valid providers: .*; also stored in the credential file: cerebras/,
		);
	});

	it('says which environment variable keeps a credential alive', async () => {
		const {env} = await setup();
		const result = await runCli(['logout', 'github-copilot'], {
			env: {...env, COPILOT_GITHUB_TOKEN: 'ghu_ENVSECRET'},
		});
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/COPILOT_GITHUB_TOKEN; unset it/);
		expectNoSecrets(result);
	});
});

describe('a corrupt credential file', () => {
	const contents: Array<[string, string | Buffer]> = [
		['an array', '[]'],
		['truncated', '{"anthropic": {"type": "oau'],
		['binary junk', Buffer.from([0xff, 0xfe, 0x00, 0x12, 0x80])],
	];
	const commands: string[][] = [
		['status'],
		['status', '--json'],
		['status', '--check'],
		['token', 'anthropic'],
		['refresh'],
		['logout', 'anthropic'],
		['logout', '--all'],
		['login', 'anthropic', '--method', 'api-key'],
	];
	for (const [what, content] of contents) {
		it(`(${what}) makes every command exit 1 naming the file, and is never changed`, async () => {
			const {env, file} = await setup();
			await fs.mkdir(path.dirname(file), {recursive: true});
			await fs.writeFile(file, content);
			const before = await fs.readFile(file);
			for (const args of commands) {
				const result = await runCli(args, {env, input: `${API_KEY}\n`});
				expect(result.code, args.join(' ')).toBe(1);
				expect(result.stderr).toContain(file);
				expect(result.stderr).toMatch(/will not touch it/);
				expect(result.stdout).toBe('');
				expect(await fs.readFile(file)).toEqual(before);
			}
		});
	}
});

describe('usage errors', () => {
	const cases: Array<[string[], RegExp]> = [
		[
			['frobnicate'],
			/Unknown command "frobnicate". Valid commands: login, status, token, refresh, logout/,
		],
		[
			['token', 'gemini'],
			/Unknown provider "gemini". Valid providers: anthropic, openai-codex, github-copilot/,
		],
		[
			['login', 'anthropic', '--method', 'device'],
			/does not support --method device. Valid methods for anthropic: oauth, setup-token, api-key/,
		],
		[
			['login', 'anthropic', '--method', 'magic'],
			/Unknown method "magic". Valid methods: oauth, device, setup-token, api-key/,
		],
		[
			['status', '--frobnicate'],
			/Unknown flag --frobnicate. Valid flags: .*--auth-file.*--no-browser/,
		],
		[
			['login', 'anthropic'],
			/Choose how to sign in to anthropic with --method \(oauth, setup-token, api-key\)/,
		],
		[['login'], /login needs a provider and a method/],
		[['logout'], /Name the providers to sign out of, or --all/],
		[['token'], /No provider given/],
		[
			['status', '--min-validity', '5m'],
			/--min-validity does not apply to status; it is a flag of token/,
		],
		[
			['logout', 'anthropic', '--all'],
			/logout takes provider names or --all, not both/,
		],
		[['token', 'anthropic', '--force'], /--force does not apply to token/],
		[
			['token', 'anthropic', '--no-notify'],
			/--no-notify does not apply to token; it is a flag of status/,
		],
		[
			['refresh', '--profile', 'work'],
			/--profile does not apply to refresh; it is a flag of login/,
		],
		[
			['status', '--line', '--max-age', 'soon'],
			/--max-age "soon" is not a duration/,
		],
		[
			['status', '--check', '--usage-over', 'lots'],
			/--usage-over "lots" is not a percentage/,
		],
		[['help', 'frobnicate'], /No help for "frobnicate": it is not a command/],
	];
	for (const [args, message] of cases) {
		it(`pi-auth ${args.join(' ')} → exit 2`, async () => {
			const {env} = await setup();
			const result = await runCli(args, {env});
			expect(result.code).toBe(2);
			expect(result.stderr).toMatch(message);
			expect(result.stdout).toBe('');
		});
	}

	it('pi-auth with no TTY prints help on stderr and exits 2', async () => {
		const {env} = await setup();
		const result = await runCli([], {env});
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('Usage');
		expect(result.stdout).toBe('');
	});

	it('--help is a map of everything, no secrets; --version prints the version', async () => {
		const {env} = await setup({anthropic: oauthEntry(HOUR)});
		const help = await runCli(['--help'], {
			env: {...env, ANTHROPIC_API_KEY: API_KEY},
		});
		expect(help.code).toBe(0);
		for (const part of [
			'pi-auth token ',
			'Providers and their methods',
			'kimi-coding',
			'PI_CODING_AGENT_DIR',
			'130  the wizard or the panel was interrupted',
			'Run pi-auth help <command>',
		]) {
			expect(help.stdout).toContain(part);
		}

		expectNoSecrets(help);
		expect(await runCli(['help'], {env})).toEqual(help);
		const version = await runCli(['--version'], {env});
		expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
	});

	for (const command of ['login', 'status', 'token', 'refresh', 'logout']) {
		it(`help ${command} and ${command} --help: what it does, its flags, examples, exit codes, within 80 columns`, async () => {
			const {env} = await setup();
			const viaHelp = await runCli(['help', command], {env});
			const viaFlag = await runCli([command, '--help'], {env});
			expect(viaHelp.code).toBe(0);
			expect(viaFlag).toEqual(viaHelp);
			expect(viaHelp.stdout).toMatch(new RegExp(`^Usage: pi-auth ${command}`));
			for (const part of ['Global flags', 'Examples', 'Exit codes']) {
				expect(viaHelp.stdout).toContain(part);
			}

			for (const line of viaHelp.stdout.split('\n')) {
				expect(line.length, line).toBeLessThanOrEqual(80);
			}
		});
	}

	it('the whole help fits in 80 columns', async () => {
		const {env} = await setup();
		const help = await runCli(['--help'], {env});
		for (const line of help.stdout.split('\n')) {
			expect(line.length, line).toBeLessThanOrEqual(80);
		}
	});

	it('a config error exits 2 naming the file and the key', async () => {
		const {env, home} = await setup();
		const config = path.join(home, 'config.json');
		await fs.writeFile(
			config,
			JSON.stringify({
				providers: {
					anthropic: {endpoints: {token: 'http://evil.example.com/token'}},
				},
			}),
		);
		const result = await runCli(['status', '--config', config], {env});
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(config);
		expect(result.stderr).toContain('providers.anthropic.endpoints.token');
	});
});

describe('scripted login never waits forever (docs/contract.md)', () => {
	for (const method of ['api-key', 'setup-token', 'oauth'] as const) {
		it(`gives up on --method ${method} when nothing arrives before the deadline`, async () => {
			const {file, env} = await setup();
			const live = startCli(
				['login', 'anthropic', '--method', method, '--no-browser'],
				{env: {...env, PI_AUTH_LOGIN_TIMEOUT: '1s'}},
			);
			// stdin stays open and silent, as a script that forgot to pipe the secret.
			const result = await live.result;
			expect(result.code).toBe(1);
			expect(result.stderr).toContain(
				'Gave up waiting for the sign-in after 1 second. Run the command again when you are ready.',
			);
			await expect(fs.stat(file)).rejects.toThrow();
		});
	}
});
