import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp-dir.js';

/*
The credential file is pi's auth.json (docs/pi-compat.md): its place, pi's migration from
oauth.json, every entry pi writes (API keys of providers pi-auth cannot sign in to, in all three
forms), and secrets on stdin of any form but bounded size.
*/

const SETUP_TOKEN = `sk-ant-oat01-${'S'.repeat(70)}SETUPSECRET`;

const agent = async () => {
	const home = await makeTempDir();
	const folder = path.join(home, '.pi', 'agent');
	await fs.mkdir(folder, {recursive: true});
	return {
		home,
		folder,
		file: path.join(folder, 'auth.json'),
		env: cleanEnv(home),
	};
};

type Entry = Record<string, unknown>;
const entriesOf = (stdout: string) =>
	(JSON.parse(stdout) as {providers: Entry[]}).providers;

describe("pi's auth.json", () => {
	it('is the default file, in PI_CODING_AGENT_DIR when set (~ expanded as pi does)', async () => {
		const {home, file, env} = await agent();
		const login = await runCli(
			['login', 'anthropic', '--method', 'setup-token'],
			{env, input: `${SETUP_TOKEN}\n`},
		);
		expect(login.code).toBe(0);
		expect(login.stderr).toContain(`Saved to ${file}.`);
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({
			anthropic: {type: 'oauth', access: SETUP_TOKEN, refresh: ''},
		});

		const elsewhere = {...env, PI_CODING_AGENT_DIR: '~/other-agent'};
		const status = await runCli(['status', '--json'], {env: elsewhere});
		expect(JSON.parse(status.stdout)).toEqual({
			file: path.join(home, 'other-agent', 'auth.json'),
			providers: [],
		});
	});

	it('migrates oauth.json as pi does, says so once, and never writes oauth.json again', async () => {
		const {folder, file, env} = await agent();
		const old = {
			anthropic: {
				access: SETUP_TOKEN,
				refresh: '',
				expires: Date.now() + 3_600_000,
			},
		};
		await fs.writeFile(path.join(folder, 'oauth.json'), JSON.stringify(old));
		const first = await runCli(['status', '--json'], {env});
		expect(first.code).toBe(0);
		expect(first.stderr).toMatch(
			/^Moved anthropic from oauth.json into .*auth.json, as pi does \(oauth.json is kept as oauth.json.migrated\)\.\n$/,
		);
		expect(entriesOf(first.stdout)).toMatchObject([
			{id: 'anthropic', state: 'valid'},
		]);
		const second = await runCli(['token', 'anthropic'], {env});
		expect(second).toEqual({code: 0, stdout: `${SETUP_TOKEN}\n`, stderr: ''});
		await runCli(['logout', 'anthropic'], {env});
		expect((await fs.readdir(folder)).sort()).toEqual([
			'auth.json',
			'oauth.json.migrated',
		]);
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({});
	});

	it('warns once when other users can write the folder, and still works', async () => {
		const {folder, env} = await agent();
		await fs.chmod(folder, 0o777);
		const result = await runCli(['status', '--json'], {env});
		expect(result.code).toBe(0);
		expect(result.stderr).toBe(
			`Warning: the folder ${folder} can be written by other users, who could replace the credential file. Run: chmod go-w ${folder}\n`,
		);
		await fs.chmod(folder, 0o700);
		expect((await runCli(['status', '--json'], {env})).stderr).toBe('');
	});

	it('migrates nothing into a file chosen with --auth-file', async () => {
		const {folder, env} = await agent();
		await fs.writeFile(path.join(folder, 'oauth.json'), '{"anthropic": {}}');
		const chosen = path.join(folder, 'mine.json');
		const result = await runCli(['status', '--json', '--auth-file', chosen], {
			env,
		});
		expect(result.stderr).toBe('');
		expect((await fs.readdir(folder)).sort()).toEqual(['oauth.json']);
	});
});

