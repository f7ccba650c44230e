/*
Lost updates: every read-modify-write holds the lock and re-reads, so processes that change
different entries at the same moment never undo each other. Each round signs in to one provider,
signs out of another and refreshes the third, all at once, beside status readers; the final file
must hold exactly what the three changes add up to, whatever order they landed in, and entries
pi-auth does not know must come through unchanged (same values, same key order).
*/
import {describe, expect, it} from 'vitest';
import {type Child, type Exit, report, spread} from './helpers/processes.js';
import {
	type World,
	anthropicEntry,
	codexEntry,
	copilotEntry,
	makeWorld,
} from './helpers/world.js';

const ROUNDS = 9;
const PROVIDERS = ['anthropic', 'openai-codex', 'github-copilot'] as const;
type ProviderId = (typeof PROVIDERS)[number];
type Role = 'login' | 'logout' | 'refresh';

// Odd on purpose: unusual key order, types pi-auth never writes, unicode, deep nesting.
const OTHER_TOOL = {
	zeta: 1,
	type: 'session',
	alpha: [null, true, 0.5, -0, 1e21, 'ünïcødé ✓', {deep: {deeper: [[]]}}],
	'key with spaces': {'': ''},
	expires: 'not a number',
};
const PI_EXTENSION = {type: 'api_key', key: 'pi-extension-key', extra: null};

const LOGOUTS_PER_ROUND = 3;
const TOKENS_PER_ROUND = 3;
const REFRESHES_PER_ROUND = 2;
const READERS_PER_ROUND = 2;

const refreshCount = (world: World, provider: ProviderId) => {
	const {anthropic, codex, github} = world.sandbox;
	if (provider === 'anthropic') return anthropic.count('token');
	if (provider === 'openai-codex') return codex.count('token');
	return github.count('copilotToken');
};

const entryFor = (world: World, provider: ProviderId, round: number) => {
	const extra = {'x-note': {round, kept: true}};
	if (provider === 'anthropic') return anthropicEntry(world, extra);
	if (provider === 'openai-codex') return codexEntry(world, extra);
	return copilotEntry(world, extra);
};

/** A device sign-in, approved at the fake as soon as the code is shown. */
const deviceLogin = async (
	world: World,
	provider: 'openai-codex' | 'github-copilot',
): Promise<Exit> => {
	const child = world.start(['login', provider, '--method', 'device']);
	const [, code] = await child.waitFor('stderr', /Enter code (\S+) at/);
	if (provider === 'openai-codex') {
		await world.sandbox.codex.approveDevice(code ?? '');
	} else {
		await world.sandbox.github.approveDevice(code ?? '');
	}

	return child.result;
};

const apiKey = (round: number) =>
	`sk-ant-api03-STRESSKEY-${round}-${'k'.repeat(24)}`;

