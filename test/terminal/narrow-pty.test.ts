import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
	type Sandbox,
	signedInEntries,
	startSandbox,
} from '../../source/sandbox/sandbox.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {pressUntil, spawnPty} from '../helpers/pty.js';
import {makeTempDir} from '../helpers/temp-dir.js';

let sandbox: Sandbox;
beforeEach(async () => {
	sandbox = await startSandbox();
});
afterEach(async () => {
	await sandbox.close();
});

const DOWN = '\u001B[B';
// "resets in 2h 10m (15:20)", "resets in 3d 7h (Sat 13:34)", "… (2027-01-01 00:00)".
const RESET =
	/resets in \d+[dhms](?: \d+[dhms])? \((?:[A-Z][a-z]{2} |\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}\)/g;
// "expires in 2h 59m (08:34)", or with the date when that is tomorrow.
const EXPIRY =
	/expires in \d+[dhms](?: \d+[dhms])? \((?:\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}\)/g;
const PANEL_HINTS = [
	'↑/↓ select',
	'Enter/s use this account',
	'r usage now',
	'R refresh token',
	'l sign in',
	'd sign out',
	'u show left',
	'q quit',
];

/**
What a narrow terminal must never show (issue 14): a line the terminal had to wrap (the pty helper
joins such rows back into one, so it is wider than the terminal), more lines than it has, or a
phrase cut in two: every "resets"/"expires" starts a phrase that is whole on its line.
*/
const expectFits = (screen: string, cols: number, rows: number) => {
	const lines = screen.split('\n');
	expect(lines.length, screen).toBeLessThanOrEqual(rows);
	for (const line of lines) {
		expect([...line].length, `too wide: ${line}`).toBeLessThanOrEqual(cols);
	}

	for (const [word, whole] of [
		['resets', RESET],
		['expires', EXPIRY],
	] as const) {
		const count = screen.split(word).length - 1;
		expect(screen.match(whole)?.length ?? 0, screen).toBe(count);
	}
};

const expectHints = (screen: string, hints: readonly string[]) => {
	const lines = screen.split('\n');
	for (const hint of hints) {
		expect(
			lines.some(line => line.includes(hint)),
			`${hint} in\n${screen}`,
		).toBe(true);
	}
};

const writeThreeProviders = async (home: string) => {
	const file = path.join(home, 'auth.json');
	const config = path.join(home, 'pi-auth.json');
	await fs.writeFile(config, JSON.stringify(sandbox.config));
	const entries = signedInEntries(sandbox, Date.now());
	await fs.writeFile(
		file,
		JSON.stringify({
			...entries,
			// An account beside the name makes the first line long, as it is for most people.
			anthropic: {...entries.anthropic, account: 'alice@example.com'},
		}),
	);
	return ['--auth-file', file, '--config', config];
};

describe('narrow terminals: everything wraps to the width, no phrase is cut', () => {
	for (const [cols, rows] of [
		[80, 24],
		[60, 20],
	] as const) {
		it(`the panel with three providers and their usage at ${cols}×${rows}`, async () => {
			const home = await makeTempDir();
			const args = await writeThreeProviders(home);
			const panel = spawnPty(['status', ...args], {
				env: cleanEnv(home),
				cols,
				rows,
			});
			// Anthropic's four windows, each with its reset time.
			let screen = await panel.waitFor(/7d-sonnet[^\n]*(\n.*)?resets in/);
			expect(screen).toMatch(/❯ Anthropic \(Claude Pro\/Max\)/);
			expectFits(screen, cols, rows);
			expectHints(screen, PANEL_HINTS);
			expect(screen.match(RESET)?.length).toBeGreaterThanOrEqual(4);

			screen = await pressUntil(panel, DOWN, /❯ OpenAI Codex/);
			screen = await panel.waitFor(/61% used[^\n]*(\n.*)?resets in/);
			expectFits(screen, cols, rows);
			expectHints(screen, PANEL_HINTS);

			// Copilot's monthly window resets at a date: the longest reset phrase.
			screen = await pressUntil(panel, DOWN, /❯ GitHub Copilot/);
			screen = await panel.waitFor(/premium[^\n]*(\n.*)?resets in/);
			expect(screen).toMatch(RESET);
			expectFits(screen, cols, rows);
			expectHints(screen, PANEL_HINTS);

			panel.write('q');
			expect(await panel.exited()).toBe(0);
		});

		it(`the wizard's first screens at ${cols}×${rows}`, async () => {
			const home = await makeTempDir();
			const wizard = spawnPty([], {env: cleanEnv(home), cols, rows});
			let screen = await wizard.waitFor(
				'Which subscription do you want to sign in to?',
			);
			screen = await wizard.waitFor('Esc quit');
			expect(screen).toContain('❯ Anthropic (Claude Pro/Max)');
			expectFits(screen, cols, rows);
			expectHints(screen, ['↑/↓ choose', 'Enter select', 'Esc quit']);

			screen = await pressUntil(wizard, DOWN, '❯ OpenAI Codex');
			screen = await pressUntil(
				wizard,
				'\r',
				'How do you want to sign in to OpenAI Codex',
			);
			screen = await wizard.waitFor('Esc back');
			expect(screen).toMatch(/❯ Browser sign-in/);
			expectFits(screen, cols, rows);
			expectHints(screen, ['↑/↓ choose', 'Enter select', 'Esc back']);

			wizard.write('\u0003');
			expect(await wizard.exited()).toBe(130);
		});
	}
});

describe('the panel says who refreshed a token', () => {
	it('another process refreshing while the panel runs shows as "refreshed by another process", with a small age', async () => {
		const home = await makeTempDir();
		const args = await writeThreeProviders(home);
		const env = cleanEnv(home);
		const panel = spawnPty(['status', ...args], {env, rows: 40});
		await panel.waitFor(/OpenAI Codex .*\[valid\]/);
		expect(await panel.screen()).not.toContain('refreshed');

		const refresh = await runCli(
			['refresh', '--force', 'openai-codex', ...args],
			{env},
		);
		expect(refresh.code).toBe(0);
		const screen = await panel.waitFor(
			/refreshed by another process \d+s ago/,
			5000,
		);
		// Only the entry that was refreshed, and seen within a few seconds of the write.
		expect(
			screen.match(/refreshed by another process ([0-5])s ago/g),
		).toHaveLength(1);
		expect(sandbox.codex.count('token')).toBe(1);
		panel.write('q');
		expect(await panel.exited()).toBe(0);
	});
});
