/*
Crash safety: writers saving through the real store are killed with SIGKILL at random moments,
over and over. After every kill the file must parse and hold, for each writer, the last save it
confirmed or the one it was in the middle of (never a torn or mixed entry); temp files of killed
writers must be gone after the next write; and a lock a killed writer left behind must make
commands say "busy" (not "not signed in") until it is stale, then be taken over.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseAuthData} from '../../source/credentials/auth-file.js';
import {bundleFixture} from '../helpers/bundle.js';
import {projectRoot} from '../helpers/cli.js';
import {crashEntry} from './fixtures/crash-entry.js';
import {
	type Child,
	report,
	spawnNode,
	spread,
	waitUntil,
} from './helpers/processes.js';
import {type World, codexEntry, makeWorld} from './helpers/world.js';

const CYCLES = 60;
const WRITERS = ['writer-a', 'writer-b'];
// Commands run against an orphaned lock (each costs the lock wait); later orphans are only
// backdated and left to the next writers to take over.
const BUSY_CHECKS = 4;
const LOCK_WAIT = '300ms';

const OTHER_TOOL = {type: 'oauth', access: 'other', odd: [1, {two: 2}], e: 1};

/** mulberry32: a seeded generator, so a failing run can be replayed with STRESS_SEED. */
const random = (seed: number) => {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
};

const acks = (child: Child): number[] =>
	[...child.stdout.matchAll(/^ok (\d+)$/gm)].map(match => Number(match[1]));

const tempFiles = async (world: World) =>
	(await fs.readdir(path.dirname(world.authFile))).filter(
		name => name.startsWith('.auth.json.') && name.endsWith('.tmp'),
	);

const pidOfTemp = (name: string) =>
	Number(/\.(\d+)\.[\da-f]+\.tmp$/.exec(name)?.[1]);

const exists = async (file: string) =>
	fs.stat(file).then(
		() => true,
		() => false,
	);

/** Commands that need the lock while a dead process holds it: busy, never "not signed in". */
const expectBusy = async (world: World) => {
	const before = await world.rawAuth();
	const env = {PI_AUTH_LOCK_WAIT: LOCK_WAIT};
	const busy = [
		await world.run(['token', 'openai-codex'], {env}),
		await world.run(['login', 'anthropic', '--method', 'api-key'], {
			env,
			input: `sk-ant-api03-${'B'.repeat(30)}\n`,
		}),
		await world.run(['logout', 'openai-codex'], {env}),
		await world.run(['refresh', 'openai-codex'], {env}),
	];
	for (const result of busy) {
		expect(result.code, result.stderr).toBe(1);
		expect(result.stdout).toBe('');
		expect(result.stderr).toMatch(/is locked by another process/);
		expect(result.stderr).not.toMatch(/not signed in/i);
	}

	// Reading needs no lock: status still answers.
	const status = await world.run(['status', '--json']);
	expect(status.code).toBe(0);
	expect(await world.rawAuth(), 'a busy command writes nothing').toBe(before);
	return busy.length;
};

