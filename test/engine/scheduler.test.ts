import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createAuthStore} from '../../source/credentials/store.js';
import {
	type RefreshActivity,
	createRefreshScheduler,
} from '../../source/engine/scheduler.js';
import {fakeClock} from '../helpers/fake-clock.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const MINUTE = 60_000;
const TOKEN_URL = 'http://127.0.0.1:9/oauth/token';

/** A Codex-shaped access token: a JWT carrying the ChatGPT account claim (docs/providers.md). */
const jwt = (serial: number) =>
	[
		Buffer.from('{"alg":"none"}').toString('base64url'),
		Buffer.from(
			JSON.stringify({
				'https://api.openai.com/auth': {chatgpt_account_id: 'acct-1'},
				serial,
			}),
		).toString('base64url'),
		'sig',
	].join('.');

type Answer = {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
	/** Real milliseconds before the answer (a slow provider). */
	delayMs?: number;
	raw?: string;
};

/**
Codex's token endpoint, in-process: the scheduler's refreshes reach it through the injected
fetch. Each call takes the next queued answer, or a fresh token pair when none is queued.
*/
const tokenEndpoint = (now: () => number) => {
	const queue: Answer[] = [];
	const calls: Array<{at: number; refreshToken: string | null}> = [];
	let serial = 0;
	return {
		calls,
		queue,
		fetch: (async (input: string | URL | Request, init?: RequestInit) => {
			expect(String(input)).toBe(TOKEN_URL);
			const form = new URLSearchParams(String(init?.body));
			calls.push({at: now(), refreshToken: form.get('refresh_token')});
			serial++;
			const next = queue.shift();
			if (next?.delayMs) {
				await new Promise(resolve => {
					setTimeout(resolve, next.delayMs);
				});
			}

			const answer = next ?? {
				status: 200,
				body: {
					access_token: jwt(serial),
					refresh_token: `rt-${serial}`,
					expires_in: 3600,
				},
			};
			return new Response(answer.raw ?? JSON.stringify(answer.body), {
				status: answer.status,
				headers: {'content-type': 'application/json', ...answer.headers},
			});
		}) as typeof fetch,
	};
};

const stops: Array<() => void> = [];
afterEach(() => {
	for (const stop of stops.splice(0)) stop();
});

/** Real I/O (the file lock, the write) runs on real time: wait for it, bounded. */
const until = async (condition: () => boolean, what: string) => {
	const deadline = Date.now() + 5000;
	while (!condition()) {
		if (Date.now() > deadline)
			throw new Error(`Timed out waiting until ${what}`);
		await new Promise(resolve => {
			setTimeout(resolve, 5);
		});
	}
};

const setup = async (expiresIn: number) => {
	const clock = fakeClock();
	const directory = await makeTempDir();
	const file = path.join(directory, 'auth.json');
	await fs.writeFile(
		file,
		JSON.stringify({
			'openai-codex': {
				type: 'oauth',
				access: jwt(0),
				refresh: 'rt-0',
				expires: clock.now() + expiresIn,
				accountId: 'acct-1',
				pinned: 'kept',
			},
		}),
	);
	const store = createAuthStore({file});
	await store.getState().reload();
	const endpoint = tokenEndpoint(clock.now);
	const activity: RefreshActivity[] = [];
	const scheduler = createRefreshScheduler({
		store,
		config: {providers: {'openai-codex': {endpoints: {token: TOKEN_URL}}}},
		fetch: endpoint.fetch,
		now: clock.now,
		timers: clock.timers,
		onActivity(_provider, next) {
			activity.push(next);
		},
	});
	stops.push(scheduler.stop);
	const stored = async () =>
		(
			JSON.parse(await fs.readFile(file, 'utf8')) as Record<
				string,
				Record<string, unknown>
			>
		)['openai-codex']!;
	const settled = async (calls: number) => {
		await until(
			() =>
				endpoint.calls.length === calls &&
				activity.at(-1)?.refreshing === false,
			`${calls} refresh calls have settled`,
		);
		await until(() => clock.pendingCount() > 0, 'the next check is planned');
	};

	return {clock, endpoint, scheduler, activity, stored, settled, store};
};

