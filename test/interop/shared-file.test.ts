/*
pi and pi-auth on one credential file at the same moment:
- a refresh race on one expired single-use refresh token between processes of the real pi
  (`pi auth print-bearer-token`, its token endpoint redirected to the Codex fake by
  redirect-fetch.mjs) and of `pi-auth token`: one upstream refresh, every process prints the same
  new token, nobody is logged out — with auth.json a symlink too (pi and pi-auth lock its real path);
- a torn-read storm: pi's own storage rewriting the file in place while pi-auth reads it: never
  "corrupt", because a read that does not parse is retried under pi's lock.
*/
import {type ChildProcess, spawn} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {readAuthFile} from '../../source/credentials/auth-file.js';
import {startFakeCodex} from '../../source/sandbox/fake-codex.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {piEnv, piNode, piRoot, runPi} from '../helpers/pi.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const REDIRECT = fileURLToPath(new URL('redirect-fetch.mjs', import.meta.url));
const PI_PROCESSES = 4;
const OUR_PROCESSES = 4;
const ROUNDS = 3;

const opened: Array<{close: () => Promise<void>}> = [];
const children: ChildProcess[] = [];
afterEach(async () => {
	for (const child of children.splice(0)) child.kill('SIGKILL');
	await Promise.all(opened.splice(0).map(async item => item.close()));
});

const world = async (options: {symlink: boolean}) => {
	const codex = await startFakeCodex({accessTtlSeconds: 2 * 3600});
	opened.push(codex);
	const home = await makeTempDir();
	const agent = path.join(home, '.pi', 'agent');
	await fs.mkdir(agent, {recursive: true, mode: 0o700});
	const file = path.join(agent, 'auth.json');
	let real = file;
	if (options.symlink) {
		// A dotfiles setup: auth.json links to a file kept elsewhere.
		real = path.join(home, 'dotfiles', 'pi-auth.json');
		await fs.mkdir(path.dirname(real), {recursive: true});
		await fs.writeFile(real, '{}');
		await fs.symlink(real, file);
	}

	const config = path.join(home, 'pi-auth.json');
	await fs.writeFile(
		config,
		JSON.stringify({
			providers: {'openai-codex': {endpoints: {token: codex.endpoints.token}}},
		}),
	);
	return {codex, home, file, real, config};
};

type World = Awaited<ReturnType<typeof world>>;

const expireCodex = async ({codex, real}: World) => {
	const grant = codex.issueGrant({accountId: 'acct-race'});
	// A file pi accepts: every entry is one of pi's two shapes.
	await fs.writeFile(
		real,
		JSON.stringify({
			'openai-codex': {
				type: 'oauth',
				access: grant.access,
				refresh: grant.refresh,
				expires: Date.now() - 60_000,
				accountId: grant.accountId,
			},
			groq: {type: 'api_key', key: 'gsk_untouched'},
		}),
	);
};

const race = async (w: World) => {
	const pi = Array.from({length: PI_PROCESSES}, async () =>
		runPi(
			[
				'auth',
				'print-bearer-token',
				'--provider',
				'openai-codex',
				'--min-expiry',
				'5m',
			],
			{
				env: piEnv(w.home, {
					PI_AUTH_TEST_REDIRECTS: JSON.stringify({
						'https://auth.openai.com/oauth/token': w.codex.endpoints.token,
					}),
				}),
				preload: [REDIRECT],
				timeoutMs: 60_000,
			},
		),
	);
	const ours = Array.from({length: OUR_PROCESSES}, async () =>
		runCli(['token', 'openai-codex', '--config', w.config], {
			env: cleanEnv(w.home),
			timeoutMs: 60_000,
		}),
	);
	return Promise.all([...pi, ...ours]);
};

