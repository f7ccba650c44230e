/*
Once a provider has answered a refresh, its tokens reach the file (issue: hardening, item 5): the
refresh token that bought them is spent, so losing them logs the account out. Two ways the write
used to fail after the answer: the process paused past the lock's 30 s while another took the lock
over and wrote, and a write error. Both are produced for real here: SIGSTOP on the built CLI, and a
credential file whose folder stops being a folder.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {setupSandbox} from './sandbox-cli.js';
import {waitUntil} from '../helpers/wait-until.js';

const HOUR = 3_600_000;

const validCodex = (grant: {
	access: string;
	refresh: string;
	accountId: string;
}) => ({
	type: 'oauth',
	access: grant.access,
	refresh: grant.refresh,
	expires: Date.now() + HOUR,
	accountId: grant.accountId,
});

describe('rotated tokens always reach the file', () => {
	it('a refresh paused past its lock, while another process takes the lock over and writes, keeps both writes', async () => {
		const setup = await setupSandbox();
		const {codex} = setup.sandbox;
		const grant = codex.issueGrant();
		await setup.writeAuth({'openai-codex': validCodex(grant)});
		// The answer comes a moment after the request, so the process can be paused in between.
		codex.fail('token', {delayMs: 400});
		const paused = setup.start(['refresh', 'openai-codex', '--force']);
		await waitUntil(() => codex.count('token') === 1, 'the refresh request');
		paused.signal('SIGSTOP');
		await waitUntil(() => codex.answered('token') === 1, 'the rotated tokens');

		// 30 s later the lock is stale; another pi-auth takes it over and signs in elsewhere.
		const lock = `${setup.authFile}.lock`;
		const old = new Date(Date.now() - 40_000);
		await fs.utimes(lock, old, old);
		const other = await setup.run(
			['login', 'anthropic', '--method', 'api-key'],
			'sk-ant-api03-OTHERPROCESS\n',
		);
		expect(other.code, other.stderr).toBe(0);

		paused.signal('SIGCONT');
		const result = await paused.result;
		expect(result.code, result.stderr).toBe(0);
		const data = await setup.readAuth();
		expect(data['anthropic']).toEqual({
			type: 'api_key',
			key: 'sk-ant-api03-OTHERPROCESS',
		});
		const entry = data['openai-codex']!;
		expect(entry['refresh']).not.toBe(grant.refresh);
		expect(entry).not.toHaveProperty('needsLogin');
		// The stored refresh token is the live one: the next refresh works.
		expect((await setup.run(['refresh', 'openai-codex', '--force'])).code).toBe(
			0,
		);
		expect(codex.count('token')).toBe(2);
	});

	it('a write that fails after the answer keeps the tokens in the recovery file, and the next command writes them', async () => {
		const setup = await setupSandbox();
		const {codex} = setup.sandbox;
		const grant = codex.issueGrant();
		// auth.json links into a folder that goes away while the refresh waits for its answer.
		const store = path.join(path.dirname(setup.authFile), 'store');
		await fs.mkdir(store, {recursive: true});
		const real = path.join(store, 'auth.json');
		await fs.writeFile(
			real,
			JSON.stringify({'openai-codex': validCodex(grant)}),
		);
		await fs.symlink(real, setup.authFile);
		const saved = await fs.readFile(real, 'utf8');
		codex.fail('token', {delayMs: 400});
		const refresh = setup.start(['refresh', 'openai-codex', '--force']);
		await waitUntil(() => codex.count('token') === 1, 'the refresh request');
		await fs.rm(store, {recursive: true, force: true});
		await fs.writeFile(store, 'not a folder any more');

		const result = await refresh.result;
		expect(result.code, result.stderr).toBe(0);
		const recovery = path.join(
			path.dirname(setup.authFile),
			'pi-auth',
			'recovery.json',
		);
		expect(result.stderr).toContain(
			`The refreshed openai-codex tokens could not be written to ${setup.authFile}`,
		);
		expect(result.stderr).toContain(`They are kept in ${recovery}`);
		setup.expectNoSecrets(result);
		expect((await fs.stat(recovery)).mode & 0o777).toBe(0o600);

		// The folder is back, holding the spent token: the next command writes the kept ones.
		await fs.rm(store);
		await fs.mkdir(store);
		await fs.writeFile(real, saved);
		const token = await setup.run(['token', 'openai-codex']);
		expect(token.code, token.stderr).toBe(0);
		expect(token.stderr).toMatch(
			/Wrote the refreshed openai-codex tokens kept from an earlier refresh/,
		);
		const entry = JSON.parse(await fs.readFile(real, 'utf8'))['openai-codex'];
		expect(entry.refresh).not.toBe(grant.refresh);
		expect(token.stdout).toBe(`${entry.access}\n`);
		await expect(fs.stat(recovery)).rejects.toThrow();
		expect(codex.count('token')).toBe(1);
	});

	it('drops kept tokens when the entry was replaced meanwhile (a new sign-in wins)', async () => {
		const setup = await setupSandbox();
		const recovery = path.join(
			path.dirname(setup.authFile),
			'pi-auth',
			'recovery.json',
		);
		await fs.mkdir(path.dirname(recovery), {recursive: true});
		await fs.writeFile(
			recovery,
			JSON.stringify([
				{
					id: 'openai-codex',
					spent: 'rt_SPENTELSEWHERE',
					entry: {type: 'oauth', access: 'old', refresh: 'rt_KEPT', expires: 1},
				},
			]),
		);
		const fresh = validCodex(setup.sandbox.codex.issueGrant());
		await setup.writeAuth({'openai-codex': fresh});
		const status = await setup.run(['status', '--json']);
		expect(status.stderr).toBe('');
		expect((await setup.readAuth())['openai-codex']).toEqual(fresh);
		await expect(fs.stat(recovery)).rejects.toThrow();
	});
});
