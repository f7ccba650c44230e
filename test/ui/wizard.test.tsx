import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ServicesContext} from '../../source/ui/services-context.js';
import type {Services} from '../../source/ui/services.js';
import {Wizard} from '../../source/ui/wizard/wizard.js';
import {initialWizardState} from '../../source/ui/wizard/wizard-state.js';
import {findProvider} from '../../source/providers/registry.js';
import {keys, renderUi} from '../helpers/ink.js';
import {makeServices} from '../helpers/services.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const SETUP_TOKEN = `sk-ant-oat01-${'T'.repeat(80)}WIZARDSECRET`;

const setup = async (data?: unknown) => {
	const directory = await makeTempDir();
	const file = path.join(directory, 'auth.json');
	if (data !== undefined) await fs.writeFile(file, JSON.stringify(data));
	const services = makeServices({file});
	await services.store.getState().reload();
	return {file, services};
};

const renderWizard = async (
	services: Services,
	presets: Parameters<typeof initialWizardState>[0] = {},
) => {
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
	return {ui, exits};
};

describe('the wizard', () => {
	it('lists every provider with what it uses, and a badge for one already signed in', async () => {
		const {services} = await setup({
			anthropic: {
				type: 'oauth',
				access: 'sk-ant-oat01-x',
				refresh: 'r',
				expires: Date.now() + 3 * 3_600_000 + 60_000,
			},
		});
		const {ui} = await renderWizard(services);
		const screen = await ui.waitFor('Which subscription');
		expect(screen).toContain(
			'Anthropic (Claude Pro/Max) — Claude Pro or Max subscription',
		);
		expect(screen).toContain(
			'OpenAI Codex (ChatGPT Plus/Pro) — ChatGPT Plus or Pro subscription',
		);
		expect(screen).toContain('GitHub Copilot');
		expect(screen).toMatch(/Anthropic.*\[signed in · expires in 3h 0m\]/);
		expect(screen).not.toMatch(/Codex.*signed in/);
		// The policy note of the highlighted provider.
		expect(screen).toContain('Note: Anthropic bills or blocks');
		await ui.unmount();
	});

	it('walks forward and back with Esc, and Esc on the first step cancels with exit 1', async () => {
		const {services} = await setup();
		const {ui, exits} = await renderWizard(services);
		await ui.waitFor('Which subscription');
		await ui.press(keys.down, keys.enter);
		await ui.waitFor('How do you want to sign in to OpenAI Codex');
		expect(ui.frame()).toContain(
			'Device code — enter a short code on any device; works over SSH',
		);
		await ui.press(keys.escape);
		await ui.waitFor('Which subscription');
		await ui.press(keys.escape);
		await ui.waitFor('Cancelled: nothing was saved.');
		expect(exits).toEqual([1]);
		await ui.unmount();
	});

	it('does not lose keys that arrive in one burst', async () => {
		const {services} = await setup();
		const {ui} = await renderWizard(services);
		await ui.waitFor('Which subscription');
		await ui.press(keys.enter);
		await ui.waitFor('How do you want to sign in to Anthropic');
		// Down, Down, Enter in a single read, as a fast typist or a terminal multiplexer sends them.
		await ui.write(`${keys.down}${keys.down}${keys.enter}`);
		await ui.waitFor('Paste your API key for Anthropic');
		await ui.unmount();
	});

	it('refuses a wrong setup token inline, keeps the file as it was, then saves a pasted one', async () => {
		const {file, services} = await setup({
			'other-tool': {type: 'api_key', key: 'keep'},
		});
		const before = await fs.readFile(file, 'utf8');
		const {ui, exits} = await renderWizard(services, {
			provider: findProvider('anthropic')!,
			method: 'setup-token',
		});
		await ui.waitFor('Paste your setup token');
		await ui.write('sk-ant-oat01-too-short\r');
		await ui.waitFor('This is not a setup token');
		expect(await fs.readFile(file, 'utf8')).toBe(before);
		// The refusal was about the last value: it goes as soon as a new one is typed.
		await ui.press('s');
		expect(ui.frame()).not.toContain('This is not a setup token');
		await ui.press(keys.backspace);
		// A bracketed paste with a trailing newline: markers stripped, the newline submits.
		await ui.write(`\u001B[200~${SETUP_TOKEN}\u001B[201~`);
		expect(ui.frame()).not.toContain('WIZARDSECRET');
		expect(ui.frame()).toContain('••••');
		await ui.write('\r');
		const screen = await ui.waitFor(
			'Signed in to Anthropic (Claude Pro/Max) with a setup token',
		);
		expect(screen).toContain(`Saved to  ${file}`);
		expect(screen).toMatch(/Expires\s+\d{4}-\d\d-\d\d \d\d:\d\d \(in 36[45]d/);
		expect(screen).not.toContain('WIZARDSECRET');
		const saved = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			{access?: string; key?: string}
		>;
		expect(saved['anthropic']?.access).toBe(SETUP_TOKEN);
		expect(saved['other-tool']?.key).toBe('keep');
		expect(((await fs.stat(file)).mode & 0o777).toString(8)).toBe('600');
		// Enter: another provider, now with a badge.
		await ui.press(keys.enter);
		await ui.waitFor(/Anthropic.*\[signed in · expires in 36[45]d/);
		expect(exits).toEqual([]);
		await ui.unmount();
	});

	it('takes a typed API key character by character, with backspace', async () => {
		const {file, services} = await setup();
		const {ui} = await renderWizard(services, {
			provider: findProvider('anthropic')!,
			method: 'api-key',
		});
		await ui.waitFor('Paste your API key');
		await ui.press(...'sk-ant-api03-KEYx'.split(''), keys.backspace);
		expect(ui.frame()).toContain('•'.repeat(16));
		await ui.press(...'Y'.split(''), keys.enter);
		await ui.waitFor('Signed in to Anthropic (Claude Pro/Max) with an API key');
		expect(ui.frame()).toContain('never (an API key does not expire)');
		const saved = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			unknown
		>;
		expect(saved['anthropic']).toEqual({
			type: 'api_key',
			key: 'sk-ant-api03-KEYY',
		});
		await ui.unmount();
	});

	it('quits with 130 on Ctrl+C, and finishes with 0 from the success screen', async () => {
		const first = await setup();
		const interrupted = await renderWizard(first.services);
		await interrupted.ui.waitFor('Which subscription');
		await interrupted.ui.press(keys.ctrlC);
		await interrupted.ui.waitFor('Cancelled');
		expect(interrupted.exits).toEqual([130]);
		await interrupted.ui.unmount();

		const second = await setup();
		const done = await renderWizard(second.services, {
			provider: findProvider('anthropic')!,
			method: 'api-key',
		});
		await done.ui.waitFor('Paste your API key');
		await done.ui.write('sk-ant-api03-finish\r');
		await done.ui.waitFor('Signed in');
		await done.ui.press('q');
		await done.ui.waitFor('Saved to');
		expect(done.exits).toEqual([0]);
		expect(done.ui.frame()).not.toContain('sign in to another provider');
		await done.ui.unmount();
	});

	it('checks the GitHub Enterprise host before going on', async () => {
		const {services} = await setup();
		const {ui} = await renderWizard(services);
		await ui.waitFor('Which subscription');
		await ui.press(keys.down, keys.down, keys.enter);
		await ui.waitFor('GitHub Enterprise host?');
		await ui.write('not a host');
		await ui.press(keys.enter);
		await ui.waitFor('That is not a GitHub Enterprise host name');
		await ui.press(keys.escape);
		await ui.waitFor('Which subscription');
		await ui.unmount();
	});
});

describe('presets from the command line', () => {
	it('applies --method once a provider that has it is chosen (pi-auth login --method api-key)', async () => {
		const {services} = await setup();
		const {ui} = await renderWizard(services, {method: 'api-key'});
		await ui.waitFor('Which subscription');
		await ui.press(keys.enter);
		await ui.waitFor('Paste your API key for Anthropic');
		await ui.unmount();
	});

	it('asks for the method where the chosen provider lacks the preset one', async () => {
		const {services} = await setup();
		const {ui} = await renderWizard(services, {method: 'api-key'});
		await ui.waitFor('Which subscription');
		await ui.press(keys.down, keys.enter);
		await ui.waitFor('How do you want to sign in to OpenAI Codex');
		await ui.unmount();
	});
});
