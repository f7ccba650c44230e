/*
Status bars everywhere (issue 13): many processes run `pi-auth status --line --max-age 1s` in a
loop, as tmux panes and shell prompts do, against the fakes. Through the shared usage cache
(source/usage/shared.ts) each credential's usage endpoint must see at most one request a second:
about 20 in 20 s whatever the number of processes, never two within the second, and after a 429
with Retry-After none at all from any process until it has passed.
*/
import {describe, expect, it} from 'vitest';
import type {LoggedRequest} from '../../source/sandbox/fake-server.js';
import {type Exit, report} from './helpers/processes.js';
import {type World, makeWorld} from './helpers/world.js';

const LOOPS = 8;
const HOUR = 3_600_000;
const MAX_AGE_MS = 1000;

const seed = async (world: World) => {
	const anthropic = world.sandbox.anthropic.issueGrant();
	const codex = world.sandbox.codex.issueGrant();
	await world.writeAuth({
		anthropic: {
			type: 'oauth',
			access: anthropic.access,
			refresh: anthropic.refresh,
			expires: Date.now() + 6 * HOUR,
		},
		'openai-codex': {
			type: 'oauth',
			access: codex.access,
			refresh: codex.refresh,
			expires: Date.now() + 6 * HOUR,
			accountId: codex.accountId,
		},
		'github-copilot': {
			type: 'oauth',
			access: `tid=stress;exp=${Math.floor((Date.now() + 6 * HOUR) / 1000)}`,
			refresh: world.sandbox.github.issueGithubToken(),
			expires: Date.now() + 6 * HOUR,
		},
	});
};

/** LOOPS processes at a time, each started as the one before it exits, until `ms` have passed. */
const statusBars = async (world: World, ms: number) => {
	const until = Date.now() + ms;
	const exits: Exit[] = [];
	await Promise.all(
		Array.from({length: LOOPS}, async () => {
			while (Date.now() < until) {
				exits.push(
					await world.start(['status', '--line', '--max-age', '1s']).result,
				);
			}
		}),
	);
	return exits;
};

/** The times the fake saw each request at, oldest first, and the shortest gap between two. */
const timeline = (requests: readonly LoggedRequest[], from: number) => {
	const times = requests
		.map(request => request.at)
		.filter(at => at >= from)
		.sort((a, b) => a - b);
	const gaps = times.slice(1).map((at, index) => at - times[index]!);
	return {times, minGap: gaps.length > 0 ? Math.min(...gaps) : Infinity};
};

describe('the usage cache under a crowd of status lines', () => {
	it('makes at most one request per credential per second, and a 429 holds everyone back', async () => {
		const world = await makeWorld();
		await seed(world);
		const {anthropic, codex, github} = world.sandbox;
		const endpoints = {
			anthropic: () => anthropic.requests('usage'),
			'openai-codex': () => codex.requests('usage'),
			'github-copilot': () => github.requests('user'),
		};

		// Twenty seconds of eight status bars.
		const start = Date.now();
		const exits = await statusBars(world, 20_000);
		const seconds = (Date.now() - start) / 1000;
		const figures: Record<string, unknown> = {
			processes: exits.length,
			'runs a second': (exits.length / seconds).toFixed(1),
			seconds: seconds.toFixed(1),
		};
		expect(exits.every(exit => exit.code === 0)).toBe(true);
		for (const exit of exits) {
			expect(exit.stderr).toBe('');
			expect(exit.stdout).toMatch(/^claude .* · codex .* · copilot .*\n$/);
		}

		expect(exits.at(-1)?.stdout).toMatch(
			/^claude 5h 42% 7d 19% · codex 5h 23% 7d 61% · copilot 29%\n$/,
		);
		for (const [id, requests] of Object.entries(endpoints)) {
			const {times, minGap} = timeline(requests(), start);
			figures[`${id} requests`] = times.length;
			figures[`${id} shortest gap`] = `${minGap} ms`;
			// One a second at most: about 20 in 20 s (a second's grace for where the window falls).
			expect(times.length).toBeGreaterThanOrEqual(5);
			expect(times.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
			expect(minGap).toBeGreaterThanOrEqual(MAX_AGE_MS);
		}

		// Anthropic answers the next request with a 429 and Retry-After: 5.
		anthropic.fail('usage', {
			status: 429,
			body: {
				type: 'error',
				error: {type: 'rate_limit_error', message: 'slow down'},
			},
			retryAfter: '5',
		});
		const limited = Date.now();
		const later = await statusBars(world, 12_000);
		expect(later.every(exit => exit.code === 0)).toBe(true);
		const {times} = timeline(anthropic.requests('usage'), limited);
		const first = times[0]!;
		const next = times[1];
		figures['429 at'] = `${first - limited} ms into the second phase`;
		figures['next request after the 429'] =
			next === undefined ? 'none' : `${next - first} ms`;
		figures['second phase processes'] = later.length;
		// Nobody asked again before Retry-After had passed, and asking resumed once it had.
		expect(next).toBeDefined();
		expect(next! - first).toBeGreaterThanOrEqual(5000);
		// Meanwhile the line kept the last numbers.
		expect(later.every(exit => /^claude 5h 42%/.test(exit.stdout))).toBe(true);
		report('usage cache: status --line --max-age 1s in 8 loops', figures);
	});
});