describe('lost updates', () => {
	it(`${ROUNDS} rounds of concurrent login + logout + refresh of different providers`, async () => {
		const world = await makeWorld();
		const counts = {login: 0, logout: 0, token: 0, refresh: 0, status: 0};
		const durations: number[] = [];
		const roles: string[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			// Rotate, so every provider takes every role.
			const role = (provider: ProviderId): Role =>
				(['login', 'logout', 'refresh'] as const)[
					(PROVIDERS.indexOf(provider) + round) % 3
				]!;
			const by = (wanted: Role) => PROVIDERS.find(id => role(id) === wanted)!;
			const loginId = by('login');
			const logoutId = by('logout');
			const refreshId = by('refresh');
			roles.push(`${loginId}+ ${logoutId}- ${refreshId}↻`);

			const start: Record<string, unknown> = {
				'some-other-tool': OTHER_TOOL,
				[logoutId]: entryFor(world, logoutId, round),
				[refreshId]: entryFor(world, refreshId, round),
				'pi-extension': PI_EXTENSION,
			};
			// Half the rounds sign in over an old entry (a login replaces the whole entry).
			if (round % 2 === 0) start[loginId] = entryFor(world, loginId, round);
			await world.writeAuth(start);
			const before = await world.readAuth();
			const refreshesBefore = refreshCount(world, refreshId);

			const started = Date.now();
			const children: Array<{kind: keyof typeof counts; done: Promise<Exit>}> =
				[];
			const add = (kind: keyof typeof counts, done: Promise<Exit>) => {
				children.push({kind, done});
				counts[kind]++;
			};

			add(
				'login',
				loginId === 'anthropic'
					? world.start(['login', 'anthropic', '--method', 'api-key'], {
							input: `${apiKey(round)}\n`,
						}).result
					: deviceLogin(world, loginId),
			);
			const spawnAll = (
				kind: keyof typeof counts,
				args: string[],
				n: number,
			) => {
				for (let index = 0; index < n; index++) {
					const child: Child = world.start(args);
					add(kind, child.result);
				}
			};

			spawnAll('logout', ['logout', logoutId], LOGOUTS_PER_ROUND);
			spawnAll('token', ['token', refreshId], TOKENS_PER_ROUND);
			spawnAll('refresh', ['refresh', refreshId], REFRESHES_PER_ROUND);
			spawnAll('status', ['status', '--json'], READERS_PER_ROUND);
			const results = await Promise.all(
				children.map(async ({kind, done}) => ({kind, result: await done})),
			);
			durations.push(Date.now() - started);

			for (const {kind, result} of results) {
				expect(result.code, `${kind}: ${result.stderr}`).toBe(0);
				if (kind === 'status') {
					expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
				}
			}

			const after = await world.readAuth();
			expect(
				Object.keys(after).sort(),
				`round ${round}: ${roles.at(-1)}`,
			).toEqual(['some-other-tool', 'pi-extension', loginId, refreshId].sort());
			// Unknown entries: same values, same key order, untouched by any of the writers.
			expect(JSON.stringify(after['some-other-tool'])).toBe(
				JSON.stringify(OTHER_TOOL),
			);
			expect(after['pi-extension']).toEqual(PI_EXTENSION);

			const signedIn = after[loginId] ?? {};
			if (loginId === 'anthropic') {
				expect(signedIn).toEqual({type: 'api_key', key: apiKey(round)});
			} else {
				expect(signedIn['type']).toBe('oauth');
				expect(signedIn['access']).not.toBe(before[loginId]?.['access']);
				expect(signedIn['x-note'], 'a login replaces the whole entry').toBe(
					undefined,
				);
				expect(world.secrets()).toContain(signedIn['refresh']);
			}

			const refreshed = after[refreshId] ?? {};
			expect(refreshed['needsLogin']).toBeUndefined();
			expect(refreshed['access']).not.toBe(before[refreshId]?.['access']);
			expect(refreshed['x-note'], 'a refresh keeps the other fields').toEqual({
				round,
				kept: true,
			});
			const printed = new Set(
				results
					.filter(({kind}) => kind === 'token')
					.map(({result}) => result.stdout),
			);
			expect([...printed]).toEqual([`${String(refreshed['access'])}\n`]);
			expect(refreshCount(world, refreshId) - refreshesBefore).toBe(1);
		}

		const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
		report(`lost updates: ${ROUNDS} rounds, ${total} processes`, {
			'processes per round': `1 login, ${LOGOUTS_PER_ROUND} logout, ${TOKENS_PER_ROUND} token, ${REFRESHES_PER_ROUND} refresh, ${READERS_PER_ROUND} status --json`,
			'processes by command': counts,
			'roles per round (+ login, - logout, ↻ refresh)': roles.join(' | '),
			'rounds whose final file held exactly the expected entries': `${ROUNDS} of ${ROUNDS}`,
			'unknown entries changed': 0,
			'refresh requests per round at the fake': 1,
			'round wall time': spread(durations),
		});
	});
});
