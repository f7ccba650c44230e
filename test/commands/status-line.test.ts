import fs from 'node:fs/promises';
import type {IncomingMessage, ServerResponse} from 'node:http';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import {afterEach, describe, expect, it} from 'vitest';
import {statusLine} from '../../source/commands/status-line.js';
import {listCredentials} from '../../source/credentials/view.js';
import type {CacheEntry} from '../../source/usage/cache-data.js';
import {readUsageCache, usageCacheFile} from '../../source/usage/cache-file.js';
import type {CachedUsage} from '../../source/usage/collect.js';
import {tokenKeyOf} from '../../source/usage/targets.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp-dir.js';
import {type LocalServer, json, startServer} from '../oauth/local-server.js';
import {DAY, HOUR, MINUTE, fixture} from '../usage/fixtures.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

const stored = (expiresIn: number, extra: Record<string, unknown> = {}) => ({
	type: 'oauth',
	access: `sk-ant-oat01-LINE${expiresIn}`,
	refresh: 'sk-ant-ort01-LINEREFRESH',
	expires: NOW + expiresIn,
	...extra,
});

/** One listed credential with what the cache holds for it. */
const usageOf = (
	data: Record<string, unknown>,
	entries: Record<string, Partial<CacheEntry>> = {},
): CachedUsage[] =>
	listCredentials(data, {}, NOW).map(view => {
		const entry = entries[view.provider.id];
		if (view.credential?.type === 'api_key') {
			return {view, unavailable: 'API key'};
		}

		return entry
			? {view, entry: {provider: view.provider.id, seenAt: NOW, ...entry}}
			: {view};
	});

const snapshot = (
	windows: Array<[label: string, used: number, resetsIn: number | null]>,
	extras: Record<string, unknown> = {provider: 'anthropic'},
	fetchedAt = NOW - MINUTE,
) =>
	({
		token: 'digest',
		fetchedAt,
		windows: windows.map(([label, usedPercent, resetsIn]) => ({
			label,
			usedPercent,
			resetsAt: resetsIn === null ? null : NOW + resetsIn,
		})),
		extras,
	}) as CacheEntry['snapshot'];

const line = (usage: CachedUsage[], options = {}) =>
	statusLine(usage, {now: NOW, env: {}, color: false, ...options});

