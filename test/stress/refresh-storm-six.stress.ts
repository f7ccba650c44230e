/*
The refresh storm on the new providers whose refresh tokens rotate (docs/providers.md: whether they are
single-use is unknown, so they are treated as single-use; the fakes make them so and revoke the grant
on reuse): 20 processes ask `token <provider>` for the same expired entry at once. Exactly one
refresh may reach the provider, and every process must print the token it produced. Meta's
"refresh" mints a key; it must happen once too.
*/
import {describe, expect, it} from 'vitest';
import {report, spread} from './helpers/processes.js';
import {type World, expired, makeWorld} from './helpers/world.js';

const PROCESSES = 20;
const ROUNDS = 3;

type Case = {
	id: string;
	/** The route at the fake that a refresh hits. */
	route: string;
	fake: (world: World) => {count: (name: string) => number};
	entry: (world: World) => Record<string, unknown>;
};

const cases: Case[] = [
	{
		id: 'xai',
		route: 'token',
		fake: world => world.sandbox.xai,
		entry: world => expired(world.sandbox.xai.issueGrant()),
	},
	{
		id: 'kimi-coding',
		route: 'token',
		fake: world => world.sandbox.kimi,
		entry: world => expired(world.sandbox.kimi.issueGrant()),
	},
	{
		id: 'radius',
		route: 'token',
		fake: world => world.sandbox.radius,
		entry: world => ({
			...expired(world.sandbox.radius.issueGrant()),
			scope: 'gateway offline_access',
		}),
	},
	{
		id: 'openai',
		route: 'token',
		fake: world => world.sandbox.chatgpt,
		entry(world) {
			const {access, refresh, clientId} = world.sandbox.chatgpt.issueGrant();
			return {
				...expired({access, refresh}),
				clientId,
				scopes: ['openid', 'chatgpt.tokens.use.direct'],
			};
		},
	},
	{
		id: 'meta',
		route: 'key',
		fake: world => world.sandbox.meta,
		entry: world =>
			expired({
				access: 'meta-key-old',
				refresh: world.sandbox.meta.issueIdentity(),
			}),
	},
];

describe('refresh storm on the new providers', () => {
	for (const testCase of cases) {
		it(`${PROCESSES} processes × ${ROUNDS} rounds of token ${testCase.id}: one refresh per round, no logouts`, async () => {
			const world = await makeWorld();
			const fake = testCase.fake(world);
			await world.writeAuth({[testCase.id]: testCase.entry(world)});
			const durations: number[] = [];
			for (let round = 1; round <= ROUNDS; round++) {
				if (round > 1) {
					await world.updateAuth(current => ({
						...current,
						[testCase.id]: {
							...(current[testCase.id] as object),
							expires: Date.now() - 60_000,
						},
					}));
				}

				const before = fake.count(testCase.route);
				const refreshBefore = (await world.readAuth())[testCase.id]?.[
					'refresh'
				];
				const results = await Promise.all(
					Array.from(
						{length: PROCESSES},
						async () => world.start(['token', testCase.id]).result,
					),
				);
				durations.push(...results.map(result => result.ms));
				const entry = (await world.readAuth())[testCase.id] ?? {};
				const expected = `${String(entry['access'])}\n`;
				const odd = results.filter(
					result =>
						result.code !== 0 ||
						result.stdout !== expected ||
						result.stderr !== '',
				);
				expect(
					odd.map(({code, stderr}) => ({code, stderr})),
					`round ${round}`,
				).toEqual([]);
				expect(fake.count(testCase.route) - before).toBe(1);
				expect(entry['needsLogin']).toBeUndefined();
				expect(entry['expires'] as number).toBeGreaterThan(Date.now());
				if (testCase.id === 'meta') {
					expect(entry['refresh']).toBe(refreshBefore);
				} else {
					expect(entry['refresh']).not.toBe(refreshBefore);
				}

				for (const result of results) {
					for (const secret of [String(refreshBefore)]) {
						expect(result.stdout).not.toContain(secret);
					}
				}
			}

			report(
				`refresh storm: ${PROCESSES} × token ${testCase.id}, ${ROUNDS} rounds`,
				{
					'refresh requests at the fake': `${fake.count(testCase.route)} (one per round)`,
					'one process, spawn to exit': spread(durations),
				},
			);
		});
	}
});
