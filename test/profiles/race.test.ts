/*
`use` racing a refresh of the entry it switches out (issue 12): the refresh holds the credential
file's lock while the provider answers; `use` waits for it, then files the entry exactly as it is
on disk, so the rotated token (not the spent one) ends up in the profile. Built CLI, Anthropic fake
answering slowly.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {setupSandbox} from '../engine/sandbox-cli.js';
import {waitUntil} from '../helpers/wait-until.js';

const HOUR = 3_600_000;

describe('use racing a refresh of the entry it switches out', () => {
	it('the rotated token ends up in the profile, and both accounts still work', async () => {
		const setup = await setupSandbox();
		const {anthropic} = setup.sandbox;
		const home = anthropic.issueGrant({email: 'me@home.example'});
		const work = anthropic.issueGrant({email: 'me@work.example'});
		const entry = (grant: typeof home, account: string) => ({
			type: 'oauth',
			access: grant.access,
			refresh: grant.refresh,
			expires: Date.now() + HOUR,
			account,
		});
		await setup.writeAuth({anthropic: entry(home, 'me@home.example')});
		const store = path.join(path.dirname(setup.authFile), 'pi-auth');
		await fs.mkdir(store, {recursive: true});
		await fs.writeFile(
			path.join(store, 'profiles.json'),
			JSON.stringify({
				version: 1,
				active: {anthropic: 'home'},
				profiles: {'anthropic:work': entry(work, 'me@work.example')},
				activeAccounts: {anthropic: {account: 'me@home.example'}},
			}),
		);

		// The refresh is under way (the provider has the request, and answers in 500 ms)…
		anthropic.fail('token', {delayMs: 500});
		const refresh = setup.start(['refresh', 'anthropic', '--force']);
		await waitUntil(
			() => anthropic.count('token') === 1,
			'the refresh request',
		);
		// …when the switch starts: it waits for the lock, then moves what the refresh wrote.
		const use = await setup.run(['use', 'anthropic:work']);
		expect(use.code, use.stderr).toBe(0);
		const refreshed = await refresh.result;
		expect(refreshed.code, refreshed.stderr).toBe(0);
		expect(anthropic.answered('token')).toBe(1);

		const profiles = JSON.parse(
			await fs.readFile(path.join(store, 'profiles.json'), 'utf8'),
		) as {profiles: Record<string, Record<string, unknown>>};
		const filed = profiles.profiles['anthropic:home']!;
		expect(filed['refresh']).not.toBe(home.refresh);
		expect(filed['account']).toBe('me@home.example');
		expect((await setup.readAuth())['anthropic']?.['refresh']).toBe(
			work.refresh,
		);

		// The filed token is the live one: refreshing it works, as home.
		const again = await setup.run(['refresh', 'anthropic:home', '--force']);
		expect(again.code, again.stderr).toBe(0);
		const after = JSON.parse(
			await fs.readFile(path.join(store, 'profiles.json'), 'utf8'),
		) as {profiles: Record<string, Record<string, unknown>>};
		expect(after.profiles['anthropic:home']).toMatchObject({
			account: 'me@home.example',
		});
		expect(after.profiles['anthropic:home']).not.toHaveProperty('needsLogin');
	});
});
