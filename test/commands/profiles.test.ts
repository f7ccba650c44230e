/*
Several accounts per provider (issue 12, docs/contract.md "Profiles"), through the built CLI against
the sandbox's fakes: two Claude and two Codex accounts signed in, `token` of an inactive profile
without touching the active entry, `use` both ways, `profiles` and `status --json`, an account
signed in twice, unknown profiles, and the profile store's files and modes.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	type Setup,
	setupSandbox,
	signInAnthropic,
	signInCodex,
} from '../engine/sandbox-cli.js';

const HOUR = 3_600_000;

type Profiles = {
	version: number;
	active: Record<string, string>;
	profiles: Record<string, Record<string, unknown>>;
	pending?: unknown;
};

const readProfiles = async (setup: Setup) =>
	JSON.parse(
		await fs.readFile(
			path.join(path.dirname(setup.authFile), 'pi-auth', 'profiles.json'),
			'utf8',
		),
	) as Profiles;

type StatusEntry = {
	id: string;
	profile?: string;
	active: boolean;
	account?: string;
	state: string;
};

const statusOf = async (setup: Setup, args: string[] = []) => {
	const result = await setup.run(['status', '--json', ...args]);
	expect(result.code, result.stderr).toBe(0);
	setup.expectNoSecrets(result);
	return (JSON.parse(result.stdout) as {providers: StatusEntry[]}).providers;
};

const token = async (setup: Setup, target: string) => {
	const result = await setup.run(['token', target]);
	expect(result.code, result.stderr).toBe(0);
	return result.stdout.trim();
};

/** Every refresh token stored anywhere: the credential file's entries and every profile. */
const storedRefreshTokens = async (setup: Setup) => [
	...Object.values(await setup.readAuth()).map(entry => entry['refresh']),
	...Object.values((await readProfiles(setup)).profiles).map(
		entry => entry['refresh'],
	),
];

