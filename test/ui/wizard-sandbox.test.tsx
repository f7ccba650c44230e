import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {findProvider} from '../../source/providers/registry.js';
import {type Sandbox, startSandbox} from '../../source/sandbox/sandbox.js';
import {ServicesContext} from '../../source/ui/services-context.js';
import {Wizard} from '../../source/ui/wizard/wizard.js';
import {initialWizardState} from '../../source/ui/wizard/wizard-state.js';
import {keys, renderUi} from '../helpers/ink.js';
import {makeServices} from '../helpers/services.js';
import {makeTempDir} from '../helpers/temp-dir.js';
import {canConnect} from '../oauth/local-server.js';

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

const setup = async (
	presets: Parameters<typeof initialWizardState>[0] = {},
	{canOpenBrowser = false}: {canOpenBrowser?: boolean} = {},
) => {
	const directory = await makeTempDir();
	const file = path.join(directory, 'auth.json');
	const services = makeServices({
		file,
		config: sandbox.config,
		canOpenBrowser,
	});
	await services.store.getState().reload();
	const exits: number[] = [];
	const ui = await renderUi(
		<ServicesContext.Provider value={services}>
			<Wizard
				initial={initialWizardState(presets)}
				onExit={code => {
					exits.push(code);
				}}
			/>
		</ServicesContext.Provider>,
	);
	const read = async () =>
		JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			Record<string, unknown>
		>;
	return {ui, file, services, exits, read};
};

const authorizeUrlIn = (screen: string): string => {
	const url = /http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+/.exec(
		screen,
	)?.[0];
	if (!url) throw new Error(`No sign-in link on screen:\n${screen}`);
	return url;
};

const portIn = (screen: string): number =>
	Number(/localhost:(\d+)/.exec(screen)?.[1] ?? Number.NaN);

