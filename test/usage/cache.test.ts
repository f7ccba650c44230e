import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {
	type CacheData,
	MAX_ENTRIES,
	MAX_POINTS,
	bounded,
	decide,
	emptyCache,
	recordResult,
	touch,
} from '../../source/usage/cache-data.js';
import {
	readUsageCache,
	updateUsageCache,
	usageCacheFile,
} from '../../source/usage/cache-file.js';
import {HISTORY_STEP_MS} from '../../source/usage/history.js';
import {createUsageCache} from '../../source/usage/shared.js';
import type {UsageOutcome} from '../../source/usage/types.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.parse('2026-11-02T09:00:00Z');

const clock = (start = START) => {
	let now = start;
	return {
		now: () => now,
		advance(ms: number) {
			now += ms;
		},
	};
};

const ok =
	(now: () => number, usedPercent = 40): (() => Promise<UsageOutcome>) =>
	async () => ({
		status: 'ok',
		snapshot: {
			windows: [
				{label: '5h', usedPercent, resetsAt: now() + 2 * HOUR},
				{label: '7d', usedPercent: usedPercent / 2, resetsAt: now() + 3 * DAY},
			],
			extras: {provider: 'anthropic'},
			fetchedAt: now(),
		},
	});

const rateLimited =
	(retryAfterMs?: number) => async (): Promise<UsageOutcome> => {
		throw new PiAuthError('rate-limited', 'rate-limited (HTTP 429)', {
			status: 429,
			...(retryAfterMs === undefined ? {} : {retryAfterMs}),
		});
	};

const options = (token = 'token-1', maxAgeMs = MINUTE) => ({
	key: 'anthropic',
	provider: 'anthropic',
	token,
	maxAgeMs,
	intervalMs: maxAgeMs,
});

const cacheIn = async () => {
	const home = await makeTempDir();
	const file = usageCacheFile(path.join(home, 'auth.json'));
	return {home, file};
};

/** A counting fetch: how many requests "the endpoint" saw. */
const counted = (fetch: () => Promise<UsageOutcome>) => {
	const calls = {count: 0};
	return {
		calls,
		fetch: async () => {
			calls.count++;
			return fetch();
		},
	};
};