describe('the background refresh scheduler', () => {
	it('refreshes once, ahead of expiry (under 5 minutes left), and not again until the new token is due', async () => {
		const {clock, endpoint, scheduler, stored, settled} = await setup(
			10 * MINUTE,
		);
		const start = clock.now();
		scheduler.start();
		await until(() => clock.pendingCount() > 0, 'the first check is planned');
		await clock.advance(4 * MINUTE);
		expect(endpoint.calls).toHaveLength(0);
		await clock.advance(MINUTE + 1000);
		await settled(1);
		const entry = await stored();
		expect(entry['refresh']).toBe('rt-1');
		expect(entry['pinned']).toBe('kept');
		// Ahead of expiry: when 5 minutes were left, not later; Codex stores now + expires_in.
		const refreshedAt = endpoint.calls[0]!.at;
		expect(refreshedAt).toBeGreaterThanOrEqual(start + 5 * MINUTE);
		expect(refreshedAt).toBeLessThanOrEqual(start + 5 * MINUTE + 1000);
		expect(endpoint.calls[0]!.refreshToken).toBe('rt-0');
		expect(entry['expires']).toBe(refreshedAt + 3_600_000);
		await clock.advance(50 * MINUTE);
		expect(endpoint.calls).toHaveLength(1);
		await clock.advance(10 * MINUTE);
		await settled(2);
		expect((await stored())['refresh']).toBe('rt-2');
	});

	it('backs off transient failures (30 s doubling) and leaves the entry untouched meanwhile', async () => {
		const {clock, endpoint, scheduler, activity, stored, settled} = await setup(
			2 * MINUTE,
		);
		endpoint.queue.push(
			{status: 500, body: {error: 'server_error'}},
			{status: 503, body: {}},
		);
		scheduler.start();
		await settled(1);
		expect(activity.at(-1)).toMatchObject({
			failures: 1,
			retryAt: clock.now() + 30_000,
		});
		expect((await stored())['refresh']).toBe('rt-0');
		await clock.advance(29_000);
		expect(endpoint.calls).toHaveLength(1);
		await clock.advance(2000);
		await settled(2);
		expect(activity.at(-1)).toMatchObject({failures: 2});
		await clock.advance(59_000);
		expect(endpoint.calls).toHaveLength(2);
		await clock.advance(2000);
		await settled(3);
		expect(activity.at(-1)).toMatchObject({failures: 0, lastError: undefined});
		expect((await stored())['refresh']).toBe('rt-3');
	});

	it('honours a 429 Retry-After longer than its own backoff', async () => {
		const {clock, endpoint, scheduler, settled} = await setup(2 * MINUTE);
		endpoint.queue.push({
			status: 429,
			body: {},
			headers: {'retry-after': '300'},
		});
		scheduler.start();
		await settled(1);
		await clock.advance(299_000);
		expect(endpoint.calls).toHaveLength(1);
		await clock.advance(2000);
		await settled(2);
	});

	it('records a permanent failure as needs-login and never retries it', async () => {
		const {clock, endpoint, scheduler, activity, stored, settled} = await setup(
			2 * MINUTE,
		);
		endpoint.queue.push({
			status: 401,
			body: {error: {code: 'refresh_token_reused', message: 'reused'}},
		});
		scheduler.start();
		await settled(1);
		expect(activity.at(-1)?.retryAt).toBeUndefined();
		const entry = await stored();
		expect(entry['needsLogin']).toMatchObject({reason: 'refresh_token_reused'});
		expect(entry['refresh']).toBe('rt-0');
		expect(entry['access']).toBe(jwt(0));
		await clock.advance(6 * 3_600_000);
		expect(endpoint.calls).toHaveLength(1);
	});

	it('uses what another process already refreshed instead of spending the refresh token again', async () => {
		const {clock, endpoint, scheduler, store, stored} = await setup(2 * MINUTE);
		// Another process refreshed while we were not looking: the entry on disk is fresh.
		const other = createAuthStore({file: store.getState().file});
		await other.getState().merge('openai-codex', {
			access: jwt(99),
			refresh: 'rt-other',
			expires: clock.now() + 3_600_000,
		});
		scheduler.start();
		await until(() => clock.pendingCount() > 0, 'the first check ran');
		await clock.advance(10 * MINUTE);
		expect(endpoint.calls).toHaveLength(0);
		expect((await stored())['refresh']).toBe('rt-other');
	});

	it('stops: nothing runs after stop()', async () => {
		const {clock, endpoint, scheduler} = await setup(10 * MINUTE);
		scheduler.start();
		await until(() => clock.pendingCount() > 0, 'the first check is planned');
		scheduler.stop();
		await clock.advance(3_600_000);
		expect(endpoint.calls).toHaveLength(0);
		expect(clock.pendingCount()).toBe(0);
	});

	it('backs off an odd answer too (an HTML block page, a 200 without a token): never a tight loop', async () => {
		const {clock, endpoint, scheduler, activity, stored, settled} = await setup(
			2 * MINUTE,
		);
		endpoint.queue.push(
			{status: 403, body: undefined, raw: '<html>Blocked by the CDN</html>'},
			{status: 200, body: {token_type: 'bearer', expires_in: 3600}},
		);
		scheduler.start();
		await settled(1);
		expect(activity.at(-1)?.retryAt).toBe(clock.now() + 30_000);
		await clock.advance(20_000);
		expect(endpoint.calls).toHaveLength(1);
		await clock.advance(11_000);
		await settled(2);
		// A 200 without an access token is refused too, and waits longer.
		expect(activity.at(-1)).toMatchObject({failures: 2});
		await clock.advance(50_000);
		expect(endpoint.calls).toHaveLength(2);
		expect((await stored())['refresh']).toBe('rt-0');
	});

	it('stop() waits for a refresh under way, so its new refresh token is saved', async () => {
		const {endpoint, scheduler, activity, stored} = await setup(2 * MINUTE);
		endpoint.queue.push({
			status: 200,
			delayMs: 300,
			body: {access_token: jwt(7), refresh_token: 'rt-slow', expires_in: 3600},
		});
		scheduler.start();
		await until(() => endpoint.calls.length === 1, 'the refresh is under way');
		expect(scheduler.busy()).toBe(true);
		await scheduler.stop();
		expect(activity.at(-1)?.refreshing).toBe(false);
		expect((await stored())['refresh']).toBe('rt-slow');
	});

	it('forgets an old failure once the entry is replaced (signed in again here or elsewhere)', async () => {
		const {clock, endpoint, scheduler, activity, store, settled} = await setup(
			2 * MINUTE,
		);
		endpoint.queue.push({status: 500, body: {}});
		scheduler.start();
		await settled(1);
		expect(activity.at(-1)?.lastError).toMatch(/HTTP 500/);
		const other = createAuthStore({file: store.getState().file});
		await other.getState().save('openai-codex', {
			type: 'oauth',
			access: jwt(50),
			refresh: 'rt-new-sign-in',
			expires: clock.now() + 3_600_000,
			accountId: 'acct-1',
		});
		await store.getState().reload();
		scheduler.reschedule();
		expect(activity.at(-1)).toMatchObject({
			failures: 0,
			lastError: undefined,
			retryAt: undefined,
		});
	});
});

