/*
`pi-auth use` killed with SIGKILL (issue 12, item 4; docs/profiles.md). Two Claude accounts, one
active in the credential file and one in the profile store, and a switch between them killed:

1. at every step, through a runner that stops there holding both locks (fixtures/switch-runner.ts):
   after taking the locks, after the journal, after the credential file, after the commit; and
   between the kill and the next pi-auth command, nothing, the real pi refreshing the entry in
   place (which drops pi-auth's account label, so only the file's inode can tell whether the
   credential file was written), or `pi-auth token` of the profile being switched in;
2. at random moments, the built CLI itself, over and over, switching back and forth.

After every kill the next command must leave: no journal; each account under its own name, exactly
once; no refresh token stored twice; and (part 1) every stored refresh token still accepted by the
fake, as the account it is filed under.
*/
import {statSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {bundleFixture} from '../helpers/bundle.js';
import {projectRoot} from '../helpers/cli.js';
import {piEnv, runPi} from '../helpers/pi.js';
import {report, spawnNode, spread, waitUntil} from './helpers/processes.js';
import {type World, makeWorld} from './helpers/world.js';

const STEPS = ['locked', 'journal', 'credential-file', 'committed'] as const;
const BETWEEN = ['nothing', 'pi refreshes in place', 'pi-auth token'] as const;
const RANDOM_CYCLES = 40;
const HOME_EMAIL = 'me@home.example';
const WORK_EMAIL = 'me@work.example';
const REDIRECT = fileURLToPath(
	new URL('../interop/redirect-fetch.mjs', import.meta.url),
);
const ANTHROPIC_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';

type Entry = Record<string, unknown>;
type Store = {
	active: Record<string, string>;
	profiles: Record<string, Entry>;
	pending?: unknown;
};

const profilesPath = (world: World) =>
	path.join(path.dirname(world.authFile), 'pi-auth', 'profiles.json');

const readStore = async (world: World) =>
	JSON.parse(await fs.readFile(profilesPath(world), 'utf8')) as Store;

/** Two Anthropic accounts: home active in the credential file, work in the profile store. */
const seed = async (world: World, expired: boolean) => {
	const entry = (email: string) => {
		const grant = world.sandbox.anthropic.issueGrant({email});
		return {
			type: 'oauth',
			access: grant.access,
			refresh: grant.refresh,
			expires: expired ? Date.now() - 60_000 : Date.now() + 3_600_000,
			account: email,
		};
	};

	const home = entry(HOME_EMAIL);
	const work = entry(WORK_EMAIL);
	await world.writeAuth({anthropic: home});
	await fs.mkdir(path.dirname(profilesPath(world)), {recursive: true});
	await fs.writeFile(
		profilesPath(world),
		JSON.stringify({
			version: 1,
			active: {anthropic: 'home'},
			profiles: {'anthropic:work': work},
			activeAccounts: {anthropic: {account: HOME_EMAIL}},
		}),
	);
	return {home, work};
};

/** A lock a killed process left is stale after 30 s: backdated, as the crash suite does. */
const ageLocks = async (world: World) => {
	const past = new Date(Date.now() - 31_000);
	for (const lock of [
		`${world.authFile}.lock`,
		`${profilesPath(world)}.lock`,
	]) {
		await fs.utimes(lock, past, past).catch(() => undefined);
	}
};

/** Every credential stored: the credential file's entry as its active profile, then the store's. */
const stored = async (world: World) => {
	const auth = await world.readAuth();
	const store = await readStore(world);
	const named: Array<{name: string; entry: Entry}> = [];
	if (auth['anthropic']) {
		named.push({
			name: store.active['anthropic'] ?? '?',
			entry: auth['anthropic'],
		});
	}

	for (const [key, entry] of Object.entries(store.profiles)) {
		named.push({name: key.split(':')[1] ?? '?', entry});
	}

	return {named, store};
};

/** Spends a refresh token at the fake (only at the end of a case): whose it was, or its error. */
const ownerOf = async (world: World, refresh: unknown) => {
	const response = await fetch(world.sandbox.anthropic.endpoints.token, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({
			grant_type: 'refresh_token',
			client_id: ANTHROPIC_CLIENT_ID,
			refresh_token: refresh,
		}),
	});
	const body = (await response.json()) as {
		account?: {email_address?: string};
		error?: string;
	};
	return response.ok
		? (body.account?.email_address ?? 'no email')
		: `refused: ${body.error ?? response.status}`;
};

