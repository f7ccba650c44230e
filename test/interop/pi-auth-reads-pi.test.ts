/*
What the real pi writes, pi-auth reads: pi's own `auth login <id> --api-key` (typed into pi's prompt
in a pseudo-terminal, as pi requires one), `!command` keys, and an OAuth entry written through pi's
own storage code (AuthStorage.modify, the path pi's logins and refreshes take).
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import pty from '@lydell/node-pty';
import {describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {piCli, piEnv, piNode, piRoot, runPi} from '../helpers/pi.js';
import {makeTempDir} from '../helpers/temp-dir.js';

/** Types `key` into pi's "Enter … API key:" prompt and waits for pi to save it. */
const piLoginWithKey = async (home: string, provider: string, key: string) =>
	new Promise<string>((resolve, reject) => {
		const child = pty.spawn(
			piNode(),
			[piCli, 'auth', 'login', provider, '--api-key'],
			{name: 'xterm-256color', cols: 120, rows: 20, env: piEnv(home)},
		);
		let screen = '';
		let typed = false;
		const timer = setTimeout(() => {
			child.kill();
			reject(new Error(`pi auth login ${provider} did not finish:\n${screen}`));
		}, 30_000);
		child.onData(data => {
			screen += data;
			if (!typed && /API key:/.test(screen)) {
				typed = true;
				child.write(`${key}\r`);
			}
		});
		child.onExit(() => {
			clearTimeout(timer);
			resolve(screen);
		});
	});

/** Runs a script on pi's Node with pi's own modules (the file is pi's default, under HOME). */
const piScript = async (home: string, source: string) => {
	const directory = await makeTempDir();
	const script = path.join(directory, 'script.mjs');
	await fs.writeFile(script, source);
	const {spawnSync} = await import('node:child_process');
	const result = spawnSync(piNode(), [script], {
		env: {...piEnv(home), PI_ROOT: piRoot},
		encoding: 'utf8',
		timeout: 30_000,
	});
	expect(result.status, result.stderr).toBe(0);
};

const agent = async () => {
	const home = await makeTempDir();
	return {
		home,
		file: path.join(home, '.pi', 'agent', 'auth.json'),
		env: cleanEnv(home),
	};
};

describe('pi-auth reads what pi writes', () => {
	it("pi's own API-key logins, a literal key and a !command", async () => {
		const {home, env} = await agent();
		const marker = path.join(home, 'ran');
		await piLoginWithKey(home, 'groq', 'gsk_TYPEDINTOPI');
		await piLoginWithKey(
			home,
			'cerebras',
			`!touch ${marker}; printf csk_FROMPICOMMAND`,
		);
		// pi itself may run the command while it saves it; what counts is pi-auth's status.
		await fs.rm(marker, {force: true});
		const status = await runCli(['status', '--json'], {env});
		expect(status.code, status.stderr).toBe(0);
		expect(
			(JSON.parse(status.stdout) as {providers: unknown[]}).providers,
		).toEqual([
			expect.objectContaining({
				id: 'groq',
				type: 'api_key',
				managed: false,
				keyKind: 'literal',
			}),
			expect.objectContaining({
				id: 'cerebras',
				type: 'api_key',
				managed: false,
				keyKind: 'command',
			}),
		]);
		// status runs no command (pi resolves every command key whenever it loads the file, so this
		// is checked before pi is asked for anything more).
		await expect(fs.stat(marker)).rejects.toThrow();
		for (const [provider, key] of [
			['groq', 'gsk_TYPEDINTOPI'],
			['cerebras', 'csk_FROMPICOMMAND'],
		] as const) {
			const ours = await runCli(['token', provider], {env});
			const theirs = await runPi(
				['auth', 'print-api-key', '--provider', provider],
				{env: piEnv(home)},
			);
			expect(ours.stdout).toBe(`${key}\n`);
			expect(theirs.stdout).toBe(ours.stdout);
		}
	});

	it("an OAuth entry written through pi's own storage", async () => {
		const {home, file, env} = await agent();
		const expires = Date.now() + 3_600_000;
		await piScript(
			home,
			`const {AuthStorage} = await import(process.env.PI_ROOT + '/dist/core/auth-storage.js');
const storage = AuthStorage.create();
await storage.modify('openai-codex', () => ({type: 'oauth', access: 'eyJ.PIACCESS.sig', refresh: 'rt_PIREFRESH', expires: ${expires}, accountId: 'acct-pi'}));
await storage.modify('xai', () => ({type: 'oauth', access: 'xai-PIACCESS', refresh: 'xai-PIREFRESH', expires: ${expires}}));`,
		);
		// pi's layout: no trailing newline, written in place.
		expect((await fs.readFile(file, 'utf8')).endsWith('}')).toBe(true);
		const status = await runCli(['status', '--json'], {env});
		expect(
			(JSON.parse(status.stdout) as {providers: unknown[]}).providers,
		).toEqual(
			expect.arrayContaining([
				expect.objectContaining({
					id: 'openai-codex',
					state: 'valid',
					expires,
				}),
				expect.objectContaining({id: 'xai', type: 'oauth', state: 'valid'}),
			]),
		);
		expect(await runCli(['token', 'openai-codex'], {env})).toMatchObject({
			code: 0,
			stdout: 'eyJ.PIACCESS.sig\n',
		});
	});
});