describe('the usage cache file', () => {
	it('lives in pi-auth/ beside the credential file: 0600 in a 0700 folder, written whole, lock gone', async () => {
		const {home, file} = await cacheIn();
		const time = clock();
		const cache = createUsageCache({file, now: time.now});
		await cache.run(options(), ok(time.now));
		expect(file).toBe(path.join(home, 'pi-auth', 'usage.json'));
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
		expect(fs.readdirSync(path.dirname(file))).toEqual(['usage.json']);
		const data = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheData;
		expect(data.version).toBe(1);
		expect(data.entries['anthropic']?.snapshot?.windows).toHaveLength(2);
		// A digest, never a token.
		expect(data.entries['anthropic']?.snapshot?.token).toBe('token-1');
	});

	it('ignores a corrupt or foreign file and rebuilds it, never failing', async () => {
		const {file} = await cacheIn();
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const time = clock();
		const foreign = [
			'{"version": 1, "entries": {"anthropic": {"provider": "anth',
			'\u0000\u0001 not json',
			'[]',
			'null',
			'{"version": 2, "entries": {}}',
			'{"name": "some other tool", "entries": []}',
			JSON.stringify({
				version: 1,
				entries: {
					anthropic: {
						provider: 'anthropic',
						seenAt: 'yesterday',
						snapshot: {windows: 'lots'},
					},
					'\u001B]52;c;evil\u0007': {
						provider: 'github-copilot\u0007',
						seenAt: START,
						snapshot: {
							token: 'x',
							fetchedAt: START,
							windows: [{label: '5h\u001B[2J', usedPercent: 1, resetsAt: null}],
							extras: {provider: 'github-copilot', notMetered: 'all'},
						},
						history: {'5h': [[1, 2], 'x', [Number.NaN, 1]]},
					},
				},
			}),
			`{"version": 1, "entries": {}, "pad": "${'x'.repeat(1024 * 1024)}"}`,
		];
		for (const content of foreign) {
			fs.writeFileSync(file, content);
			const cache = createUsageCache({file, now: time.now});
			const {calls, fetch} = counted(ok(time.now));
			await expect(cache.run(options(), fetch)).resolves.toMatchObject({
				fetched: true,
			});
			expect(calls.count).toBe(1);
			const rebuilt = readUsageCache(file);
			expect(Object.keys(rebuilt.entries)).toContain('anthropic');
			expect(rebuilt.entries['anthropic']?.snapshot?.windows).toHaveLength(2);
			time.advance(2 * MINUTE);
		}

		// What a foreign writer put there reaches no terminal with its controls.
		fs.writeFileSync(file, foreign[6]!);
		const text = JSON.stringify(readUsageCache(file));
		expect(text).not.toMatch(/\u001B|\u0007/);
		const entry = Object.values(readUsageCache(file).entries)[0];
		expect(entry?.snapshot?.extras).toEqual({
			provider: 'github-copilot',
			notMetered: [],
		});
		expect(entry?.history).toEqual({'5h': [[1, 2]]});
	});

	it('never hangs or fails on a FIFO, a folder or a symbolic link where the file should be', async () => {
		const {home, file} = await cacheIn();
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const time = clock();
		const elsewhere = path.join(home, 'elsewhere.json');
		fs.writeFileSync(elsewhere, '{"mine": true}');
		fs.symlinkSync(elsewhere, file);
		const cache = createUsageCache({file, now: time.now});
		await cache.run(options(), ok(time.now));
		// The link was replaced, the file it pointed to left alone.
		expect(fs.readFileSync(elsewhere, 'utf8')).toBe('{"mine": true}');
		expect(fs.lstatSync(file).isFile()).toBe(true);

		fs.rmSync(file);
		const {execFileSync} = await import('node:child_process');
		execFileSync('mkfifo', [file]);
		expect(readUsageCache(file)).toEqual(emptyCache());
		fs.rmSync(file);

		fs.mkdirSync(path.join(file, 'inside'), {recursive: true});
		const blocked = createUsageCache({file, now: time.now});
		const {calls, fetch} = counted(ok(time.now));
		// The folder cannot hold the file: this process fetches for itself, in memory.
		await blocked.run(options('token-2'), fetch);
		await blocked.run(options('token-2'), fetch);
		expect(calls.count).toBe(1);
		expect(blocked.read().entries['anthropic']?.snapshot?.token).toBe(
			'token-2',
		);
	});

	it('leaves the file as it is when its folder cannot be written (a read-only state folder)', async () => {
		const {file} = await cacheIn();
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.chmodSync(path.dirname(file), 0o500);
		try {
			const outcome = await updateUsageCache(
				file,
				data => ({data, result: 1}),
				{
					now: Date.now,
				},
			);
			// As root the folder is writable anyway; anyone else gets "broken", never an exception.
			expect(['done', 'broken']).toContain(outcome.status);
		} finally {
			fs.chmodSync(path.dirname(file), 0o700);
		}
	});
});

