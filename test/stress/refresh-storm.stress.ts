/*
The refresh storm (the two commonest complaints about other tools: tokens that die, and two processes spending one rotating refresh token): many processes ask for the same expired token at
once, and the refresh token is single-use — the Codex fake revokes the whole family when a used one
comes back, as OpenAI does. Anything but "one refresh, everyone gets its result" shows up here as a
needsLogin entry, a failed call, differing tokens or more than one refresh request.
*/
import {describe, expect, it} from 'vitest';
import {spawnPty} from '../helpers/pty.js';
import {type Exit, report, spread, waitUntil} from './helpers/processes.js';
import {type World, codexEntry, makeWorld} from './helpers/world.js';

const PROCESSES = 50;
const ROUNDS = 10;

// Fields pi-auth does not know ride along through every refresh (docs/contract.md).
const OTHER_TOOL = {
	type: 'oauth',
	access: 'other-tool-access',
	expires: 1,
	nested: {list: [1, 'two', null], flag: false},
	'odd key': '✓',
};

type RoundFigures = {
	round: number;
	mode: string;
	refreshes: number;
	ms: number;
	exits: number[];
	distinctTokens: number;
};

/** Expires the Codex entry under the lock, so a running panel never sees a half-made change. */
const reExpire = async (world: World) => {
	await world.updateAuth(current => ({
		...current,
		'openai-codex': {
			...(current['openai-codex'] as object),
			expires: Date.now() - 60_000,
		},
	}));
};

const storm = async (world: World): Promise<Exit[]> =>
	Promise.all(
		Array.from(
			{length: PROCESSES},
			async () => world.start(['token', 'openai-codex']).result,
		),
	);

/** What must hold after every round, whoever refreshed. */
const checkRound = async (
	world: World,
	results: Exit[],
	refreshBefore: string,
	tokensBefore: number,
) => {
	const codex = (await world.readAuth())['openai-codex'] ?? {};
	const expected = `${String(codex['access'])}\n`;
	// Every call exits 0 and prints exactly the stored token; any other call is shown in full.
	const odd = results
		.map((result, index) => ({index, ...result}))
		.filter(
			result =>
				result.code !== 0 || result.stdout !== expected || result.stderr !== '',
		)
		.map(({index, code, signal, stdout, stderr, ms}) => ({
			index,
			code,
			signal,
			stdout: stdout === expected ? '<the token>' : stdout.slice(0, 40),
			stderr,
			ms,
		}));
	const exits: Record<string, number> = {};
	for (const {code} of results)
		exits[String(code)] = (exits[String(code)] ?? 0) + 1;
	const summary = `${odd.length} of ${results.length} calls did not exit 0 with the stored token; exit codes ${JSON.stringify(exits)}; refresh requests this round: ${world.sandbox.codex.count('token') - tokensBefore}; stored needsLogin: ${JSON.stringify(codex['needsLogin'] ?? null)}`;
	expect(odd, summary).toEqual([]);
	const printed = new Set(results.map(result => result.stdout));
	expect(codex['needsLogin'], 'no logout').toBeUndefined();
	expect(codex['refresh']).not.toBe(refreshBefore);
	expect(codex['expires'] as number).toBeGreaterThan(Date.now());
	expect(world.sandbox.codex.count('token') - tokensBefore).toBe(1);
	expect((await world.readAuth())['some-other-tool']).toEqual(OTHER_TOOL);
	return printed.size;
};

const seed = async (world: World) => {
	await world.writeAuth({
		'some-other-tool': OTHER_TOOL,
		'openai-codex': codexEntry(world, {note: {kept: 'through every refresh'}}),
	});
};

const finalChecks = async (world: World, rounds: RoundFigures[]) => {
	const entry = (await world.readAuth())['openai-codex'] ?? {};
	expect(entry['note']).toEqual({kept: 'through every refresh'});
	const total = world.sandbox.codex.count('token');
	expect(total).toBe(ROUNDS);
	// The last rotated refresh token is still the live one: nobody burned it behind our back.
	expect(await world.codexRefreshWorks(String(entry['refresh']))).toBe(true);
	const all = rounds.flatMap(round => round.exits);
	return {
		'token calls': `${all.length} (${ROUNDS} rounds × ${PROCESSES} processes)`,
		'exit 0': all.filter(code => code === 0).length,
		'refresh requests at the fake': `${total} (one per round: ${rounds.map(round => round.refreshes).join(' ')})`,
		'distinct tokens printed per round': rounds
			.map(round => round.distinctTokens)
			.join(' '),
		'needsLogin entries': 0,
		'final refresh token still accepted': 'yes',
		'round wall time': spread(rounds.map(round => round.ms)),
	};
};

