/*
Rotated tokens of an inactive profile always reach a file (issue 12: the idea of
credentials/recovery.ts, for profiles): a refresh of anthropic:work paused past its lock while
another process takes the store's lock over and writes keeps both writes; tokens kept in the
recovery file go to whichever copy holds the spent refresh token now, a profile included.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {type Setup, setupSandbox} from '../engine/sandbox-cli.js';
import {waitUntil} from '../helpers/wait-until.js';

const HOUR = 3_600_000;

type Store = {profiles: Record<string, Record<string, unknown>>};

const storePath = (setup: Setup) =>
	path.join(path.dirname(setup.authFile), 'pi-auth', 'profiles.json');

const readStore = async (setup: Setup) =>
	JSON.parse(await fs.readFile(storePath(setup), 'utf8')) as Store;

/** home active, work inactive, both Anthropic grants the fake knows. */
const seed = async (setup: Setup) => {
	const entry = (email: string) => {
		const grant = setup.sandbox.anthropic.issueGrant({email});
		return {
			type: 'oauth',
			access: grant.access,
			refresh: grant.refresh,
			expires: Date.now() + HOUR,
			account: email,
		};
	};

	const home = entry('me@home.example');
	const work = entry('me@work.example');
	await setup.writeAuth({anthropic: home});
	await fs.mkdir(path.dirname(storePath(setup)), {recursive: true});
	await fs.writeFile(
		storePath(setup),
		JSON.stringify({
			version: 1,
			active: {anthropic: 'home'},
			profiles: {'anthropic:work': work},
			activeAccounts: {anthropic: {account: 'me@home.example'}},
		}),
	);
	return {home, work};
};

describe("an inactive profile's rotated tokens", () => {
	it('a refresh paused past the store lock, while another process takes it over and writes, keeps both writes', async () => {
		const setup = await setupSandbox();
		const {anthropic} = setup.sandbox;
		const {work} = await seed(setup);
		anthropic.fail('token', {delayMs: 400});
		const paused = setup.start(['refresh', 'anthropic:work', '--force']);
		await waitUntil(
			() => anthropic.count('token') === 1,
			'the refresh request',
		);
		paused.signal('SIGSTOP');
		await waitUntil(
			() => anthropic.answered('token') === 1,
			'the rotated tokens',
		);

		// 30 s later the store's lock is stale; another pi-auth takes it over and signs in.
		const lock = `${storePath(setup)}.lock`;
		const old = new Date(Date.now() - 40_000);
		await fs.utimes(lock, old, old);
		const other = await setup.run(
			['login', 'anthropic', '--method', 'api-key', '--profile', 'key'],
			'sk-ant-api03-OTHERPROCESS\n',
		);
		expect(other.code, other.stderr).toBe(0);

		paused.signal('SIGCONT');
		const result = await paused.result;
		expect(result.code, result.stderr).toBe(0);
		const store = await readStore(setup);
		expect(store.profiles['anthropic:key']).toMatchObject({type: 'api_key'});
		const entry = store.profiles['anthropic:work']!;
		expect(entry['refresh']).not.toBe(work.refresh);
		expect(entry).not.toHaveProperty('needsLogin');
		// The stored refresh token is the live one.
		const again = await setup.run(['refresh', 'anthropic:work', '--force']);
		expect(again.code, again.stderr).toBe(0);
		expect(anthropic.count('token')).toBe(2);
	});

	it('tokens kept in the recovery file go to the profile holding the spent token, as the next command starts', async () => {
		const setup = await setupSandbox();
		const {work} = await seed(setup);
		const rotated = {
			...work,
			access: 'sk-ant-oat01-ROTATED',
			refresh: 'sk-ant-ort01-ROTATED',
		};
		await fs.writeFile(
			path.join(path.dirname(storePath(setup)), 'recovery.json'),
			JSON.stringify([
				{id: 'anthropic', profile: 'work', spent: work.refresh, entry: rotated},
			]),
		);
		const before = await setup.rawAuth();
		const status = await setup.run(['status', '--json']);
		expect(status.code, status.stderr).toBe(0);
		expect(status.stderr).toMatch(
			/Wrote the refreshed anthropic tokens kept from an earlier refresh/,
		);
		expect((await readStore(setup)).profiles['anthropic:work']).toEqual(
			rotated,
		);
		expect(await setup.rawAuth()).toBe(before);
		await expect(
			fs.stat(path.join(path.dirname(storePath(setup)), 'recovery.json')),
		).rejects.toThrow();
	});
});
