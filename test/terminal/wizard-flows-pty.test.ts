import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {type Sandbox, startSandbox} from '../../source/sandbox/sandbox.js';
import {cleanEnv} from '../helpers/cli.js';
import {type PtySession, spawnPty} from '../helpers/pty.js';
import {makeTempDir} from '../helpers/temp-dir.js';

let sandbox: Sandbox;
beforeEach(async () => {
	sandbox = await startSandbox({
		codex: {deviceInterval: '0.05'},
		github: {deviceInterval: 0.05},
	});
});
afterEach(async () => {
	await sandbox.close();
});

const start = async (args: string[]) => {
	const home = await makeTempDir();
	const file = path.join(home, 'auth.json');
	const config = path.join(home, 'pi-auth.json');
	await fs.writeFile(config, JSON.stringify(sandbox.config));
	const session = spawnPty(
		[...args, '--no-browser', '--config', config, '--auth-file', file],
		{env: cleanEnv(home)},
	);
	const saved = async () =>
		JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			Record<string, unknown>
		>;
	return {session, file, saved};
};

/** The sign-in link, printed above the live screen (soft-wrapped rows joined). */
const linkOn = async (session: PtySession) => {
	const screen = await session.waitFor(
		/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+state=\S+/,
	);
	return /http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+/.exec(screen)![0];
};

/** The device code, shown spaced out in its box. */
const codeOn = async (session: PtySession) => {
	const screen = await session.waitFor(/│\s+(?:[A-Z0-9-] ){3,}[A-Z0-9-]\s+│/);
	return /│\s+((?:[A-Z0-9-] ){3,}[A-Z0-9-])\s+│/
		.exec(screen)![1]!
		.replaceAll(' ', '');
};

const finish = async (session: PtySession, text: string, file: string) => {
	const screen = await session.waitFor(text);
	expect(screen).toContain(`Saved to  ${file}`);
	session.write('q');
	expect(await session.exited()).toBe(0);
};

describe('every provider and method, in a real terminal, against the sandbox', () => {
	it('anthropic · browser sign-in, the browser coming back to the callback', async () => {
		const {session, file, saved} = await start([
			'login',
			'anthropic',
			'--method',
			'oauth',
		]);
		const callback = await sandbox.anthropic.approve(await linkOn(session));
		expect((await fetch(callback)).status).toBe(200);
		await finish(
			session,
			'Signed in to Anthropic (Claude Pro/Max) with browser sign-in',
			file,
		);
		expect((await saved())['anthropic']).toMatchObject({type: 'oauth'});
	});

	it('anthropic · browser sign-in, the redirect URL pasted', async () => {
		const {session, file} = await start([
			'login',
			'anthropic',
			'--method',
			'oauth',
		]);
		const redirect = await sandbox.anthropic.approve(await linkOn(session));
		session.write(`${redirect}\r`);
		await finish(
			session,
			'Signed in to Anthropic (Claude Pro/Max) with browser sign-in',
			file,
		);
	});

	it('anthropic · API key typed into the masked field', async () => {
		const {session, file, saved} = await start(['login', 'anthropic']);
		await session.waitFor('How do you want to sign in to Anthropic');
		session.write('3');
		await session.waitFor('Paste your API key');
		session.write('sk-ant-api03-PTYKEY');
		await session.waitFor('•••••••••••••••••••');
		expect(await session.screen()).not.toContain('PTYKEY');
		session.write('\r');
		await finish(
			session,
			'Signed in to Anthropic (Claude Pro/Max) with an API key',
			file,
		);
		expect((await saved())['anthropic']).toEqual({
			type: 'api_key',
			key: 'sk-ant-api03-PTYKEY',
		});
	});

	it('openai-codex · browser sign-in through the callback', async () => {
		const {session, file, saved} = await start([
			'login',
			'openai-codex',
			'--method',
			'oauth',
		]);
		const callback = await sandbox.codex.approve(await linkOn(session));
		await fetch(callback);
		await finish(
			session,
			'Signed in to OpenAI Codex (ChatGPT Plus/Pro) with browser sign-in',
			file,
		);
		expect((await saved())['openai-codex']).toMatchObject({
			accountId: expect.any(String),
		});
	});

	it('openai-codex · device code', async () => {
		const {session, file} = await start([
			'login',
			'openai-codex',
			'--method',
			'device',
		]);
		await sandbox.codex.approveDevice(await codeOn(session));
		await finish(
			session,
			'Signed in to OpenAI Codex (ChatGPT Plus/Pro) with a device code',
			file,
		);
	});

	it('github-copilot · device code, with the enterprise host asked in the wizard', async () => {
		const {session, file, saved} = await start(['login', 'github-copilot']);
		await session.waitFor('GitHub Enterprise host?');
		session.write('ghe.example.com\r');
		const screen = await session.waitFor('with a device code');
		expect(screen).toContain('(ghe.example.com)');
		await sandbox.github.approveDevice(await codeOn(session));
		await finish(
			session,
			'Signed in to GitHub Copilot with a device code',
			file,
		);
		expect((await saved())['github-copilot']).toMatchObject({
			enterpriseUrl: 'ghe.example.com',
			account: 'octo-fake',
		});
	});
});