describe('refresh storm', () => {
	it(`${PROCESSES} processes × ${ROUNDS} rounds of token openai-codex: one refresh per round, no logouts`, async () => {
		const world = await makeWorld();
		await seed(world);
		const rounds: RoundFigures[] = [];
		const durations: number[] = [];
		for (let round = 1; round <= ROUNDS; round++) {
			if (round > 1) await reExpire(world);
			const refreshBefore = String(
				(await world.readAuth())['openai-codex']?.['refresh'],
			);
			const tokensBefore = world.sandbox.codex.count('token');
			const started = Date.now();
			const results = await storm(world);
			const ms = Date.now() - started;
			durations.push(...results.map(result => result.ms));
			const distinctTokens = await checkRound(
				world,
				results,
				refreshBefore,
				tokensBefore,
			);
			rounds.push({
				round,
				mode: 'processes only',
				refreshes: world.sandbox.codex.count('token') - tokensBefore,
				ms,
				exits: results.map(result => result.code ?? -1),
				distinctTokens,
			});
		}

		report(
			`refresh storm: ${PROCESSES} × token openai-codex, ${ROUNDS} rounds`,
			{
				...(await finalChecks(world, rounds)),
				'one process, spawn to exit': spread(durations),
			},
		);
	});

	it('the same storm with the live panel (pi-auth status in a terminal) refreshing alongside', async () => {
		const world = await makeWorld();
		await seed(world);
		const panel = spawnPty(['status', ...world.flags], {env: world.env});
		await panel.waitFor('OpenAI Codex');
		// The panel's scheduler sees the expired entry at start and refreshes it: round 0.
		await waitUntil('the panel to refresh on start', async () => {
			const entry = (await world.readAuth())['openai-codex'];
			return (entry?.['expires'] as number) > Date.now();
		});
		expect(world.sandbox.codex.count('token')).toBe(1);
		world.sandbox.codex.clearLog();

		const rounds: RoundFigures[] = [];
		let panelFirst = 0;
		for (let round = 1; round <= ROUNDS; round++) {
			const refreshBefore = String(
				(await world.readAuth())['openai-codex']?.['refresh'],
			);
			const tokensBefore = world.sandbox.codex.count('token');
			/*
			Odd rounds: the 50 processes start at once, and the panel (which re-plans about a second
			after it sees the file change) joins in while they queue on the lock. Even rounds: the
			provider answers slowly, and the processes start only once the panel's refresh request is
			in flight, so all 50 meet a lock the panel holds.
			*/
			const mode = round % 2 === 1 ? 'processes first' : 'panel first';
			if (mode === 'panel first') {
				world.sandbox.codex.fail('token', {delayMs: 700});
			}

			await reExpire(world);
			if (mode === 'panel first') {
				await waitUntil(
					'the panel to send its refresh',
					() => world.sandbox.codex.count('token') > tokensBefore,
				);
				panelFirst++;
			}

			const started = Date.now();
			const results = await storm(world);
			const ms = Date.now() - started;
			const distinctTokens = await checkRound(
				world,
				results,
				refreshBefore,
				tokensBefore,
			);
			rounds.push({
				round,
				mode,
				refreshes: world.sandbox.codex.count('token') - tokensBefore,
				ms,
				exits: results.map(result => result.code ?? -1),
				distinctTokens,
			});
		}

		// The panel is still alive and says nothing went wrong.
		const screen = await panel.screen();
		expect(screen).toContain('OpenAI Codex');
		expect(screen).not.toMatch(/Refresh failed|refused the refresh token/);
		panel.write('q');
		expect(await panel.exited()).toBe(0);
		report(
			`refresh storm with the live panel: ${PROCESSES} × token openai-codex, ${ROUNDS} rounds`,
			{
				...(await finalChecks(world, rounds)),
				'rounds where the panel held the lock first': `${panelFirst} of ${ROUNDS}`,
				'panel exit': 0,
			},
		);
	});
});
