/*
Secrets never leak (docs/architecture.md "House style"): every command and failure path runs with recognisable tokens
— every token the fakes issued, every PKCE verifier and OAuth state of the sign-ins, plus this
file's own markers — and no stdout, stderr or file other than the credential file may hold any of
them, or any 7-character piece of one, except `token`'s stdout, which must be exactly the token and
a newline, and a state inside the authorize URL printed for its attempt (helpers/secrets.ts has
the exact rule). The terminal UI has its own suite: secrets-ui.stress.ts.
*/
import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {type Exit, report} from './helpers/processes.js';
import {
	WINDOW,
	fragmentsOf,
	leaksIn,
	leaksInFiles,
	oauthSecrets,
	withoutAuthorizeUrls,
} from './helpers/secrets.js';
import {
	type World,
	anthropicEntry,
	codexEntry,
	copilotEntry,
	makeWorld,
} from './helpers/world.js';

const tail = () => randomBytes(18).toString('base64url');
const MINE = {
	apiKey: `sk-ant-api03-${tail()}`,
	wrongKey: `sk-proj-${tail()}`,
	setupToken: `sk-ant-oat01-${'S'.repeat(60)}${tail()}`,
	shortSetup: `sk-ant-oat01-${tail()}`,
	otherTool: `other-tool-${tail()}`,
	pasteGarbage: `not-a-code ${tail()}`,
	corruptKey: `corrupt-${tail()}`,
};

type Run = {label: string; result: Exit; token?: string};

/** The exit each labelled run must have: a failure path that succeeded would prove nothing. */
const expectedExit = (label: string): number => {
	if (label.startsWith('config error')) return 2;
	if (label.startsWith('status')) return 0;
	return /429|500|502|invalid_grant|needs login|busy lock|wrong prefix|too short|denied|corrupt file/.test(
		label,
	)
		? 1
		: 0;
};

const urlLine = /Open this URL to sign in: (\S+)/;
const codeLine = /Enter code (\S+) at/;

/** A scripted browser sign-in where the user pastes junk, a stale link, then the right one. */
const pastedOAuth = async (
	world: World,
	provider: 'anthropic' | 'openai-codex',
) => {
	const child = world.start(
		['login', provider, '--method', 'oauth', '--no-browser'],
		{
			keepStdin: true,
		},
	);
	const [, url] = await child.waitFor('stderr', urlLine);
	const fake =
		provider === 'anthropic' ? world.sandbox.anthropic : world.sandbox.codex;
	const callback = new URL(await fake.approve(url ?? ''));
	const stale = new URL(callback);
	stale.searchParams.set('state', `stale${tail()}`);
	child.write(`${MINE.pasteGarbage}\n`);
	child.write(`${stale.toString()}\n`);
	child.write(`${callback.toString()}\n`);
	child.end();
	return child.result;
};

const deviceLogin = async (
	world: World,
	provider: 'openai-codex' | 'github-copilot',
	decision: 'approve' | 'deny',
	extra: string[] = [],
) => {
	const child = world.start([
		'login',
		provider,
		'--method',
		'device',
		...extra,
	]);
	const [, code = ''] = await child.waitFor('stderr', codeLine);
	const fake =
		provider === 'openai-codex' ? world.sandbox.codex : world.sandbox.github;
	await (decision === 'approve'
		? fake.approveDevice(code)
		: fake.denyDevice(code));
	return child.result;
};

