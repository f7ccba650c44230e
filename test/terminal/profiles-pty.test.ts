/*
Profiles in a real terminal (issue 12), the built CLI in a pseudo-terminal against the sandbox:
the panel's switch (select an inactive profile, Enter or s, confirm) and the wizard's
add-another-account path (the account step, the sign-in, the name step offering a name taken from
the account).
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {type Sandbox, startSandbox} from '../../source/sandbox/sandbox.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {spawnPty} from '../helpers/pty.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const HOUR = 3_600_000;

let sandbox: Sandbox;
beforeEach(async () => {
	sandbox = await startSandbox();
});
afterEach(async () => {
	await sandbox.close();
});

type Entry = Record<string, unknown>;

/** A temp agent folder with the credential file (and a profile store), and the CLI's flags. */
const world = async (auth: Record<string, Entry>, profiles?: object) => {
	const home = await makeTempDir();
	const file = path.join(home, 'auth.json');
	const config = path.join(home, 'pi-auth.json');
	await fs.writeFile(config, JSON.stringify(sandbox.config));
	await fs.writeFile(file, JSON.stringify(auth));
	const store = path.join(home, 'pi-auth', 'profiles.json');
	if (profiles) {
		await fs.mkdir(path.dirname(store), {recursive: true});
		await fs.writeFile(store, JSON.stringify(profiles));
	}

	return {
		env: cleanEnv(home),
		args: ['--no-browser', '--config', config, '--auth-file', file],
		readAuth: async () =>
			JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, Entry>,
		readStore: async () =>
			JSON.parse(await fs.readFile(store, 'utf8')) as {
				active: Record<string, string>;
				profiles: Record<string, Entry>;
			},
	};
};

const anthropicEntry = (email: string) => {
	const grant = sandbox.anthropic.issueGrant({email});
	return {
		type: 'oauth',
		access: grant.access,
		refresh: grant.refresh,
		expires: Date.now() + 3 * HOUR,
		account: email,
	};
};

describe('profiles in a real terminal', () => {
	it('the panel switches to an inactive profile after asking, and pi-auth token follows', async () => {
		const home = anthropicEntry('me@home.example');
		const work = anthropicEntry('me@work.example');
		const w = await world(
			{anthropic: home},
			{
				version: 1,
				active: {anthropic: 'default'},
				profiles: {'anthropic:work': work},
				activeAccounts: {anthropic: {account: 'me@home.example'}},
			},
		);
		const panel = spawnPty(['status', ...w.args], {env: w.env, rows: 50});
		let screen = await panel.waitFor(/default ● active · me@home\.example/);
		expect(screen).toMatch(/^ Anthropic \(Claude Pro\/Max\)$/m);
		expect(screen).toMatch(/work · me@work\.example \[valid\]/);
		// Usage per profile: each block has its own windows.
		await panel.waitFor(/(5h [\s\S]*){2}/);

		panel.write('\u001B[B');
		await panel.waitFor(/❯ work · me@work\.example/);
		panel.write('s');
		screen = await panel.waitFor('Switch Anthropic (Claude Pro/Max) to work');
		expect(screen).toContain('(me@work.example)? pi then uses this account.');
		panel.write('n');
		await panel.waitFor('q quit');
		expect((await w.readAuth())['anthropic']).toEqual(home);

		panel.write('\r');
		await panel.waitFor('Switch Anthropic (Claude Pro/Max) to work');
		panel.write('y');
		screen = await panel.waitFor(
			'Now using anthropic:work: pi uses this account.',
		);
		expect(screen).toMatch(/work ● active · me@work\.example/);
		// The selection stays on the account chosen: profiles keep their places.
		expect(screen).toMatch(/❯ work ● active/);
		expect((await w.readAuth())['anthropic']).toEqual(work);
		const store = await w.readStore();
		expect(store.active).toEqual({anthropic: 'work'});
		expect(store.profiles).toEqual({'anthropic:default': home});
		const token = await runCli(['token', 'anthropic', ...w.args], {env: w.env});
		expect(token.stdout).toBe(`${String(work['access'])}\n`);

		panel.write('q');
		expect(await panel.exited()).toBe(0);
		for (const secret of sandbox.anthropic.secrets()) {
			expect(panel.raw()).not.toContain(secret);
		}
	});

	it('the wizard adds another account to a provider that has one, named after the account', async () => {
		const home = anthropicEntry('me@home.example');
		const w = await world({anthropic: home});
		const wizard = spawnPty(
			['login', 'anthropic', '--method', 'oauth', ...w.args],
			{
				env: w.env,
			},
		);
		let screen = await wizard.waitFor(
			'Anthropic (Claude Pro/Max): you have an account here.',
		);
		expect(screen).toContain('default (me@home.example) — active, pi uses it');
		expect(screen).toMatch(/❯ Add another account/);
		expect(screen).toContain('Sign in to default again');
		wizard.write('\r');

		sandbox.anthropic.settings.email = 'Jane.Doe@work.example';
		screen = await wizard.waitFor(
			/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+state=\S+/,
		);
		const link = /http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+/.exec(
			screen,
		)![0];
		expect((await fetch(await sandbox.anthropic.approve(link))).status).toBe(
			200,
		);

		screen = await wizard.waitFor('Name this account:');
		expect(screen).toContain(
			'Signed in to Anthropic (Claude Pro/Max) as Jane.Doe@work.example.',
		);
		expect(screen).toContain('Enter keeps jane.doe.');
		// Nothing is saved before the name.
		expect(await w.readAuth()).toEqual({anthropic: home});
		wizard.write('default\r');
		await wizard.waitFor("default is another account's profile already");
		wizard.write('\r');
		screen = await wizard.waitFor(
			'anthropic:jane.doe is stored as an inactive profile',
		);
		expect(screen).toMatch(/pi-auth use\s+anthropic:jane\.doe/);
		wizard.write('q');
		expect(await wizard.exited()).toBe(0);

		expect(await w.readAuth()).toEqual({anthropic: home});
		const store = await w.readStore();
		expect(store.profiles['anthropic:jane.doe']).toMatchObject({
			type: 'oauth',
			account: 'Jane.Doe@work.example',
		});
	});
});
