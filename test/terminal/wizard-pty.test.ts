import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cleanEnv} from '../helpers/cli.js';
import {pressUntil, spawnPty} from '../helpers/pty.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const SETUP_TOKEN = `sk-ant-oat01-${'P'.repeat(80)}PTYSECRET`;

const start = async (args: string[]) => {
	const home = await makeTempDir();
	const file = path.join(home, '.pi', 'agent', 'auth.json');
	const session = spawnPty(args, {env: cleanEnv(home)});
	return {session, file};
};

describe('the wizard in a real terminal', () => {
	it('signs in with a pasted setup token and says where it was saved', async () => {
		const {session, file} = await start([]);
		await session.waitFor('Which subscription do you want to sign in to?');
		// On a loaded machine a key written as a list appears can be lost (pressUntil says why).
		await pressUntil(session, '\r', 'How do you want to sign in to Anthropic');
		await pressUntil(session, '\u001B[B', '❯ Setup token');
		await pressUntil(session, '\r', 'Paste your setup token');
		// The field takes keys (a typed x shows as a dot, and is erased) before the token goes in once.
		await pressUntil(session, 'x', '> •');
		await pressUntil(session, '\u007F', '> paste here');
		// A bracketed paste that ends with a newline, as a terminal delivers it.
		session.write(`\u001B[200~${SETUP_TOKEN}\n\u001B[201~`);
		const screen = await session.waitFor(
			'Signed in to Anthropic (Claude Pro/Max) with a setup token',
		);
		expect(screen).toContain(`Saved to  ${file}`);
		expect(screen).not.toContain('PTYSECRET');
		session.write('q');
		expect(await session.exited()).toBe(0);
		expect(session.raw()).not.toContain('PTYSECRET');
		const saved = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			{access: string}
		>;
		expect(saved['anthropic']?.access).toBe(SETUP_TOKEN);
	});

	it('exits 130 on Ctrl+C and shows the cursor again', async () => {
		const {session, file} = await start(['login', 'anthropic']);
		await session.waitFor('How do you want to sign in to Anthropic');
		session.write('\u0003');
		expect(await session.exited()).toBe(130);
		expect(await session.screen()).toContain('Cancelled: nothing was saved.');
		// Ink hides the cursor while it runs and must show it again on the way out.
		expect(session.raw()).toContain('\u001B[?25h');
		await expect(fs.stat(file)).rejects.toThrow();
	});

	it('ends the same way on SIGINT: exit 130, nothing saved', async () => {
		const {session, file} = await start([
			'login',
			'openai-codex',
			'--method',
			'oauth',
		]);
		await session.waitFor('Waiting for the browser');
		session.signal('SIGINT');
		expect(await session.exited()).toBe(130);
		expect(await session.screen()).toContain('Cancelled: nothing was saved.');
		await expect(fs.stat(file)).rejects.toThrow();
	});

	it('starts at the step after the flags given, and refuses an unknown provider with exit 2', async () => {
		const {session} = await start([
			'login',
			'anthropic',
			'--method',
			'api-key',
		]);
		await session.waitFor('Paste your API key for Anthropic');
		session.write('\u001B');
		await session.waitFor('Which subscription do you want to sign in to?');
		session.write('\u0003');
		expect(await session.exited()).toBe(130);

		const unknown = await start(['login', 'nope']);
		expect(await unknown.session.exited()).toBe(2);
		expect(await unknown.session.screen()).toContain(
			'Unknown provider "nope". Valid providers: anthropic, openai-codex, github-copilot, openai, xai, kimi-coding, openrouter, meta, radius.',
		);
	});

	it('prints the help (exit 2) for a bare pi-auth that cannot be a wizard: --json in a terminal', async () => {
		const {session} = await start(['--json']);
		expect(await session.exited()).toBe(2);
		const screen = await session.screen();
		expect(screen).toContain('Usage');
		expect(screen).toContain('pi-auth login      sign in');
	});
});