describe('profiles: several accounts per provider', () => {
	it('two Claude accounts: default, then --profile work; token, use and use back', async () => {
		const setup = await setupSandbox();
		const first = await signInAnthropic(setup, 'me@home.example');
		expect(first.stderr).toMatch(/anthropic:default is the active profile/);
		const second = await signInAnthropic(setup, 'me@work.example', [
			'--profile',
			'work',
		]);
		expect(second.stderr).toMatch(
			/anthropic:work is stored as an inactive profile; make it the one pi uses with: pi-auth use anthropic:work/,
		);

		const auth = await setup.readAuth();
		const store = await readProfiles(setup);
		expect(auth['anthropic']?.['account']).toBe('me@home.example');
		expect(store.active).toEqual({anthropic: 'default'});
		expect(Object.keys(store.profiles)).toEqual(['anthropic:work']);
		expect(store.profiles['anthropic:work']?.['account']).toBe(
			'me@work.example',
		);
		// One live copy of every refresh token: the active one is not in the store.
		const tokens = await storedRefreshTokens(setup);
		expect(new Set(tokens).size).toBe(tokens.length);

		const folder = path.join(path.dirname(setup.authFile), 'pi-auth');
		expect(((await fs.stat(folder)).mode & 0o777).toString(8)).toBe('700');
		expect(
			(
				(await fs.stat(path.join(folder, 'profiles.json'))).mode & 0o777
			).toString(8),
		).toBe('600');

		expect(await statusOf(setup)).toMatchObject([
			{
				id: 'anthropic',
				profile: 'default',
				active: true,
				account: 'me@home.example',
				state: 'valid',
			},
			{
				id: 'anthropic',
				profile: 'work',
				active: false,
				account: 'me@work.example',
				state: 'valid',
			},
		]);

		// token of the inactive profile: its own token, and the credential file stays as it was.
		const before = await setup.rawAuth();
		const work = await token(setup, 'anthropic:work');
		expect(work).toBe(store.profiles['anthropic:work']?.['access']);
		expect(await token(setup, 'anthropic')).toBe(auth['anthropic']?.['access']);
		expect(await token(setup, 'anthropic:default')).toBe(
			auth['anthropic']?.['access'],
		);
		expect(await setup.rawAuth()).toBe(before);

		const use = await setup.run(['use', 'anthropic:work']);
		expect(use.code, use.stderr).toBe(0);
		expect(use.stderr).toMatch(/Now using anthropic:work/);
		expect(await token(setup, 'anthropic')).toBe(work);
		const after = await readProfiles(setup);
		expect(after.active).toEqual({anthropic: 'work'});
		expect(after.pending).toBeUndefined();
		expect(after.profiles['anthropic:default']).toEqual(auth['anthropic']);
		expect((await setup.readAuth())['anthropic']).toEqual(
			store.profiles['anthropic:work'],
		);

		const again = await setup.run(['use', 'anthropic:work']);
		expect(again.stderr).toMatch(/already the active profile/);
		const back = await setup.run(['use', 'anthropic:default', '--json']);
		expect(JSON.parse(back.stdout)).toMatchObject({
			provider: 'anthropic',
			profile: 'default',
			already: false,
			keptAs: 'work',
		});
		expect(await setup.readAuth()).toEqual(auth);
	});

	it('two Codex workspaces of one email are two profiles (the account id tells them apart)', async () => {
		const setup = await setupSandbox();
		await signInCodex(setup, {email: 'me@example.com', accountId: 'ws-one'});
		await signInCodex(setup, {email: 'me@example.com', accountId: 'ws-two'}, [
			'--profile',
			'team',
		]);
		const status = await statusOf(setup);
		expect(status.map(entry => [entry.profile, entry.active])).toEqual([
			['default', true],
			['team', false],
		]);
		// Signing in to ws-one again under another name updates default, and says so.
		const third = await signInCodex(
			setup,
			{email: 'me@example.com', accountId: 'ws-one'},
			['--profile', 'other'],
		);
		expect(third.stderr).toMatch(
			/already profile openai-codex:default: updated it instead of creating openai-codex:other/,
		);
		expect((await statusOf(setup)).map(entry => entry.profile)).toEqual([
			'default',
			'team',
		]);
		const profiles = await setup.run(['profiles']);
		expect(profiles.code).toBe(0);
		expect(profiles.stdout).toMatch(
			/^\* openai-codex:default +me@example\.com +valid/m,
		);
		expect(profiles.stdout).toMatch(
			/^ {2}openai-codex:team +me@example\.com +valid/m,
		);
		const json = await setup.run(['profiles', 'openai-codex', '--json']);
		expect(JSON.parse(json.stdout)).toMatchObject({
			file: setup.authFile,
			providers: [
				{id: 'openai-codex', profile: 'default', active: true, managed: true},
				{id: 'openai-codex', profile: 'team', active: false, managed: true},
			],
		});
	});

	it('an unknown profile is a usage error listing the profiles; a bad name too', async () => {
		const setup = await setupSandbox();
		await signInAnthropic(setup, 'me@home.example');
		await signInAnthropic(setup, 'me@work.example', ['--profile', 'work']);
		for (const args of [
			['use', 'anthropic:nope'],
			['token', 'anthropic:nope'],
			['refresh', 'anthropic:nope'],
			['logout', 'anthropic:nope'],
			['status', 'anthropic:nope'],
		]) {
			const result = await setup.run(args);
			expect(result.code, args.join(' ')).toBe(2);
			expect(result.stderr).toMatch(
				/anthropic has no profile "nope"\. Profiles: anthropic:default \(active\), anthropic:work\./,
			);
		}

		const bad = await setup.run(['use', 'anthropic:Work!']);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toMatch(/is not a profile name/);
		const noProfile = await setup.run(['use', 'anthropic']);
		expect(noProfile.code).toBe(2);
		const login = await setup.run(
			['login', 'anthropic', '--method', 'api-key', '--profile', '-x'],
			'sk-ant-api03-KEY\n',
		);
		expect(login.code).toBe(2);
	});

	it('refresh and logout of an inactive profile leave the active entry alone', async () => {
		const setup = await setupSandbox();
		await signInAnthropic(setup, 'me@home.example');
		await signInAnthropic(setup, 'me@work.example', ['--profile', 'work']);
		const before = await setup.rawAuth();
		const tokensBefore = setup.sandbox.anthropic.count('token');
		const refresh = await setup.run(['refresh', 'anthropic:work', '--force']);
		expect(refresh.code, refresh.stderr).toBe(0);
		expect(refresh.stderr).toMatch(/anthropic:work: refreshed/);
		expect(setup.sandbox.anthropic.count('token')).toBe(tokensBefore + 1);
		expect(await setup.rawAuth()).toBe(before);
		// The active profile named as a target is reported as named.
		const active = await setup.run(['refresh', 'anthropic:default', '--json']);
		expect(active.code, active.stderr).toBe(0);
		expect(JSON.parse(active.stdout)).toMatchObject({
			results: [{provider: 'anthropic', target: 'anthropic:default'}],
		});
		const afterActive = await setup.rawAuth();

		// An expired inactive profile is refreshed by token, in place, once.
		const store = await readProfiles(setup);
		const file = path.join(
			path.dirname(setup.authFile),
			'pi-auth',
			'profiles.json',
		);
		store.profiles['anthropic:work']!['expires'] = Date.now() - HOUR;
		await fs.writeFile(file, JSON.stringify(store));
		const results = await Promise.all(
			Array.from({length: 4}, async () =>
				setup.run(['token', 'anthropic:work']),
			),
		);
		expect(results.map(result => result.code)).toEqual([0, 0, 0, 0]);
		expect(new Set(results.map(result => result.stdout)).size).toBe(1);
		expect(setup.sandbox.anthropic.count('token')).toBe(tokensBefore + 2);
		expect(await setup.rawAuth()).toBe(afterActive);

		const logout = await setup.run(['logout', 'anthropic:work']);
		expect(logout.code).toBe(0);
		expect(logout.stderr).toMatch(/Signed out of anthropic:work/);
		expect((await readProfiles(setup)).profiles).toEqual({});
		expect(await setup.rawAuth()).toBe(afterActive);
	});

	it('logout --all removes every entry and every profile', async () => {
		const setup = await setupSandbox();
		await signInAnthropic(setup, 'me@home.example');
		await signInAnthropic(setup, 'me@work.example', ['--profile', 'work']);
		const all = await setup.run(['logout', '--all', '--json']);
		expect(JSON.parse(all.stdout)).toMatchObject({
			removed: ['anthropic', 'anthropic:work'],
		});
		expect(await setup.readAuth()).toEqual({});
		expect(await readProfiles(setup)).toMatchObject({
			active: {},
			profiles: {},
		});
	});
});