describe('entries of providers pi-auth cannot sign in to', () => {
	const withKeys = async () => {
		const setup = await agent();
		const marker = path.join(setup.home, 'command-ran');
		await fs.writeFile(
			setup.file,
			JSON.stringify({
				groq: {type: 'api_key', key: 'gsk_LITERALSECRET'},
				cerebras: {
					type: 'api_key',
					key: `!touch ${marker}; printf 'csk_%s' FROMCOMMAND`,
				},
				mistral: {
					type: 'api_key',
					key: 'mk-${MISTRAL_PART}',
					env: {MISTRAL_PART: 'FROMMAP'},
				},
				'google-gemini-cli': {
					type: 'oauth',
					access: 'ya29.OLDACCESS',
					refresh: '1//REFRESH',
					expires: Date.now() - 60_000,
				},
			}),
		);
		return {...setup, marker};
	};

	it('are listed by status as unmanaged, with the key kind, and no command is run', async () => {
		const {env, marker} = await withKeys();
		const result = await runCli(['status', '--json'], {env});
		expect(result.code).toBe(0);
		expect(
			entriesOf(result.stdout).map(entry => [
				entry['id'],
				entry['type'],
				entry['state'],
				entry['managed'],
				entry['keyKind'],
			]),
		).toEqual([
			['groq', 'api_key', 'valid', false, 'literal'],
			['cerebras', 'api_key', 'valid', false, 'command'],
			['mistral', 'api_key', 'valid', false, 'env-template'],
			['google-gemini-cli', 'oauth', 'expired', false, undefined],
		]);
		const text = await runCli(['status'], {env});
		expect(text.stdout).toMatch(/cerebras\s+API key \(from a command\)/);
		expect(text.stdout).toMatch(
			/google-gemini-cli .*expired.*pi-auth cannot sign in to google-gemini-cli: pi auth login google-gemini-cli/,
		);
		for (const output of [result.stdout, text.stdout]) {
			expect(output).not.toMatch(/LITERALSECRET|FROMCOMMAND|FROMMAP/);
		}

		await expect(fs.stat(marker)).rejects.toThrow();
	});

	it('give `token` the key pi would use: literal, command output, template', async () => {
		const {env} = await withKeys();
		expect((await runCli(['token', 'groq'], {env})).stdout).toBe(
			'gsk_LITERALSECRET\n',
		);
		expect((await runCli(['token', 'cerebras'], {env})).stdout).toBe(
			'csk_FROMCOMMAND\n',
		);
		expect((await runCli(['token', 'mistral'], {env})).stdout).toBe(
			'mk-FROMMAP\n',
		);
		const expired = await runCli(['token', 'google-gemini-cli'], {env});
		expect(expired.code).toBe(1);
		expect(expired.stdout).toBe('');
		expect(expired.stderr).toMatch(
			/has expired, and pi-auth cannot refresh google-gemini-cli/,
		);
		expect(expired.stderr).not.toMatch(/OLDACCESS|REFRESH/);
	});
});

describe('API keys on stdin', () => {
	it("takes pi's !command and $VARIABLE forms as written", async () => {
		const {file, env} = await agent();
		const command = await runCli(
			['login', 'anthropic', '--method', 'api-key'],
			{
				env,
				input: '!op read op://Private/anthropic/key\n',
			},
		);
		expect(command.code).toBe(0);
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
			anthropic: {type: 'api_key', key: '!op read op://Private/anthropic/key'},
		});
		const template = await runCli(
			['login', 'anthropic', '--method', 'api-key'],
			{env, input: '$ANTHROPIC_WORK_KEY\n'},
		);
		expect(template.code).toBe(0);
		const status = await runCli(['status', '--json'], {env});
		expect(entriesOf(status.stdout)[0]).toMatchObject({
			keyKind: 'env-template',
		});
		const token = await runCli(['token', 'anthropic'], {
			env: {...env, ANTHROPIC_WORK_KEY: 'sk-ant-api03-WORK'},
		});
		expect(token.stdout).toBe('sk-ant-api03-WORK\n');
	});

	it('refuses a line longer than any key without holding it, and writes nothing', async () => {
		const {file, env} = await agent();
		const huge = `sk-ant-api03-${'x'.repeat(8 * 1024 * 1024)}\n`;
		const result = await runCli(['login', 'anthropic', '--method', 'api-key'], {
			env,
			input: huge,
		});
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/longer than 16 KiB/);
		await expect(fs.stat(file)).rejects.toThrow();
	});

	it('names the method and provider when stdin holds only whitespace', async () => {
		const {env} = await agent();
		const result = await runCli(['login', 'anthropic', '--method', 'api-key'], {
			env,
			input: '   \n',
		});
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(
			/No API key was given.*pi-auth login anthropic --method api-key < key.txt/,
		);
		expect(result.stderr).not.toMatch(/setup-token/);
	});
});

describe('messages that name what is wrong', () => {
	it('an entry that is not a credential is called so, never a rejected refresh token', async () => {
		const {file, env} = await agent();
		await fs.writeFile(
			file,
			JSON.stringify({anthropic: 42, xai: {type: 'oauth', expires: 1}}),
		);
		const status = await runCli(['status'], {env});
		expect(status.stdout).toMatch(
			/Anthropic .*unreadable entry .*not a credential \(it is a number, not an object\); run: pi-auth login anthropic/,
		);
		expect(status.stdout).not.toMatch(/OAuth/);
		const token = await runCli(['token', 'anthropic'], {env});
		expect(token.code).toBe(1);
		expect(token.stderr).toBe(
			`The anthropic entry in ${file} is not a credential (it is a number, not an object). Sign in again to replace it: pi-auth login anthropic\n`,
		);
		const xai = await runCli(['token', 'xai'], {env});
		expect(xai.stderr).toMatch(/its "access" token is missing/);
		expect(xai.stderr).not.toMatch(/refresh token was rejected/);
	});

	it('a folder that cannot hold the file is reported at once, not as a busy lock', async () => {
		const {env} = await agent();
		const result = await runCli(
			[
				'login',
				'anthropic',
				'--method',
				'api-key',
				'--auth-file',
				'/proc/auth.json',
			],
			// Longer than the test's own timeout: a lock wait would fail the test.
			{env: {...env, PI_AUTH_LOCK_WAIT: '60s'}, input: 'sk-ant-api03-X\n'},
		);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(
			/Could not lock the credential file \/proc\/auth.json \(ENOENT: \/proc\/auth.json.lock cannot be created\)/,
		);
		expect(result.stderr).not.toMatch(/locked by another process/);
	});
});
