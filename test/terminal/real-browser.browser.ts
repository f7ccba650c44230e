import fs from 'node:fs/promises';
import path from 'node:path';
import {type Browser, chromium} from 'playwright-core';
import {afterEach, beforeEach, describe, expect, inject, it} from 'vitest';
import {isLoopbackUrl} from '../../source/oauth/loopback.js';
import {type Sandbox, startSandbox} from '../../source/sandbox/sandbox.js';
import {cleanEnv} from '../helpers/cli.js';
import {spawnPty} from '../helpers/pty.js';
import {makeTempDir} from '../helpers/temp-dir.js';

// Found by vitest.browser.config.ts (test/helpers/find-browser.ts); without one the run never starts.
const BROWSER = inject('browserPath');

let sandbox: Sandbox;
let browser: Browser | undefined;
beforeEach(async () => {
	sandbox = await startSandbox();
});
afterEach(async () => {
	await browser?.close();
	browser = undefined;
	await sandbox.close();
});

describe('a real browser', () => {
	it('approves on the sandbox sign-in page, lands on the wizard callback, and the wizard finishes by itself', async () => {
		const home = await makeTempDir();
		const file = path.join(home, 'auth.json');
		const config = path.join(home, 'pi-auth.json');
		await fs.writeFile(config, JSON.stringify(sandbox.config));
		const wizard = spawnPty(
			[
				'login',
				'openai-codex',
				'--method',
				'oauth',
				'--no-browser',
				'--config',
				config,
				'--auth-file',
				file,
			],
			{env: cleanEnv(home), cols: 100},
		);
		await wizard.waitFor('Waiting for the browser to come back to localhost:');
		// The link is printed above the live screen, soft-wrapped: one URL once the rows are joined.
		const screen = await wizard.waitFor(
			/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+originator=pi/,
		);
		const url = /http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+/.exec(
			screen,
		)?.[0];
		expect(url, screen).toBeDefined();

		browser = await chromium.launch({
			executablePath: BROWSER,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
				'--disable-dev-shm-usage',
			],
			timeout: 20_000,
		});
		const context = await browser.newContext();
		// Nothing but loopback: the sandbox and the wizard's callback.
		const blocked: string[] = [];
		await context.route('**/*', async route => {
			const target = route.request().url();
			if (isLoopbackUrl(target)) {
				await route.continue();
			} else {
				blocked.push(target);
				await route.abort();
			}
		});
		const page = await context.newPage();
		await page.goto(url!);
		expect(await page.textContent('body')).toContain('Codex CLI');
		await page.getByRole('button', {name: 'Approve'}).click();
		await page.waitForURL(/^http:\/\/localhost:\d+\/auth\/callback\?/, {
			timeout: 10_000,
		});
		expect(await page.textContent('body')).toContain('you can close this tab');

		const done = await wizard.waitFor(
			'Signed in to OpenAI Codex (ChatGPT Plus/Pro) with browser sign-in',
		);
		expect(done).toContain(`Saved to  ${file}`);
		expect(blocked).toEqual([]);
		wizard.write('q');
		expect(await wizard.exited()).toBe(0);
	});
});
