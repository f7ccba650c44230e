/*
The six new providers in the wizard, in a real pseudo-terminal against the sandbox: each method as a
person walks it (choose the method, open or approve, see the success screen), and what the screen
says that is particular to them (policy notes, "does not expire", the whole-URL paste).
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {type Sandbox, startSandbox} from '../../source/sandbox/sandbox.js';
import {cleanEnv} from '../helpers/cli.js';
import {type PtySession, pressUntil, spawnPty} from '../helpers/pty.js';
import {makeTempDir} from '../helpers/temp-dir.js';

let sandbox: Sandbox;
beforeEach(async () => {
	const fast = {deviceInterval: 0.05};
	sandbox = await startSandbox({
		xai: fast,
		kimi: fast,
		meta: fast,
		radius: fast,
	});
});
afterEach(async () => {
	await sandbox.close();
});

const start = async (args: string[], data?: Record<string, unknown>) => {
	const home = await makeTempDir();
	const file = path.join(home, 'auth.json');
	const config = path.join(home, 'pi-auth.json');
	await fs.writeFile(config, JSON.stringify(sandbox.config));
	if (data) await fs.writeFile(file, JSON.stringify(data));
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
const linkOn = async (session: PtySession, pattern: RegExp) =>
	pattern.exec(await session.waitFor(pattern))![0];

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
	return screen;
};

/**
Types into a masked field that may not listen yet: the step's text can reach the screen a moment
before its input handler subscribes, and a key sent then is dropped (never delivered late). So the
first character is sent until its bullet shows (bounded), then the rest.
*/
const typeMasked = async (session: PtySession, text: string) => {
	for (let attempt = 0; ; attempt++) {
		session.write(text.slice(0, 1));
		try {
			await session.waitFor('•', 1000);
			break;
		} catch (error) {
			if (attempt >= 4) throw error;
		}
	}

	session.write(text.slice(1));
	await session.waitFor('•'.repeat(text.length));
};

/** Picks a method by its number in the wizard's list. */
const pick = async (session: PtySession, provider: string, index: number) => {
	await session.waitFor(`How do you want to sign in to ${provider}`);
	// The first key of the session: see pressUntil.
	await pressUntil(
		session,
		String(index),
		/Paste your API key|Preparing the sign-in link|Sign in to .+ (?:in your browser|with a device code)|Asking .+ for a device code/,
	);
};