/** What must hold after the next command, whatever the kill interrupted. */
const checkWhole = async (world: World) => {
	const {named, store} = await stored(world);
	expect(store.pending, 'the journal is finished').toBeUndefined();
	expect(named.map(item => item.name).sort()).toEqual(['home', 'work']);
	const refreshTokens = named.map(item => item.entry['refresh']);
	expect(new Set(refreshTokens).size, 'one copy of each refresh token').toBe(2);
	return {named, active: store.active['anthropic']};
};

/** The same, as a list of what is wrong (so a run shows every case that fails, not the first). */
const problemsAfter = async (
	world: World,
	expectedActive: string,
): Promise<{problems: string[]; active?: string; count: number}> => {
	const {named, store} = await stored(world);
	const problems: string[] = [];
	if (store.pending) problems.push('a journal is left');
	const names = named.map(item => item.name).sort();
	if (names.join() !== 'home,work') {
		problems.push(
			`stored as ${JSON.stringify(names)}, not home and work once each`,
		);
	}

	const refreshTokens = named.map(item => item.entry['refresh']);
	if (new Set(refreshTokens).size !== refreshTokens.length) {
		problems.push('a refresh token is stored twice');
	}

	const active = store.active['anthropic'];
	if (active !== expectedActive) {
		problems.push(`active ${active ?? 'none'}, expected ${expectedActive}`);
	}

	// Every credential still works, as the account it is filed under (spends the tokens: last).
	for (const {name, entry} of named) {
		const owner = await ownerOf(world, entry['refresh']);
		const expected = name === 'home' ? HOME_EMAIL : WORK_EMAIL;
		if (owner !== expected) {
			problems.push(
				`${name} holds a credential that is ${owner === HOME_EMAIL || owner === WORK_EMAIL ? owner + "'s" : owner}`,
			);
		}
	}

	return {problems, count: named.length, ...(active ? {active} : {})};
};

