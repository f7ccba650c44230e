import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
	type Sandbox,
	signedInEntries,
	startSandbox,
} from '../../source/sandbox/sandbox.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {spawnPty} from '../helpers/pty.js';
import {makeTempDir} from '../helpers/temp-dir.js';

let sandbox: Sandbox;
beforeEach(async () => {
	sandbox = await startSandbox();
});
afterEach(async () => {
	await sandbox.close();
});

describe('the live panel in a real terminal', () => {
	it('drops an entry another process signs out of, and refreshes a token that expires meanwhile exactly once', async () => {
		const home = await makeTempDir();
		const file = path.join(home, 'auth.json');
		const config = path.join(home, 'pi-auth.json');
		await fs.writeFile(config, JSON.stringify(sandbox.config));
		const anthropic = sandbox.anthropic.issueGrant();
		const codex = sandbox.codex.issueGrant();
		await fs.writeFile(
			file,
			JSON.stringify({
				anthropic: {
					type: 'oauth',
					access: anthropic.access,
					refresh: anthropic.refresh,
					expires: Date.now() + 3 * 3_600_000,
				},
				// Five minutes and four seconds: due for its background refresh about 4 s from now.
				'openai-codex': {
					type: 'oauth',
					access: codex.access,
					refresh: codex.refresh,
					expires: Date.now() + 5 * 60_000 + 4000,
					accountId: codex.accountId,
				},
			}),
		);
		const env = cleanEnv(home);
		const args = ['--auth-file', file, '--config', config];
		const panel = spawnPty(['status', ...args], {env, rows: 40});
		await panel.waitFor('2 credentials');
		await panel.waitFor(/Anthropic \(Claude Pro\/Max\) \[valid\]/);
		expect(sandbox.codex.count('token')).toBe(0);

		const logout = await runCli(['logout', 'anthropic', ...args], {env});
		expect(logout.code).toBe(0);
		const screen = await panel.waitFor('1 credential', 5000);
		expect(screen).not.toContain('Anthropic (Claude Pro/Max)');

		await panel.waitFor(/refreshed \d+s ago/, 15_000);
		const saved = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			{expires: number}
		>;
		expect(saved['openai-codex']?.expires).toBeGreaterThan(
			Date.now() + 3_600_000,
		);
		// Let the panel run on: the new token is far from expiry, so no second refresh follows.
		await panel.waitFor(/refreshed [2-9]s ago/, 10_000);
		expect(sandbox.codex.count('token')).toBe(1);

		panel.write('q');
		expect(await panel.exited()).toBe(0);
		for (const secret of sandbox.codex.secrets())
			expect(panel.raw()).not.toContain(secret);
	});

	it('never grows taller than the terminal: what does not fit is counted, and follows the selection', async () => {
		const home = await makeTempDir();
		const file = path.join(home, 'auth.json');
		const config = path.join(home, 'pi-auth.json');
		await fs.writeFile(config, JSON.stringify(sandbox.config));
		await fs.writeFile(
			file,
			JSON.stringify(signedInEntries(sandbox, Date.now())),
		);
		const rows = 16;
		const panel = spawnPty(
			['status', '--auth-file', file, '--config', config],
			{
				env: cleanEnv(home),
				rows,
			},
		);
		let screen = await panel.waitFor(/7d-sonnet/);
		screen = await panel.waitFor('more');
		expect(screen.split('\n').length).toBeLessThanOrEqual(rows);
		expect(screen).toMatch(/↓ [12] more/);
		expect(screen).toContain('q quit');
		panel.write('\u001B[B\u001B[B');
		screen = await panel.waitFor(/❯ GitHub Copilot/);
		expect(screen).toMatch(/↑ [12] more/);
		expect(screen.split('\n').length).toBeLessThanOrEqual(rows);
		panel.write('q');
		expect(await panel.exited()).toBe(0);
	});

	it('quitting while a token refresh is under way waits for it, so the rotated token is kept', async () => {
		const home = await makeTempDir();
		const file = path.join(home, 'auth.json');
		const config = path.join(home, 'pi-auth.json');
		await fs.writeFile(config, JSON.stringify(sandbox.config));
		const grant = sandbox.codex.issueGrant();
		await fs.writeFile(
			file,
			JSON.stringify({
				'openai-codex': {
					type: 'oauth',
					access: grant.access,
					refresh: grant.refresh,
					expires: Date.now() + 60_000,
					accountId: grant.accountId,
				},
			}),
		);
		// The provider takes its time: the single-use refresh token is spent when the request lands.
		sandbox.codex.fail('token', {delayMs: 1500});
		const env = cleanEnv(home);
		const args = ['--auth-file', file, '--config', config];
		const panel = spawnPty(['status', ...args], {env});
		await panel.waitFor('[refreshing]');
		panel.write('q');
		expect(await panel.exited()).toBe(0);
		expect(panel.raw()).toContain(
			'Finishing the token refresh under way first',
		);
		const saved = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			{refresh: string}
		>;
		expect(saved['openai-codex']?.refresh).not.toBe(grant.refresh);
		const token = await runCli(
			['token', 'openai-codex', '--min-validity', '2m', ...args],
			{env},
		);
		expect(token.stderr).toBe('');
		expect(token.code).toBe(0);
		expect(sandbox.codex.count('token')).toBe(1);
	});
});