describe('crash safety', () => {
	it(`kill -9 of concurrent writers at random moments, ${CYCLES} times`, async () => {
		const seed = Number(process.env['STRESS_SEED'] ?? Date.now() % 1_000_000);
		const next = random(seed);
		const script = await bundleFixture('test/stress/fixtures/crash-writer.ts');
		const world = await makeWorld();
		const lockDir = `${world.authFile}.lock`;
		// The bundle lives in a temp folder: a require() left in it (of a CommonJS package such as
		// proper-lockfile) must still find the project's packages.
		const writerEnv = {
			...world.env,
			NODE_PATH: path.join(projectRoot, 'node_modules'),
		};
		await world.writeAuth({
			'some-other-tool': OTHER_TOOL,
			'openai-codex': codexEntry(world),
		});
		const nextSeq = Object.fromEntries(WRITERS.map(id => [id, 0]));
		const figures = {
			kills: 0,
			confirmedWrites: 0,
			killedMidWrite: 0,
			tempsLeftByKills: 0,
			tempsRemovedByNextWrite: 0,
			orphanedLocks: 0,
			busyCommands: 0,
			staleLocksTakenOverByCli: 0,
			staleLocksTakenOverByWriters: 0,
		};
		const lifetimes: number[] = [];
		let pendingTemps: string[] = [];
		let orphanPending = false;

		for (let cycle = 0; cycle < CYCLES; cycle++) {
			const started = Date.now();
			const writers = WRITERS.map(id => ({
				id,
				from: nextSeq[id] ?? 0,
				child: spawnNode([script, world.authFile, id, String(nextSeq[id])], {
					env: writerEnv,
				}),
			}));
			// The next write removes what killed writers left: check once each writer has saved.
			const target = 1 + Math.floor(next() * 12);
			await waitUntil(
				`writers to confirm a save (cycle ${cycle})`,
				() => {
					const dead = writers.find(({child}) => child.exited);
					if (dead) {
						throw new Error(
							`${dead.id} exited on its own (${JSON.stringify(dead.child.exit)}, seed ${seed}, last lines ${JSON.stringify(dead.child.stdout.slice(-60))}): ${dead.child.stderr}`,
						);
					}

					return (
						writers.every(({child}) => acks(child).length > 0) &&
						writers.reduce((sum, {child}) => sum + acks(child).length, 0) >=
							target
					);
				},
				20_000,
			);
			if (orphanPending) {
				figures.staleLocksTakenOverByWriters++;
				orphanPending = false;
			}

			const live = new Set(writers.map(({child}) => child.pid));
			const temps = await tempFiles(world);
			expect(
				temps.filter(name => !live.has(pidOfTemp(name))),
				'temp files of killed writers after the next write',
			).toEqual([]);
			figures.tempsRemovedByNextWrite += pendingTemps.length;

			// A random moment inside the next write (or between writes).
			await new Promise(resolve => {
				setTimeout(resolve, Math.floor(next() * 15));
			});
			await Promise.all(writers.map(async ({child}) => child.kill()));
			figures.kills += writers.length;
			lifetimes.push(Date.now() - started);

			const text = await world.rawAuth();
			let data: Record<string, unknown>;
			try {
				data = parseAuthData(text, world.authFile);
			} catch (error) {
				throw new Error(
					`After kill #${cycle + 1} the file does not parse (${text.length} bytes): ${(error as Error).message}`,
				);
			}

			expect(data['some-other-tool']).toEqual(OTHER_TOOL);
			expect(data['openai-codex']).toMatchObject({type: 'oauth'});
			for (const {id, from, child} of writers) {
				const confirmed = acks(child);
				const last = confirmed.at(-1) ?? from - 1;
				figures.confirmedWrites += confirmed.length;
				const entry = data[id] as {seq: number} | undefined;
				// The old content (last confirmed save) or the new one (the save under way).
				expect([last, last + 1], `${id} after kill ${cycle}`).toContain(
					entry?.seq,
				);
				expect(entry).toEqual(crashEntry(id, entry?.seq ?? -1));
				if (entry?.seq === last + 1) figures.killedMidWrite++;
				nextSeq[id] = (entry?.seq ?? -1) + 1;
			}

			pendingTemps = await tempFiles(world);
			figures.tempsLeftByKills += pendingTemps.length;

			if (await exists(lockDir)) {
				// Every writer is dead, so this lock belongs to a dead process.
				figures.orphanedLocks++;
				if (figures.orphanedLocks <= BUSY_CHECKS) {
					figures.busyCommands += await expectBusy(world);
				}

				// Simulate the 30 s after which proper-lockfile calls a lock stale.
				const past = new Date(Date.now() - 31_000);
				await fs.utimes(lockDir, past, past);
				if (figures.orphanedLocks <= BUSY_CHECKS) {
					// The CLI takes the stale lock over: the expired Codex entry gets refreshed.
					const token = await world.run(['token', 'openai-codex'], {
						env: {PI_AUTH_LOCK_WAIT: LOCK_WAIT},
					});
					expect(token.code, token.stderr).toBe(0);
					expect(await exists(lockDir)).toBe(false);
					figures.staleLocksTakenOverByCli++;
					await world.updateAuth(current => ({
						...current,
						'openai-codex': {
							...(current['openai-codex'] as object),
							expires: Date.now() - 60_000,
						},
					}));
				} else {
					orphanPending = true;
				}
			}
		}

		// One last write through the CLI cleans up; nothing but the file stays behind.
		const last = await world.run(['logout', 'openai-codex']);
		expect(last.code, last.stderr).toBe(0);
		expect(await fs.readdir(path.dirname(world.authFile))).toEqual([
			'auth.json',
		]);
		figures.tempsRemovedByNextWrite += pendingTemps.length;
		expect(figures.confirmedWrites).toBeGreaterThanOrEqual(CYCLES * 2);
		report(`crash safety: ${CYCLES} cycles of kill -9 (seed ${seed})`, {
			'writers killed': figures.kills,
			'confirmed writes before the kills': figures.confirmedWrites,
			'kills that landed after a write reached disk but before it was confirmed':
				figures.killedMidWrite,
			'file parsed after every kill, every entry old-or-new': `${CYCLES} of ${CYCLES}`,
			'temp files left by killed writers': figures.tempsLeftByKills,
			'of those, removed by the next write': figures.tempsRemovedByNextWrite,
			'orphaned locks': figures.orphanedLocks,
			'commands that said "locked by another process" (exit 1, file unchanged)':
				figures.busyCommands,
			'stale locks taken over by the CLI': figures.staleLocksTakenOverByCli,
			'stale locks taken over by the next writers':
				figures.staleLocksTakenOverByWriters,
			'writer lifetime per cycle': spread(lifetimes),
		});
	});
});