describe('the scheduler and inactive profiles', () => {
	it('keeps an inactive profile alive in place in the store, and marks a dead refresh token needs login', async () => {
		const {clock, endpoint, scheduler, settled, store} = await setup(
			5 * 3_600_000,
		);
		const {file} = store.getState();
		const folder = path.join(path.dirname(file), 'pi-auth');
		await fs.mkdir(folder);
		const before = await fs.readFile(file, 'utf8');
		await fs.writeFile(
			path.join(folder, 'profiles.json'),
			JSON.stringify({
				version: 1,
				active: {'openai-codex': 'default'},
				profiles: {
					'openai-codex:team': {
						type: 'oauth',
						access: jwt(0),
						refresh: 'rt-team',
						expires: clock.now() + 2 * MINUTE,
						accountId: 'acct-1',
					},
				},
				activeAccounts: {'openai-codex': {accountId: 'acct-1'}},
			}),
		);
		await store.getState().reload();
		scheduler.start();
		await settled(1);
		expect(endpoint.calls[0]!.refreshToken).toBe('rt-team');
		const team = () => store.getState().profiles.profiles['openai-codex:team']!;
		expect(team()['refresh']).toBe('rt-1');
		// The active entry and its file were never touched.
		expect(await fs.readFile(file, 'utf8')).toBe(before);

		endpoint.queue.push({status: 400, body: {error: 'invalid_grant'}});
		await clock.advance(60 * MINUTE);
		await settled(2);
		await store.getState().reload();
		expect(team()['needsLogin']).toMatchObject({reason: 'invalid_grant'});
		const {listAll} = await import('../../source/profiles/view.js');
		const views = listAll(
			store.getState().data,
			store.getState().profiles,
			{},
			clock.now(),
		);
		expect(views.map(view => [view.profile, view.state])).toEqual([
			['default', 'valid'],
			['team', 'needs-login'],
		]);
		// Not retried: a dead refresh token waits for a new sign-in.
		await clock.advance(120 * MINUTE);
		expect(endpoint.calls).toHaveLength(2);
	});
});