describe('status --line, formatted', () => {
	it('names an id it has no short name for as it is, whatever it is', () => {
		for (const id of ['constructor', '__proto__', 'toString']) {
			const usage = usageOf({[id]: {type: 'api_key', key: 'KEY'}});
			expect(line(usage), id).toBe(`${id} ok`);
		}
	});

	it('shows each state: numbers, a marker for expiring, expired and needs-login, ok for keys, ? before any fetch', () => {
		const usage = usageOf(
			{
				anthropic: stored(5 * HOUR),
				'openai-codex': stored(2 * MINUTE, {accountId: 'acct'}),
				'github-copilot': stored(-MINUTE),
				xai: {type: 'api_key', key: 'xai-KEY'},
				openai: stored(HOUR, {needsLogin: {reason: 'invalid_grant', at: NOW}}),
				radius: stored(HOUR),
			},
			{
				anthropic: {
					snapshot: snapshot([
						['5h', 42.4, 2 * HOUR],
						['7d', 17, 3 * DAY],
						['7d-opus', 12, 3 * DAY],
						['7d-sonnet', 85, 3 * DAY],
					]),
				},
				'openai-codex': {snapshot: snapshot([['5h', 12, HOUR]])},
				'github-copilot': {
					snapshot: snapshot([['credits', 31, 8 * DAY]], {
						provider: 'github-copilot',
						notMetered: [],
					}),
				},
			},
		);
		expect(line(usage)).toBe(
			'claude 5h 42% 7d 17% 7d-sonnet 85% · codex [expiring] 5h 12% · copilot [expired] 31% · chatgpt [login] ? · xai ok · radius ?',
		);
	});

	it('marks numbers older than they should be with their age, and a window past its reset as reset', () => {
		const usage = usageOf(
			{anthropic: stored(5 * HOUR)},
			{
				anthropic: {
					snapshot: snapshot(
						[
							['5h', 99, -10 * MINUTE],
							['7d', 50, DAY],
						],
						{provider: 'anthropic'},
						NOW - 3 * HOUR - 5 * MINUTE,
					),
				},
			},
		);
		expect(line(usage)).toBe('claude 5h reset 7d 50% (3h5m old)');
		// With --max-age 1h, three hours is too old; with --max-age 1d it is what was asked for.
		expect(line(usage, {maxAgeMs: HOUR})).toBe(
			'claude 5h reset 7d 50% (3h5m old)',
		);
		expect(line(usage, {maxAgeMs: DAY})).toBe('claude 5h reset 7d 50%');
	});

	it('shows Anthropic’s extra usage, spent and limit in its currency', () => {
		const usage = usageOf(
			{anthropic: stored(5 * HOUR)},
			{
				anthropic: {
					snapshot: snapshot([['5h', 100, HOUR]], {
						provider: 'anthropic',
						extraUsage: {
							enabled: true,
							monthlyLimitCents: 5000,
							usedCents: 1234,
							utilization: 24.68,
							currency: 'USD',
						},
					}),
				},
			},
		);
		expect(line(usage)).toBe('claude 5h 100% extra 12.34/50.00 USD');
	});

	it('names the profile when the line shows two accounts of one provider', () => {
		const [one] = usageOf({anthropic: stored(5 * HOUR)});
		if (!one) throw new Error('no credential');
		const as = (profile: string, active: boolean): CachedUsage => ({
			...one,
			view: {...one.view, profile, active, key: `anthropic:${profile}`},
		});
		expect(line([as('home', true), as('work', false)])).toBe(
			'claude:home ? · claude:work ?',
		);
		expect(
			line([as('home', true), as('work', false)], {format: '{provider}'}),
		).toBe('claude:home · claude:work');
		// One account: the plain name, whatever its profile is called.
		expect(line([as('work', true)])).toBe('claude ?');
	});

	it('fills a --format template per window, and once without windows', () => {
		const usage = usageOf(
			{anthropic: stored(5 * HOUR), xai: {type: 'api_key', key: 'k'}},
			{
				anthropic: {
					snapshot: snapshot([
						['5h', 42, 2 * HOUR + 10 * MINUTE],
						['7d', 17, 3 * DAY + 4 * HOUR],
					]),
				},
			},
		);
		expect(
			line(usage, {
				format:
					'{provider}:{label}={used} ({left} left, {resets}) {state} {unknown}',
			}),
		).toBe(
			'claude:5h=42% (58% left, 2h10m) valid {unknown} · claude:7d=17% (83% left, 3d4h) valid {unknown} · xai:= ( left, ) valid {unknown}',
		);
		// Control characters in a template never reach the terminal.
		expect(line(usage, {format: '\u001B[31m{used}\u0007'})).toBe(
			'[31m42% · [31m17% · [31m',
		);
	});

	it('colours numbers and markers only for a terminal, and never with NO_COLOR', () => {
		const usage = usageOf(
			{anthropic: stored(2 * MINUTE)},
			{anthropic: {snapshot: snapshot([['5h', 85, HOUR]])}},
		);
		expect(line(usage, {color: true})).toBe(
			'claude \u001B[33m[expiring]\u001B[39m 5h \u001B[31m85%\u001B[39m',
		);
		expect(line(usage, {color: true, env: {NO_COLOR: '1'}})).toBe(
			'claude [expiring] 5h 85%',
		);
		expect(line(usage)).toBe('claude [expiring] 5h 85%');
	});
});