describe('a broken profile store', () => {
	it('is never overwritten: sign-ins and switches stop naming it, the credential file still answers', async () => {
		const setup = await setupSandbox();
		await signInAnthropic(setup, 'me@home.example');
		const file = path.join(
			path.dirname(setup.authFile),
			'pi-auth',
			'profiles.json',
		);
		await fs.writeFile(file, '{"version": 1, "profiles": ');
		for (const args of [
			['use', 'anthropic:work'],
			['profiles'],
			['token', 'anthropic:default'],
		]) {
			const result = await setup.run(args);
			expect(result.code, args.join(' ')).toBe(1);
			expect(result.stderr).toContain(
				`The profile store ${file} is not valid JSON. pi-auth will not touch it`,
			);
		}

		const login = await setup.run(
			['login', 'anthropic', '--method', 'api-key'],
			'sk-ant-api03-KEY\n',
		);
		expect(login.code).toBe(1);
		expect(await fs.readFile(file, 'utf8')).toBe('{"version": 1, "profiles": ');
		// What pi uses still works, and status shows it (with a line about the store).
		expect((await setup.run(['token', 'anthropic'])).code).toBe(0);
		const status = await setup.run(['status', '--json']);
		expect(status.code).toBe(0);
		expect(status.stderr).toContain('profile store');
	});
});