describe('one request per credential per interval, across processes', () => {
	it('answers from a fresh snapshot another process wrote, and fetches once for a new token', async () => {
		const {file} = await cacheIn();
		const time = clock();
		const first = createUsageCache({file, now: time.now, pid: 101});
		const second = createUsageCache({file, now: time.now, pid: 102});
		const a = counted(ok(time.now));
		const b = counted(ok(time.now));
		await first.run(options(), a.fetch);
		time.advance(30_000);
		const answered = await second.run(options(), b.fetch);
		expect(b.calls.count).toBe(0);
		expect(answered).toMatchObject({fetched: false, nextAt: START + MINUTE});
		expect(answered.entry?.snapshot?.fetchedAt).toBe(START);
		time.advance(30_000);
		await second.run(options(), b.fetch);
		expect(b.calls.count).toBe(1);
		// A new sign-in (another token) is fetched at once, by one process.
		await second.run(options('token-2'), b.fetch);
		await first.run(options('token-2'), a.fetch);
		expect([a.calls.count, b.calls.count]).toEqual([1, 2]);
	});

	it('holds every process back after a 429 one of them saw, per token', async () => {
		const {file} = await cacheIn();
		const time = clock();
		const first = createUsageCache({file, now: time.now, pid: 101});
		const second = createUsageCache({file, now: time.now, pid: 102});
		await first.run(options(), rateLimited(7 * MINUTE));
		const {calls, fetch} = counted(ok(time.now));
		for (let minute = 0; minute < 7; minute++) {
			const held = await second.run(options(), fetch);
			expect(held).toMatchObject({fetched: false, nextAt: START + 7 * MINUTE});
			expect(held.entry?.error?.code).toBe('rate-limited');
			time.advance(MINUTE);
		}

		expect(calls.count).toBe(0);
		// Another token is not held back by this one's 429 (they are per access token).
		await second.run(options('token-2'), fetch);
		expect(calls.count).toBe(1);
	});

	it('counts 429s on from the backoff another process recorded: 5 min doubling to 1 h', async () => {
		const {file} = await cacheIn();
		const time = clock();
		const caches = [101, 102, 103].map(pid =>
			createUsageCache({file, now: time.now, pid}),
		);
		const waits: number[] = [];
		for (let strike = 0; strike < 6; strike++) {
			const cache = caches[strike % caches.length]!;
			const result = await cache.run(options(), rateLimited());
			expect(result.fetched).toBe(true);
			waits.push((result.nextAt - time.now()) / MINUTE);
			time.advance(result.nextAt - time.now());
		}

		expect(waits).toEqual([5, 10, 20, 40, 60, 60]);
	});

	it('waits for a fetch another process has claimed, unless that process is gone', async () => {
		const {file} = await cacheIn();
		const time = clock();
		const alive = new Set([101]);
		const first = createUsageCache({
			file,
			now: time.now,
			pid: 101,
			alive: pid => alive.has(pid),
		});
		const second = createUsageCache({
			file,
			now: time.now,
			pid: 102,
			alive: pid => alive.has(pid),
		});
		let release: () => void = () => undefined;
		const slow = first.run(options(), async () => {
			await new Promise<void>(resolve => {
				release = resolve;
			});
			return ok(time.now)();
		});
		// The claim is on disk while the first one waits for its answer.
		await expect
			.poll(() => readUsageCache(file).entries['anthropic']?.claim)
			.toBeDefined();
		const {calls, fetch} = counted(ok(time.now));
		const waiting = await second.run(options(), fetch);
		expect(waiting).toMatchObject({fetched: false, nextAt: START + 1000});
		expect(calls.count).toBe(0);
		release();
		await slow;
		expect(readUsageCache(file).entries['anthropic']?.claim).toBeUndefined();
		expect((await second.run(options(), fetch)).fetched).toBe(false);

		// A claim whose process died (kill -9 mid-fetch) holds no one back.
		time.advance(2 * MINUTE);
		const stuck = first.run(
			options(),
			async () => new Promise(() => undefined),
		);
		await expect
			.poll(() => readUsageCache(file).entries['anthropic']?.claim)
			.toBeDefined();
		alive.delete(101);
		expect((await second.run(options(), fetch)).fetched).toBe(true);
		expect(calls.count).toBe(1);
		void stuck;
	});

	it('the r key fetches at once whatever the cache says, and the backoff keeps counting', () => {
		const entry = recordResult(
			{provider: 'anthropic', seenAt: START},
			'token-1',
			{
				status: 'failed',
				error: new PiAuthError('rate-limited', '429', {status: 429}),
			},
			START,
		);
		expect(decide(entry, 'token-1', START, {maxAgeMs: MINUTE})).toMatchObject({
			fetch: false,
			why: 'backoff',
		});
		expect(
			decide(entry, 'token-1', START, {maxAgeMs: MINUTE, force: true}),
		).toEqual({
			fetch: true,
		});
		const again = recordResult(
			entry,
			'token-1',
			{
				status: 'failed',
				error: new PiAuthError('rate-limited', '429', {status: 429}),
			},
			START,
		);
		expect(again.backoff).toMatchObject({
			strikes: 2,
			until: START + 10 * MINUTE,
		});
	});
});