describe('pi and pi-auth share one file', () => {
	for (const symlink of [false, true]) {
		it(
			`make one refresh of a single-use token between them${symlink ? ' (auth.json a symlink)' : ''}`,
			{timeout: 240_000},
			async () => {
				const w = await world({symlink});
				for (let round = 1; round <= ROUNDS; round++) {
					await expireCodex(w);
					const before = w.codex.count('token');
					const results = await race(w);
					const failed = results.filter(result => result.code !== 0);
					expect(failed, `round ${round}: ${JSON.stringify(failed)}`).toEqual(
						[],
					);
					expect(w.codex.count('token') - before, `round ${round}`).toBe(1);
					const tokens = new Set(results.map(result => result.stdout));
					expect(tokens.size, `round ${round}`).toBe(1);
					const entry = (await readAuthFile(w.file))['openai-codex'] as Record<
						string,
						unknown
					>;
					expect(`${String(entry['access'])}\n`).toBe([...tokens][0]);
					expect(entry).not.toHaveProperty('needsLogin');
					expect((await readAuthFile(w.file))['groq']).toEqual({
						type: 'api_key',
						key: 'gsk_untouched',
					});
				}

				if (symlink) {
					expect((await fs.lstat(w.file)).isSymbolicLink()).toBe(true);
					// No temp file or second auth.json beside the link; the target was replaced in place.
					const beside = await fs.readdir(path.dirname(w.file));
					expect(beside.filter(name => name.includes('auth.json'))).toEqual([
						'auth.json',
					]);
					expect(await fs.readdir(path.dirname(w.real))).toEqual([
						path.basename(w.real),
					]);
				}
			},
		);
	}

	it(
		'never calls the file corrupt while pi rewrites it in place',
		{timeout: 120_000},
		async () => {
			const w = await world({symlink: false});
			const token = `sk-ant-oat01-${'T'.repeat(80)}`;
			// Large enough that pi's in-place write (truncate, then write) is caught half done.
			await fs.writeFile(
				w.file,
				JSON.stringify({
					anthropic: {
						type: 'oauth',
						access: token,
						refresh: '',
						expires: Date.now() + 3_600_000,
					},
					pad: {type: 'api_key', key: 'p'.repeat(300_000)},
				}),
			);
			/*
			pi keeps rewriting until the readers below have done enough (a file tells it), so the
			overlap is counted, not timed: on a busy machine 150 writes once ended after 69 reads.
			Bounded all the same: 3,000 writes at most.
			*/
			const stopFile = path.join(w.home, 'stop');
			const script = path.join(w.home, 'writer.mjs');
			await fs.writeFile(
				script,
				`import {existsSync} from 'node:fs';
const {AuthStorage} = await import(${JSON.stringify(`${piRoot}/dist/core/auth-storage.js`)});
const storage = AuthStorage.create();
let index = 0;
for (; index < 3000 && !existsSync(${JSON.stringify(stopFile)}); index++) {
	await storage.modify('pad', () => ({type: 'api_key', key: String(index % 10).repeat(300000)}));
}
console.log(index);`,
			);
			const writer = spawn(piNode(), [script], {env: piEnv(w.home)});
			children.push(writer);
			let writes = '';
			writer.stdout.setEncoding('utf8').on('data', (chunk: string) => {
				writes += chunk;
			});
			let writing = true;
			const finished = new Promise<number | null>(resolve => {
				writer.on('close', code => {
					writing = false;
					resolve(code);
				});
			});

			// In-process reads, thousands of them, through the same lock-free read path as every command.
			let reads = 0;
			const problems: string[] = [];
			const cliRuns: Array<Awaited<ReturnType<typeof runCli>>> = [];
			let stopped = false;
			const stopWhenEnough = async () => {
				if (stopped || reads < 300 || cliRuns.length < 3) return;
				stopped = true;
				await fs.writeFile(stopFile, '');
			};

			const readLoop = (async () => {
				while (writing && reads < 20_000) {
					reads++;
					// Reads are synchronous underneath: yield, or the writer's exit is never seen.
					await new Promise(resolve => {
						setImmediate(resolve);
					});
					try {
						const data = await readAuthFile(w.file);
						if (!data['anthropic']) problems.push('entry missing');
					} catch (error) {
						problems.push((error as Error).message);
					}

					await stopWhenEnough();
				}
			})();
			// And the built CLI, as a status bar would run it.
			const cliLoop = (async () => {
				while (writing && cliRuns.length < 200) {
					cliRuns.push(
						await runCli(['token', 'anthropic'], {env: cleanEnv(w.home)}),
					);
					await stopWhenEnough();
				}
			})();
			expect(await finished).toBe(0);
			await Promise.all([readLoop, cliLoop]);
			console.log(
				`torn-read storm: ${writes.trim()} writes by pi, ${reads} reads, ${cliRuns.length} pi-auth token runs`,
			);
			expect(reads).toBeGreaterThan(100);
			expect(problems.slice(0, 3)).toEqual([]);
			expect(cliRuns.length).toBeGreaterThan(0);
			for (const result of cliRuns) {
				expect(result).toEqual({code: 0, stdout: `${token}\n`, stderr: ''});
			}
		},
	);
});