describe('profile switch crash safety', () => {
	it(
		'kill -9 at every step of use, with pi or pi-auth in between',
		{timeout: 600_000},
		async () => {
			const script = await bundleFixture(
				'test/stress/fixtures/switch-runner.ts',
			);
			const rows: string[] = [];
			const failures: string[] = [];
			for (const step of STEPS) {
				for (const between of BETWEEN) {
					const world = await makeWorld();
					const env = {
						...world.env,
						NODE_PATH: path.join(projectRoot, 'node_modules'),
					};
					const piRefreshes = between === 'pi refreshes in place';
					const seeded = await seed(world, piRefreshes);
					const runner = spawnNode(
						[script, world.authFile, 'anthropic', 'work', step],
						{env},
					);
					await runner.waitFor(
						'stdout',
						new RegExp(`^at ${step}$`, 'm'),
						20_000,
					);
					await runner.kill();
					const inodeAtKill = (await fs.stat(world.authFile)).ino;
					await ageLocks(world);

					let note = '';
					if (piRefreshes) {
						const pi = await runPi(
							[
								'auth',
								'print-bearer-token',
								'--provider',
								'anthropic',
								'--min-expiry',
								'5m',
							],
							{
								env: piEnv(world.home, {
									PI_AUTH_TEST_REDIRECTS: JSON.stringify({
										'https://platform.claude.com/v1/oauth/token':
											world.sandbox.anthropic.endpoints.token,
									}),
								}),
								preload: [REDIRECT],
								timeoutMs: 60_000,
							},
						);
						expect(pi.code, pi.stderr).toBe(0);
						const after = (await world.readAuth())['anthropic'];
						// pi wrote in place and dropped pi-auth's label: only the inode can tell.
						expect((await fs.stat(world.authFile)).ino).toBe(inodeAtKill);
						expect(after?.['account']).toBeUndefined();
						note = 'pi refreshed the entry in place';
					} else if (between === 'pi-auth token') {
						const token = await world.run(['token', 'anthropic:work']);
						expect(token.code, token.stderr).toBe(0);
						// Work's own token, whether the switch was finished first or not.
						if (token.stdout !== `${String(seeded.work.access)}\n`) {
							failures.push(
								`${step} / ${between}: token anthropic:work printed another token`,
							);
						}

						note = `token anthropic:work: ${token.stderr.trim() || 'quiet'}`;
					}

					const next = await world.run(['profiles', '--json']);
					expect(next.code, next.stderr).toBe(0);
					const {problems, active, count} = await problemsAfter(
						world,
						step === 'locked' ? 'home' : 'work',
					);
					failures.push(
						...problems.map(problem => `${step} / ${between}: ${problem}`),
					);
					rows.push(
						`killed after "${step}", then ${between}: active ${active ?? 'none'}; ${count} credentials${problems.length === 0 ? ', each accepted as its own account' : `: ${problems.join('; ')}`}${note ? ` (${note})` : ''}${next.stderr.includes('Finished switching') ? '; the next command finished the switch' : ''}`,
					);
				}
			}

			report(
				`profile switch: kill -9 at every step of use (${rows.length} cases)`,
				rows,
			);
			expect(failures).toEqual([]);
		},
	);

	it(
		`kill -9 of the built CLI's use at random moments, ${RANDOM_CYCLES} times`,
		{timeout: 600_000},
		async () => {
			const world = await makeWorld();
			const {home, work} = await seed(world, false);
			const owner = new Map([
				[home.refresh, 'home'],
				[work.refresh, 'work'],
			]);
			const counts = {
				kills: 0,
				'kills that left a journal (finished by the next command)': 0,
				'kills before anything was written': 0,
				'kills after the switch was complete': 0,
				'switches that completed before the kill': 0,
			};
			const lockDir = `${world.authFile}.lock`;
			const lockId = () => {
				try {
					return statSync(lockDir).ino;
				} catch {
					return undefined;
				}
			};

			/**
			Starts a switch and resolves once it holds the credential file's lock (a new lock folder: a
			killed switch's stale one stays until the next one takes it over).
			*/
			const startLocked = async (target: string) => {
				const stale = lockId();
				const child = world.start(['use', `anthropic:${target}`]);
				await waitUntil(
					'the lock',
					() => {
						const id = lockId();
						return (id !== undefined && id !== stale) || child.exited;
					},
					10_000,
				);
				return {child, lockedAt: performance.now()};
			};

			// How long a switch holds the lock here, so the kills land across that time.
			const held: number[] = [];
			let wanted = 'work';
			for (let run = 0; run < 3; run++) {
				const {child, lockedAt} = await startLocked(wanted);
				const exit = await child.result;
				expect(exit.code, exit.stderr).toBe(0);
				held.push(performance.now() - lockedAt);
				wanted = wanted === 'work' ? 'home' : 'work';
			}

			const span = [...held].sort((a, b) => a - b)[1] ?? 20;
			for (let cycle = 0; cycle < RANDOM_CYCLES; cycle++) {
				const before = (await readStore(world)).active['anthropic'];
				const {child} = await startLocked(wanted);
				await new Promise(resolve => {
					setTimeout(resolve, Math.random() * span * 0.8);
				});
				const exited = child.exited;
				await child.kill();
				if (exited) counts['switches that completed before the kill']++;
				else counts.kills++;
				await ageLocks(world);
				const next = await world.run(['profiles', '--json']);
				expect(next.code, next.stderr).toBe(0);
				const {named, active} = await checkWhole(world);
				// Nothing refreshed in this loop: each name still holds its own account's tokens.
				for (const {name, entry} of named) {
					expect(owner.get(String(entry['refresh'])), `cycle ${cycle}`).toBe(
						name,
					);
				}

				if (!exited) {
					const key = next.stderr.includes('Finished switching')
						? 'kills that left a journal (finished by the next command)'
						: active === before
							? 'kills before anything was written'
							: 'kills after the switch was complete';
					counts[key]++;
				}

				wanted = active === 'work' ? 'home' : 'work';
			}

			report(`profile switch: ${RANDOM_CYCLES} random kills of pi-auth use`, {
				...counts,
				'each time':
					'no journal left, both accounts under their own names, no refresh token twice',
				'lock held by a whole switch': spread(held.map(Math.round)),
			});
		},
	);
});