describe('history', () => {
	it('keeps one point per window per 5 minutes when polled every minute', () => {
		let entry = touch(undefined, 'anthropic', START);
		for (let minute = 0; minute <= 60; minute++) {
			const at = START + minute * MINUTE;
			entry = recordResult(
				entry,
				'token-1',
				{
					status: 'ok',
					snapshot: {
						windows: [{label: '5h', usedPercent: minute, resetsAt: null}],
						extras: {provider: 'anthropic'},
						fetchedAt: at,
					},
				},
				at,
			);
		}

		expect(entry.history?.['5h']?.map(point => point[1])).toEqual([
			0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60,
		]);
	});

	it('keeps 8 days of a window polled every 5 minutes for a month, not a point older', () => {
		let entry = touch(undefined, 'anthropic', START);
		let at = START;
		for (; at < START + 31 * DAY; at += HISTORY_STEP_MS) {
			entry = recordResult(
				entry,
				'token-1',
				{
					status: 'ok',
					snapshot: {
						windows: [{label: '7d', usedPercent: 1, resetsAt: null}],
						extras: {provider: 'anthropic'},
						fetchedAt: at,
					},
				},
				at,
			);
		}

		const series = entry.history?.['7d'] ?? [];
		expect(series).toHaveLength(8 * 288 + 1);
		expect(at - HISTORY_STEP_MS - series[0]![0] * 1000).toBe(8 * DAY);
	});

	it('stays bounded after a simulated month: a point per window per 5 minutes, 8 days, 8 windows, 32 credentials, 16,000 points', async () => {
		const time = clock(Date.parse('2026-10-01T00:00:00Z'));
		// The rules as every writer applies them (cache-file.ts: bounded() on each write).
		let data = emptyCache();
		const record = (key: string, labels: readonly string[], used: number) => {
			const entry = touch(data.entries[key], 'anthropic', time.now());
			const snapshot = {
				windows: labels.map(label => ({
					label,
					usedPercent: used,
					resetsAt: null,
				})),
				extras: {provider: 'anthropic' as const},
				fetchedAt: time.now(),
			};
			data = bounded(
				{
					...data,
					entries: {
						...data.entries,
						[key]: recordResult(
							entry,
							`t-${key}`,
							{status: 'ok', snapshot},
							time.now(),
						),
					},
				},
				time.now(),
			);
		};

		// A month in 15-minute steps: a credential with ten labels (a provider inventing new ones),
		// two more with eight, and forty old profiles fetched every 6 hours.
		const labels = Array.from({length: 10}, (_, index) => `w${index}`);
		const many = Array.from({length: 40}, (_, index) => `anthropic:p${index}`);
		const busy = many.slice(0, 2);
		const step = 15 * MINUTE;
		for (let at = 0; at < 31 * DAY; at += step) {
			record('anthropic', labels, (at / step) % 100);
			for (const key of busy) record(key, labels.slice(0, 8), (at / step) % 97);
			if (at % (6 * HOUR) === 0) {
				for (const key of many.slice(2)) record(key, ['5h'], 1);
			}

			time.advance(step);
		}

		const entries = Object.values(data.entries);
		expect(entries.length).toBeLessThanOrEqual(MAX_ENTRIES);
		let points = 0;
		for (const entry of entries) {
			expect(Object.keys(entry.history ?? {}).length).toBeLessThanOrEqual(8);
			for (const series of Object.values(entry.history ?? {})) {
				points += series.length;
				expect(series.length).toBeLessThanOrEqual(8 * 288 + 1);
				for (let index = 1; index < series.length; index++) {
					const gap = (series[index]![0] - series[index - 1]![0]) * 1000;
					expect(gap).toBeGreaterThanOrEqual(HISTORY_STEP_MS);
				}

				expect(time.now() - series[0]![0] * 1000).toBeLessThanOrEqual(8 * DAY);
			}
		}

		expect(points).toBeLessThanOrEqual(MAX_POINTS);
		// The cap drops the oldest points of all: the newest of every series stay.
		expect(data.entries['anthropic']?.history?.['w0']?.at(-1)?.[0]).toBe(
			(time.now() - step) / 1000,
		);
		// Written out, the whole file is a few hundred KB at most.
		const {file} = await cacheIn();
		await updateUsageCache(file, () => ({data, result: undefined}), {
			now: time.now,
		});
		expect(fs.statSync(file).size).toBeLessThan(400 * 1024);
	});

	it('bounds whatever a writer hands the file: old entries, too many credentials, too many points', async () => {
		const {file} = await cacheIn();
		const now = START;
		// Fifty credentials with eight full series each, as no rule above would let them grow.
		const series = Array.from({length: 2305}, (_, index): [number, number] => [
			(now - index * HISTORY_STEP_MS) / 1000,
			index % 100,
		]).reverse();
		const huge = emptyCache();
		for (let index = 0; index < 50; index++) {
			huge.entries[`anthropic:p${index}`] = {
				provider: 'anthropic',
				seenAt: index === 0 ? now - 9 * DAY : now - index * MINUTE,
				history: Object.fromEntries(
					Array.from({length: 8}, (_, label) => [`w${label}`, series]),
				),
			};
		}

		await updateUsageCache(file, () => ({data: huge, result: undefined}), {
			now: () => now,
		});
		const written = readUsageCache(file);
		const entries = Object.entries(written.entries);
		expect(entries.length).toBe(MAX_ENTRIES);
		// Not seen for 9 days: gone first.
		expect(written.entries['anthropic:p0']).toBeUndefined();
		const points = entries
			.flatMap(([, entry]) => Object.values(entry.history ?? {}))
			.reduce((sum, list) => sum + list.length, 0);
		expect(points).toBeLessThanOrEqual(MAX_POINTS);
		expect(fs.statSync(file).size).toBeLessThan(400 * 1024);
	});
});