const servers: LocalServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const setup = async (
	data: Record<string, unknown>,
	handlers: Record<string, Handler>,
) => {
	const seen: string[] = [];
	const server = await startServer((request, response) => {
		seen.push(request.url ?? '');
		const handler = handlers[request.url ?? ''];
		if (handler) handler(request, response);
		else json(response, 404, {error: 'not_found'});
	});
	servers.push(server);
	const home = await makeTempDir();
	const file = path.join(home, 'auth.json');
	const config = path.join(home, 'pi-auth.json');
	await fs.writeFile(file, JSON.stringify(data));
	await fs.writeFile(
		config,
		JSON.stringify({
			providers: {
				anthropic: {endpoints: {usage: `${server.url}/anthropic/usage`}},
				'openai-codex': {endpoints: {usage: `${server.url}/codex/usage`}},
				'github-copilot': {endpoints: {user: `${server.url}/copilot/user`}},
			},
		}),
	);
	const args = ['--config', config, '--auth-file', file];
	return {home, file, args, env: cleanEnv(home), seen};
};

const live = (expiresIn: number) => ({
	type: 'oauth',
	access: 'sk-ant-oat01-LIVELINESECRET',
	refresh: 'sk-ant-ort01-LIVELINEREFRESH',
	expires: Date.now() + expiresIn,
});