describe('secrets', () => {
	it('no command or failure path prints or leaves behind a token', async () => {
		const world = await makeWorld();
		// Temp files anyone might write land in the scanned HOME.
		world.env['TMPDIR'] = path.join(world.home, 'tmp');
		await fs.mkdir(world.env['TMPDIR'], {recursive: true});
		const runs: Run[] = [];
		const run = async (
			label: string,
			args: string[],
			more: {input?: string; env?: NodeJS.ProcessEnv} = {},
		) => {
			const result = await world.run(args, more);
			runs.push({label, result});
			return result;
		};

		/** `token`: exactly the stored token (or key) and a newline. */
		const token = async (
			label: string,
			provider: string,
			more: {env?: NodeJS.ProcessEnv} = {},
		) => {
			const result = await world.run(['token', provider], more);
			expect(result.code, `${label}: ${result.stderr}`).toBe(0);
			expect(result.stderr).toBe('');
			const stored = (await world.readAuth())[provider];
			const expected = String(stored?.['key'] ?? stored?.['access'] ?? '');
			if (more.env?.['COPILOT_GITHUB_TOKEN'] === undefined) {
				expect(result.stdout).toBe(`${expected}\n`);
			}

			expect(result.stdout).toMatch(/^\S+\n$/);
			runs.push({label, result, token: result.stdout.trim()});
			return result;
		};

		await world.writeAuth({
			anthropic: anthropicEntry(world),
			'openai-codex': codexEntry(world),
			'github-copilot': copilotEntry(world),
			'some-other-tool': {type: 'api_key', key: MINE.otherTool},
		});

		// Refresh through token, then the plain read path.
		for (const provider of ['anthropic', 'openai-codex', 'github-copilot']) {
			await token(`token ${provider} (refreshes)`, provider);
			await token(`token ${provider} (valid)`, provider);
		}

		await run('status', ['status']);
		await run('status --json', ['status', '--json']);
		await run('status --check', ['status', '--check']);
		await run('status --usage', ['status', '--usage']);
		await run('status --usage --json', ['status', '--usage', '--json']);
		await run('refresh', ['refresh']);
		await run('refresh --force', ['refresh', '--force']);
		await run('refresh --force --json', ['refresh', '--force', '--json']);

		// Provider failures: rate limit, server error, usage refused, then a revoked grant.
		const {anthropic, codex, github} = world.sandbox;
		anthropic.fail('token', {status: 429, retryAfter: '7'});
		await run('refresh anthropic --force: 429', [
			'refresh',
			'anthropic',
			'--force',
		]);
		codex.fail('token', {status: 500});
		await run('refresh openai-codex --force: 500', [
			'refresh',
			'openai-codex',
			'--force',
		]);
		github.fail('copilotToken', {status: 502, html: true});
		await run('refresh github-copilot --force: HTML 502', [
			'refresh',
			'github-copilot',
			'--force',
		]);
		anthropic.fail('usage', {
			status: 401,
			body: {error: {type: 'authentication_error'}},
		});
		codex.fail('usage', {status: 429});
		github.fail('user', {status: 500});
		await run('status --usage: 401, 429, 500', ['status', '--usage', '--json']);
		anthropic.fail('token', {status: 400, error: 'invalid_grant'});
		await run('refresh anthropic --force: invalid_grant', [
			'refresh',
			'anthropic',
			'--force',
		]);
		await run('token anthropic: needs login', ['token', 'anthropic']);
		await run('status after a revoked grant', ['status']);

		// A lock held by another process: busy, for reads that must refresh and for writes.
		const lockDir = `${world.authFile}.lock`;
		await fs.mkdir(lockDir);
		const busyEnv = {PI_AUTH_LOCK_WAIT: '200ms'};
		await run('refresh --force: busy lock', ['refresh', '--force'], {
			env: busyEnv,
		});
		await run(
			'login api-key: busy lock',
			['login', 'anthropic', '--method', 'api-key'],
			{
				env: busyEnv,
				input: `${MINE.apiKey}\n`,
			},
		);
		await run('logout --all: busy lock', ['logout', '--all'], {env: busyEnv});
		await fs.rmdir(lockDir);

		// Scripted logins of every method, good and bad.
		await run(
			'login api-key: wrong prefix',
			['login', 'anthropic', '--method', 'api-key'],
			{
				input: `${MINE.wrongKey}\n`,
			},
		);
		await run(
			'login setup-token: too short',
			['login', 'anthropic', '--method', 'setup-token'],
			{
				input: `${MINE.shortSetup}\n`,
			},
		);
		await run(
			'login setup-token --json',
			['login', 'anthropic', '--method', 'setup-token', '--json'],
			{
				input: `${MINE.setupToken}\n`,
			},
		);
		await token('token anthropic (setup token)', 'anthropic');
		await run('login api-key', ['login', 'anthropic', '--method', 'api-key'], {
			input: `${MINE.apiKey}\r\n`,
		});
		await token('token anthropic (API key)', 'anthropic');
		runs.push({
			label: 'login anthropic oauth: junk, stale, right paste',
			result: await pastedOAuth(world, 'anthropic'),
		});
		runs.push({
			label: 'login openai-codex oauth: junk, stale, right paste',
			result: await pastedOAuth(world, 'openai-codex'),
		});
		runs.push({
			label: 'login openai-codex device',
			result: await deviceLogin(world, 'openai-codex', 'approve'),
		});
		runs.push({
			label: 'login github-copilot device --enterprise',
			result: await deviceLogin(world, 'github-copilot', 'approve', [
				'--enterprise',
				'github.example.com',
				'--json',
			]),
		});
		runs.push({
			label: 'login github-copilot device: denied',
			result: await deviceLogin(world, 'github-copilot', 'deny'),
		});
		for (const provider of ['anthropic', 'openai-codex', 'github-copilot']) {
			await token(`token ${provider} after login`, provider);
		}

		// The environment's GitHub token, exchanged on every call and never written.
		const envGithub = github.issueGithubToken();
		await run('logout github-copilot', ['logout', 'github-copilot']);
		await token(
			'token github-copilot from COPILOT_GITHUB_TOKEN',
			'github-copilot',
			{
				env: {COPILOT_GITHUB_TOKEN: envGithub},
			},
		);
		await run('status with an env token', ['status', '--json'], {
			env: {COPILOT_GITHUB_TOKEN: envGithub},
		});
		await run('logout --all --json', ['logout', '--all', '--json'], {
			env: {COPILOT_GITHUB_TOKEN: envGithub},
		});

		// A config error, then corrupt files that hold secrets.
		const config = await fs.readFile(world.configFile, 'utf8');
		await fs.writeFile(
			world.configFile,
			'{"providers": {"anthropic": {"endpoints": {"token": "http://example.com"}}}}',
		);
		await run('config error', ['token', 'anthropic']);
		await fs.writeFile(world.configFile, config);
		const corrupt: Array<[string, string]> = [
			// Node's JSON.parse quotes the text around the error: here, the end of a key.
			[
				'a key followed by junk',
				`{"some-other-tool": {"keys": ["${MINE.corruptKey}",x]}}`,
			],
			[
				'a token without quotes',
				`{"anthropic": {"access": ${MINE.corruptKey}}}`,
			],
			[
				'cut in the middle of a token',
				`{"anthropic": {"access": "${MINE.corruptKey}`,
			],
			['a bare token', MINE.corruptKey],
		];
		for (const [what, text] of corrupt) {
			await fs.writeFile(world.authFile, text);
			await run(`corrupt file (${what}): token`, ['token', 'anthropic']);
			await run(`corrupt file (${what}): status`, ['status']);
			await run(
				`corrupt file (${what}): login`,
				['login', 'anthropic', '--method', 'api-key'],
				{
					input: `${MINE.apiKey}\n`,
				},
			);
		}

		// Every secret there is, and every piece of one; states apart (they may sit in their URL).
		const {states, verifiers} = oauthSecrets(world);
		expect(states.length, 'authorize pages loaded').toBeGreaterThanOrEqual(2);
		expect(verifiers.length, 'codes exchanged').toBeGreaterThanOrEqual(3);
		const secrets = [...world.secrets(), ...Object.values(MINE), ...verifiers];
		const fragments = fragmentsOf(secrets);
		const stateFragments = fragmentsOf(states);
		const leaks: string[] = [];
		for (const {label, result} of runs) {
			expect(result.code, `${label}\n${result.stderr}`).toBe(
				expectedExit(label),
			);
		}

		// The pasted junk and the stale link were refused, and the sign-in went on.
		for (const {label, result} of runs.filter(({label}) =>
			label.includes('oauth'),
		)) {
			expect(result.stderr, label).toMatch(/contains spaces/);
			expect(result.stderr, label).toMatch(/different sign-in attempt/);
		}

		for (const {label, result, token: printed} of runs) {
			const stdout =
				printed === undefined
					? result.stdout
					: result.stdout.replace(`${printed}\n`, '');
			for (const [stream, text] of [
				['stdout', stdout],
				['stderr', result.stderr],
			] as const) {
				const found = [
					...leaksIn(text, fragments),
					...leaksIn(withoutAuthorizeUrls(text), stateFragments),
				];
				if (found.length > 0) {
					leaks.push(`${label} ${stream}: ${found.join(', ')}\n${text.trim()}`);
				}
			}
		}

		const inFiles = await leaksInFiles(world.home, world.authFile, [
			...fragments,
			...stateFragments,
		]);
		leaks.push(...inFiles.leaks);
		const {scanned} = inFiles;

		expect(leaks, 'secrets or pieces of them where they do not belong').toEqual(
			[],
		);
		const failures = runs.filter(({result}) => result.code !== 0).length;
		report('secrets', {
			'command runs': `${runs.length} (${failures} failing on purpose)`,
			'token runs whose stdout was exactly the token and a newline':
				runs.filter(({token: printed}) => printed !== undefined).length,
			'secrets checked': `${secrets.length + states.length} (${world.secrets().length} issued by the fakes, ${verifiers.length} PKCE verifiers, ${states.length} OAuth states, ${Object.keys(MINE).length} markers), as ${fragments.length + stateFragments.length} ${WINDOW}-character pieces`,
			'files scanned besides the credential file':
				scanned.length === 0 ? 'none' : scanned.join(', '),
			'leaks found': leaks.length,
		});
	});
});