describe('the six new providers in the wizard, in a real terminal', () => {
	it('the provider list names all nine', async () => {
		const {session} = await start(['login']);
		const screen = await session.waitFor('Radius');
		for (const name of [
			'Anthropic (Claude Pro/Max)',
			'OpenAI Codex (ChatGPT Plus/Pro)',
			'GitHub Copilot',
			'OpenAI (Sign in with ChatGPT)',
			'xAI (SuperGrok / X Premium)',
			'Kimi Code',
			'OpenRouter',
			'Meta (Muse)',
			"Radius (pi's gateway)",
		]) {
			expect(screen).toContain(name);
		}

		session.write('\u001B');
		expect(await session.exited()).toBe(1);
	});

	it('openai · browser sign-in through the callback', async () => {
		const {session, file, saved} = await start(['login', 'openai']);
		await pick(session, 'OpenAI (Sign in with ChatGPT)', 1);
		const link = await linkOn(
			session,
			/http:\/\/127\.0\.0\.1:\d+\/api\/accounts\/authorize\S+nonce=\S+/,
		);
		await session.waitFor('Or paste the whole address the browser ended on');
		await fetch(await sandbox.chatgpt.approve(link));
		await finish(
			session,
			'Signed in to OpenAI (Sign in with ChatGPT) with browser sign-in',
			file,
		);
		expect((await saved())['openai']).toMatchObject({
			clientId: expect.stringMatching(/^app_agent_/) as string,
		});
	});

	it('openai · a pasted bare code is refused on screen; the whole URL signs in', async () => {
		const {session, file} = await start([
			'login',
			'openai',
			'--method',
			'oauth',
		]);
		const link = await linkOn(
			session,
			/http:\/\/127\.0\.0\.1:\d+\/api\/accounts\/authorize\S+nonce=\S+/,
		);
		const redirect = new URL(await sandbox.chatgpt.approve(link));
		session.write(`${redirect.searchParams.get('code')}\r`);
		await session.waitFor('Paste the whole address the browser ended on');
		session.write(`${redirect.href}\r`);
		await finish(
			session,
			'Signed in to OpenAI (Sign in with ChatGPT) with browser sign-in',
			file,
		);
	});

	for (const [id, name, fake, index] of [
		['xai', 'xAI (SuperGrok / X Premium)', 'xai', 1],
		['kimi-coding', 'Kimi Code', 'kimi', 1],
		['meta', 'Meta (Muse)', 'meta', 1],
		['radius', "Radius (pi's gateway)", 'radius', 2],
	] as const) {
		it(`${id} · device code`, async () => {
			const {session, file, saved} = await start(['login', id]);
			await pick(session, name, index);
			const code = await codeOn(session);
			await sandbox[fake].approveDevice(code);
			await finish(session, `Signed in to ${name} with a device code`, file);
			expect((await saved())[id]).toMatchObject({type: 'oauth'});
		});
	}

	it('xai · the method list shows its terms note on the device method', async () => {
		const {session} = await start(['login', 'xai']);
		const screen = await session.waitFor('How do you want to sign in to xAI');
		expect(screen).toContain(
			'Note: xAI agreed to pi using subscription sign-in',
		);
		session.write('\u0003');
		expect(await session.exited()).toBe(130);
	});

	it('openrouter · browser sign-in; success says the key does not expire', async () => {
		const {session, file} = await start(['login', 'openrouter']);
		await pick(session, 'OpenRouter', 1);
		const link = await linkOn(
			session,
			/http:\/\/127\.0\.0\.1:\d+\/auth\?\S+S256/,
		);
		await fetch(await sandbox.openrouter.approve(link));
		const screen = await finish(
			session,
			'Signed in to OpenRouter with browser sign-in',
			file,
		);
		expect(screen).toContain(
			'never (the key from this sign-in does not expire)',
		);
	});

	it('radius · browser sign-in after discovery', async () => {
		const {session, file} = await start(['login', 'radius']);
		await pick(session, "Radius (pi's gateway)", 1);
		const link = await linkOn(
			session,
			/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+handoff=url\S*/,
		);
		await fetch(await sandbox.radius.approve(link));
		await finish(
			session,
			"Signed in to Radius (pi's gateway) with browser sign-in",
			file,
		);
	});

	for (const [id, name, index] of [
		['openai', 'OpenAI (Sign in with ChatGPT)', 2],
		['xai', 'xAI (SuperGrok / X Premium)', 2],
		['kimi-coding', 'Kimi Code', 2],
		['openrouter', 'OpenRouter', 2],
		['meta', 'Meta (Muse)', 2],
		['radius', "Radius (pi's gateway)", 3],
	] as const) {
		it(`${id} · API key typed into the masked field`, async () => {
			const {session, file, saved} = await start(['login', id]);
			await pick(session, name, index);
			await session.waitFor('Paste your API key');
			await typeMasked(session, 'PTYKEY-0123456789');
			expect(await session.screen()).not.toContain('PTYKEY');
			session.write('\r');
			await finish(session, `Signed in to ${name} with an API key`, file);
			expect((await saved())[id]).toEqual({
				type: 'api_key',
				key: 'PTYKEY-0123456789',
			});
		});
	}

	it('the panel: OpenRouter "does not expire", usage "not available" for the six, never 0 %', async () => {
		const later = Date.now() + 3_600_000;
		const {session} = await start(['status'], {
			openrouter: {
				type: 'oauth',
				access: 'sk-or-v1-PANEL',
				refresh: '',
				expires: Number.MAX_SAFE_INTEGER,
			},
			xai: {
				type: 'oauth',
				access: 'xai-at-PANEL',
				refresh: 'r',
				expires: later,
			},
			'kimi-coding': {type: 'api_key', key: 'kimi-PANEL'},
		});
		const screen = await session.waitFor(/Kimi Code[\s\S]*not available/);
		expect(screen).toMatch(
			/OpenRouter[^\n]*\[valid\]\n\s+API key \(from sign-in\) · file · does not expire/,
		);
		expect(screen).toMatch(
			/xAI \(SuperGrok \/ X Premium\)[^\n]*\[valid\]\n\s+OAuth · file · expires in 59m/,
		);
		expect(screen).not.toContain('287396');
		expect(screen).not.toMatch(/\b0%/);
		expect(screen.match(/Usage is not available/g)?.length).toBe(3);
		session.write('q');
		expect(await session.exited()).toBe(0);
	});
});