describe('status --line and --usage-over, through the CLI', () => {
	it('reads the cache without the network, and fetches only what --max-age finds too old', async () => {
		const now = Date.now();
		const {args, env, seen, file} = await setup(
			{anthropic: live(5 * HOUR)},
			{
				'/anthropic/usage': (_, response) => {
					json(response, 200, fixture('anthropic-flat', now));
				},
			},
		);
		const before = await runCli(['status', '--line', ...args], {env});
		expect(before).toMatchObject({code: 0, stdout: 'claude ?\n', stderr: ''});
		expect(seen).toEqual([]);
		const fetched = await runCli(
			['status', '--line', '--max-age', '60s', ...args],
			{env},
		);
		expect(fetched.stdout).toBe('claude 5h 42% 7d 13% extra 12.34/50.00 USD\n');
		// No colour or escape sequence through a pipe.
		expect(fetched.stdout).not.toContain('\u001B');
		expect(seen).toHaveLength(1);
		const again = await runCli(
			['status', '--line', '--max-age', '60s', ...args],
			{env},
		);
		expect(again.stdout).toBe(fetched.stdout);
		expect(seen).toHaveLength(1);
		// What the status line fetched, status --usage --max-age and the plain line use too.
		const plain = await runCli(['status', '--line', ...args], {env});
		expect(plain.stdout).toBe(fetched.stdout);
		const cache = readUsageCache(usageCacheFile(file));
		expect(cache.entries['anthropic:default']?.snapshot?.windows).toHaveLength(
			3,
		);
		expect(JSON.stringify(cache)).not.toContain('LIVELINE');
	});

	it('exits 3 when a window is at or above --usage-over N %, and 1 and 2 win over 3', async () => {
		const now = Date.now();
		const handlers = {
			'/anthropic/usage': (_: IncomingMessage, response: ServerResponse) => {
				json(response, 200, fixture('anthropic-flat', now));
			},
		};
		const valid = await setup({anthropic: live(5 * HOUR)}, handlers);
		const check = async (over: string, extra: string[] = []) =>
			(
				await runCli(
					['status', '--check', '--usage-over', over, ...extra, ...valid.args],
					{env: valid.env},
				)
			).code;
		// Nothing cached and no --max-age: no window is known to be over.
		expect(await check('40')).toBe(0);
		expect(valid.seen).toEqual([]);
		expect(await check('40', ['--max-age', '5m'])).toBe(3);
		expect(valid.seen).toHaveLength(1);
		expect(await check('42')).toBe(3);
		expect(await check('42.5%')).toBe(0);
		expect(await check('90')).toBe(0);
		const bad = await runCli(
			['status', '--check', '--usage-over', 'lots', ...valid.args],
			{env: valid.env},
		);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toMatch(/--usage-over "lots" is not a percentage/);

		const expiring = await setup({anthropic: live(2 * MINUTE)}, handlers);
		const expired = await setup({anthropic: live(-MINUTE)}, handlers);
		for (const [world, code] of [
			[expiring, 2],
			[expired, 1],
		] as const) {
			const result = await runCli(
				[
					'status',
					'--check',
					'--usage-over',
					'1',
					'--max-age',
					'5m',
					...world.args,
				],
				{env: world.env},
			);
			expect(result.code).toBe(code);
		}
	});

	it('waits for the cache’s lock: a process that cannot take it fetches nothing', async () => {
		const now = Date.now();
		const {args, env, seen, file, home} = await setup(
			{anthropic: live(5 * HOUR)},
			{
				'/anthropic/usage': (_, response) => {
					json(response, 200, fixture('anthropic-flat', now));
				},
			},
		);
		const cacheFile = usageCacheFile(file);
		await fs.mkdir(path.dirname(cacheFile), {recursive: true, mode: 0o700});
		// Another process holds the lock (mid read-and-claim): this one must not fetch beside it.
		const release = await lockfile.lock(cacheFile, {
			realpath: false,
			stale: 10_000,
		});
		try {
			const result = await runCli(
				['status', '--line', '--max-age', '0s', ...args],
				{env: {...env, PI_AUTH_LOCK_WAIT: '300ms'}},
			);
			expect(result).toMatchObject({code: 0, stdout: 'claude ?\n'});
			expect(seen).toEqual([]);
		} finally {
			await release();
		}

		const after = await runCli(
			['status', '--line', '--max-age', '0s', ...args],
			{
				env,
			},
		);
		expect(after.stdout).toMatch(/^claude 5h 42%/);
		expect(seen).toHaveLength(1);
		void home;
	});

	it('shares one backoff: after a 429 seen by one process, others do not ask until it ends', async () => {
		let answer429 = true;
		const {args, env, seen, file} = await setup(
			{anthropic: live(5 * HOUR)},
			{
				'/anthropic/usage': (_, response) => {
					if (answer429) {
						json(
							response,
							429,
							{error: {type: 'rate_limit_error'}},
							{'retry-after': '3600'},
						);
					} else {
						json(response, 200, fixture('anthropic-flat', Date.now()));
					}
				},
			},
		);
		const first = await runCli(
			['status', '--line', '--max-age', '1s', ...args],
			{
				env,
			},
		);
		expect(first.stdout).toBe('claude ?\n');
		expect(seen).toHaveLength(1);
		answer429 = false;
		for (let run = 0; run < 3; run++) {
			await runCli(['status', '--line', '--max-age', '1s', ...args], {env});
		}

		const json429 = await runCli(['status', '--json', '--usage', ...args], {
			env,
		});
		expect(seen).toHaveLength(1);
		const usage = (
			JSON.parse(json429.stdout) as {
				providers: Array<{usage?: {error?: string}}>;
			}
		).providers[0]?.usage;
		expect(usage?.error).toMatch(/HTTP 429/);
		// The backoff is per token: recorded for this credential's digest.
		const [view] = listCredentials(
			JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>,
			{},
			Date.now(),
		);
		expect(
			readUsageCache(usageCacheFile(file)).entries['anthropic:default']
				?.backoff,
		).toMatchObject({
			token: tokenKeyOf(view!),
			strikes: 1,
		});
	});

	it('works whatever is in the cache file’s place, and rebuilds it', async () => {
		const now = Date.now();
		const {args, env, seen, file} = await setup(
			{anthropic: live(5 * HOUR)},
			{
				'/anthropic/usage': (_, response) => {
					json(response, 200, fixture('anthropic-flat', now));
				},
			},
		);
		const cacheFile = usageCacheFile(file);
		await fs.mkdir(path.dirname(cacheFile), {recursive: true});
		await fs.writeFile(cacheFile, '{"version": 1, "entries": {"anthropic": ');
		const plain = await runCli(['status', '--line', ...args], {env});
		expect(plain).toMatchObject({code: 0, stdout: 'claude ?\n', stderr: ''});
		const fetched = await runCli(
			['status', '--line', '--max-age', '1m', ...args],
			{env},
		);
		expect(fetched).toMatchObject({code: 0, stderr: ''});
		expect(fetched.stdout).toMatch(/^claude 5h 42%/);
		expect(seen).toHaveLength(1);
		expect(
			readUsageCache(cacheFile).entries['anthropic:default'],
		).toBeDefined();
	});
});
