/*
`use` while 20 processes run `pi-auth token` on the same provider (issue 12): two Codex accounts,
both expired (single-use refresh tokens, reuse revokes the family as OpenAI does), switched back
and forth while `token openai-codex`, `token openai-codex:home` and `token openai-codex:work` run
in a loop. After `use` returns nobody gets the other account's token; a named profile always gets
its own; nothing is logged out; each expired token is refreshed exactly once.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {updateProfiles} from '../../source/profiles/profile-file.js';
import {type Exit, report, spread, waitUntil} from './helpers/processes.js';
import {type World, makeWorld} from './helpers/world.js';

const WORKERS = 20;
const ROUNDS = 3;
/** Calls a worker makes at most in a round (it stops once it has called after `use` returned). */
const MAX_CALLS = 8;
const TARGETS = [
	...Array.from({length: 10}, () => 'openai-codex'),
	...Array.from({length: 5}, () => 'openai-codex:home'),
	...Array.from({length: 5}, () => 'openai-codex:work'),
];

type Call = Exit & {target: string; startedAt: number};
type Entry = Record<string, unknown>;

const storePath = (world: World) =>
	path.join(path.dirname(world.authFile), 'pi-auth', 'profiles.json');

const seed = async (world: World) => {
	const entry = (email: string, accountId: string) => {
		const grant = world.sandbox.codex.issueGrant({email, accountId});
		return {
			type: 'oauth',
			access: grant.access,
			refresh: grant.refresh,
			expires: Date.now() - 60_000,
			accountId,
			account: email,
		};
	};

	await world.writeAuth({'openai-codex': entry('me@home.example', 'ws-home')});
	await fs.mkdir(path.dirname(storePath(world)), {recursive: true});
	await fs.writeFile(
		storePath(world),
		JSON.stringify({
			version: 1,
			active: {'openai-codex': 'home'},
			profiles: {'openai-codex:work': entry('me@work.example', 'ws-work')},
			activeAccounts: {'openai-codex': {accountId: 'ws-home'}},
		}),
	);
};

/** Both credentials expired again, each under its own lock. */
const expireBoth = async (world: World) => {
	const past = Date.now() - 60_000;
	await world.updateAuth(current => ({
		...current,
		'openai-codex': {...(current['openai-codex'] as Entry), expires: past},
	}));
	await updateProfiles(world.authFile, current => ({
		data: {
			...current,
			profiles: Object.fromEntries(
				Object.entries(current.profiles).map(([key, value]) => [
					key,
					{...value, expires: past},
				]),
			),
		},
		result: undefined,
	}));
};

/** name → the stored credential, and which name is active. */
const storedByName = async (world: World) => {
	const auth = await world.readAuth();
	const store = JSON.parse(await fs.readFile(storePath(world), 'utf8')) as {
		active: Record<string, string>;
		profiles: Record<string, Entry>;
	};
	const active = store.active['openai-codex'] ?? '?';
	const byName: Record<string, Entry> = {[active]: auth['openai-codex']!};
	for (const [key, value] of Object.entries(store.profiles)) {
		byName[key.split(':')[1] ?? '?'] = value;
	}

	return {active, byName};
};

const round = async (world: World, next: string) => {
	const calls: Call[] = [];
	let useEnded: number | undefined;
	const worker = async (target: string) => {
		for (let index = 0; index < MAX_CALLS; index++) {
			const startedAt = Date.now();
			const result = await world.start(['token', target]).result;
			calls.push({...result, target, startedAt});
			if (useEnded !== undefined && startedAt > useEnded) return;
		}
	};

	const workers = TARGETS.map(async target => worker(target));
	/*
	The switch starts in the thick of it: the first refresh of the round is at the provider (which
	answers it slowly), and the other calls for that account queue on the lock behind it, having
	looked up where their profile was before the switch.
	*/
	const before = world.sandbox.codex.count('token');
	world.sandbox.codex.fail('token', {delayMs: 400});
	const use = (async () => {
		await waitUntil(
			'the first refresh request',
			() => world.sandbox.codex.count('token') > before,
			60_000,
		);
		const result = await world.run(['use', `openai-codex:${next}`]);
		useEnded = Date.now();
		return result;
	})();
	const [switched] = await Promise.all([use, ...workers]);
	return {calls, switched: switched, useEnded: useEnded ?? 0};
};

describe('use while 20 processes run token', () => {
	it(
		`${WORKERS} token loops × ${ROUNDS} switches: the right account for everyone, one refresh per expired token`,
		{timeout: 600_000},
		async () => {
			const world = await makeWorld();
			await seed(world);
			const rows: string[] = [];
			const durations: number[] = [];
			let total = 0;
			let afterUse = 0;
			for (let index = 1; index <= ROUNDS; index++) {
				if (index > 1) await expireBoth(world);
				const next = index % 2 === 1 ? 'work' : 'home';
				const before = world.sandbox.codex.count('token');
				const {calls, switched, useEnded} = await round(world, next);
				expect(switched.code, switched.stderr).toBe(0);
				const {active, byName} = await storedByName(world);
				expect(active).toBe(next);
				const accessOf = (name: string) =>
					`${String(byName[name]?.['access'])}\n`;
				const odd = calls.filter(call => {
					if (call.code !== 0 || call.stderr !== '') return true;
					const [, named] = call.target.split(':');
					if (named) return call.stdout !== accessOf(named);
					// The provider's entry: after `use` returned, the new account; before, either one.
					return call.startedAt > useEnded
						? call.stdout !== accessOf(next)
						: call.stdout !== accessOf('home') &&
								call.stdout !== accessOf('work');
				});
				expect(
					odd.map(call => ({
						target: call.target,
						code: call.code,
						stderr: call.stderr,
						after: call.startedAt > useEnded,
					})),
					`round ${index}`,
				).toEqual([]);
				for (const entry of Object.values(byName)) {
					expect(entry).not.toHaveProperty('needsLogin');
					expect(entry['expires'] as number).toBeGreaterThan(Date.now());
				}

				// One refresh per expired token: both were expired, both were asked for.
				const refreshes = world.sandbox.codex.count('token') - before;
				expect(refreshes, `round ${index}`).toBe(2);
				const later = calls.filter(call => call.startedAt > useEnded).length;
				total += calls.length;
				afterUse += later;
				durations.push(...calls.map(call => call.ms));
				rows.push(
					`round ${index} (use openai-codex:${next}): ${calls.length} token calls, ${later} started after use returned, ${refreshes} refreshes, every call exit 0 with its account's token`,
				);
			}

			// The final refresh tokens are the live ones: nobody spent them behind our back.
			const {byName} = await storedByName(world);
			for (const entry of Object.values(byName)) {
				expect(await world.codexRefreshWorks(String(entry['refresh']))).toBe(
					true,
				);
			}

			report(`use while ${WORKERS} processes run token (${ROUNDS} switches)`, [
				...rows,
				`token calls: ${total}, of which ${afterUse} after a use returned`,
				'needsLogin entries: 0; final refresh tokens accepted: 2 of 2',
				`one token call, spawn to exit: ${spread(durations)}`,
			]);
		},
	);
});