describe('the wizard against the offline sandbox', () => {
	it('prints the link once, refuses a wrong paste inline, and moves on by itself when the browser comes back', async () => {
		const {ui, read, file} = await setup({
			provider: findProvider('openai-codex')!,
			method: 'oauth',
		});
		const screen = await ui.waitFor(
			'Waiting for the browser to come back to localhost:',
		);
		expect(screen).toContain(
			'Sign-in link for OpenAI Codex (ChatGPT Plus/Pro):',
		);
		const url = authorizeUrlIn(screen);
		// The URL is one line, never inside a box and never broken by the UI.
		expect(screen.split('\n').some(line => line.trim() === url)).toBe(true);
		await ui.write('not a code\r');
		await ui.waitFor('The pasted text contains spaces');
		await ui.write(
			`http://localhost:1455/auth/callback?code=abc&state=${'0'.repeat(32)}\r`,
		);
		await ui.waitFor('belongs to a different sign-in attempt');

		const callback = await sandbox.codex.approve(url);
		expect((await fetch(callback)).status).toBe(200);
		const done = await ui.waitFor(
			'Signed in to OpenAI Codex (ChatGPT Plus/Pro) with browser sign-in',
		);
		expect(done).toContain('Account   codex-user@example.com');
		expect(done).toContain(`Saved to  ${file}`);
		expect(done).toMatch(/Expires\s+.*\(in (9d 23h|10d 0h)\)/);
		const saved = await read();
		expect(saved['openai-codex']).toMatchObject({
			type: 'oauth',
			accountId: expect.any(String),
		});
		expect(await canConnect(portIn(screen))).toBe(false);
		await ui.unmount();
	});

	it('takes a pasted redirect URL while the callback server waits', async () => {
		const {ui, read} = await setup({
			provider: findProvider('anthropic')!,
			method: 'oauth',
		});
		const screen = await ui.waitFor('Waiting for the browser');
		const redirect = await sandbox.anthropic.approve(authorizeUrlIn(screen));
		// A long paste in one chunk with a trailing CR, as a terminal delivers it.
		await ui.write(`${redirect}\r`);
		await ui.waitFor(
			'Signed in to Anthropic (Claude Pro/Max) with browser sign-in',
		);
		expect((await read())['anthropic']).toMatchObject({
			type: 'oauth',
			refresh: expect.stringMatching(/^sk-ant-ort01-/),
		});
		expect(await canConnect(portIn(screen))).toBe(false);
		await ui.unmount();
	});

	it('closes the callback server when the user goes back with Esc', async () => {
		const {ui} = await setup({
			provider: findProvider('openai-codex')!,
			method: 'oauth',
		});
		const screen = await ui.waitFor('Waiting for the browser');
		expect(await canConnect(portIn(screen))).toBe(true);
		await ui.press(keys.escape);
		await ui.waitFor('Which subscription');
		const deadline = Date.now() + 5000;
		while ((await canConnect(portIn(screen))) && Date.now() < deadline) {
			await new Promise(resolve => {
				setTimeout(resolve, 20);
			});
		}

		expect(await canConnect(portIn(screen))).toBe(false);
		await ui.unmount();
	});

	it('shows a device code large, with the page and the time left, and finishes when it is approved', async () => {
		const {ui, read} = await setup();
		await ui.waitFor('Which subscription');
		await ui.press(keys.down, keys.down, keys.enter);
		await ui.waitFor('GitHub Enterprise host?');
		await ui.write('https://GitHub.Example.com/login');
		await ui.press(keys.enter);
		const screen = await ui.waitFor('Waiting for approval');
		expect(screen).toContain('with a device code');
		expect(screen).toContain(sandbox.github.devicePage);
		expect(screen).toMatch(/the code expires in 1[45]m/);
		const spaced = /│\s+((?:[A-Z0-9-] ){3,}[A-Z0-9-])\s+│/.exec(screen)?.[1];
		expect(spaced).toBeDefined();
		await ui.press('c');
		await ui.waitFor('Code copied to the clipboard.');
		const code = spaced!.replaceAll(' ', '');
		await sandbox.github.approveDevice(code);
		await ui.waitFor('Signed in to GitHub Copilot with a device code');
		expect((await read())['github-copilot']).toMatchObject({
			type: 'oauth',
			enterpriseUrl: 'github.example.com',
			refresh: expect.stringMatching(/^ghu_/),
		});
		await ui.unmount();
	});

	it('shows the engine error with retry and back, and a retry starts afresh', async () => {
		sandbox.codex.fail('deviceUserCode', {status: 404});
		const {ui} = await setup({provider: findProvider('openai-codex')!});
		await ui.waitFor('How do you want to sign in to OpenAI Codex');
		await ui.press(keys.down, keys.enter);
		await ui.waitFor(
			'Device-code sign-in is not enabled for this ChatGPT account',
		);
		expect(ui.frame()).toContain('Enter try again · Esc back');
		await ui.press(keys.enter);
		await ui.waitFor('Waiting for approval');
		expect(sandbox.codex.count('deviceUserCode')).toBe(2);
		await ui.press(keys.escape);
		await ui.waitFor('How do you want to sign in to OpenAI Codex');
		await ui.unmount();
	});

	it('opens the device page by itself where a browser can open, and says what o does', async () => {
		const {ui, services} = await setup({}, {canOpenBrowser: true});
		await ui.waitFor('Which subscription');
		await ui.press(keys.down, keys.enter);
		await ui.waitFor('How do you want to sign in');
		await ui.press(keys.down, keys.enter);
		const screen = await ui.waitFor('Waiting for approval');
		expect(screen).toContain('Your browser should open this page');
		expect(services.opened).toEqual([
			sandbox.codex.endpoints.deviceVerification,
		]);
		expect(screen).toContain('o open page');
		// o says what it did: a key that changes nothing visible reads as broken.
		await ui.press('o');
		await ui.waitFor('The page was handed to your browser.');
		expect(services.opened).toHaveLength(2);
		await ui.unmount();
	});

	it('quits on Ctrl+C from the device code without copying it', async () => {
		const {ui, services, exits} = await setup({
			provider: findProvider('github-copilot')!,
			enterpriseDomain: '',
		});
		await ui.waitFor('Waiting for approval');
		await ui.press(keys.ctrlC);
		expect(exits).toEqual([130]);
		expect(services.copied).toEqual([]);
		await ui.unmount();
	});

	it('says when the code was denied, in one sentence with what to do', async () => {
		const {ui} = await setup({
			provider: findProvider('github-copilot')!,
			enterpriseDomain: '',
		});
		const screen = await ui.waitFor('Waiting for approval');
		const code = /│\s+((?:[A-Z0-9-] ){3,}[A-Z0-9-])\s+│/
			.exec(screen)![1]!
			.replaceAll(' ', '');
		await sandbox.github.denyDevice(code);
		await ui.waitFor(
			'The sign-in was denied on GitHub. Start again and choose Authorize.',
		);
		await ui.unmount();
	});
});
