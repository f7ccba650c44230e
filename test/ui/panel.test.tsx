import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {PassThrough} from 'node:stream';
import type {CommandContext} from '../../source/commands/io.js';
import {createAuthStore} from '../../source/credentials/store.js';
import {
	type PanelRuntime,
	createPanelRuntime,
} from '../../source/engine/panel-runtime.js';
import {type Sandbox, startSandbox} from '../../source/sandbox/sandbox.js';
import {Panel} from '../../source/ui/panel/panel.js';
import {startOfLocalDay} from '../../source/usage/history.js';
import {ServicesContext} from '../../source/ui/services-context.js';
import {keys, renderUi} from '../helpers/ink.js';
import {makeServices} from '../helpers/services.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let sandbox: Sandbox;
let runtimes: PanelRuntime[] = [];

beforeEach(async () => {
	sandbox = await startSandbox();
});
afterEach(async () => {
	for (const runtime of runtimes.splice(0)) await runtime.stop();
	await sandbox.close();
});

const anthropicEntry = (expiresIn: number) => {
	const grant = sandbox.anthropic.issueGrant();
	return {
		type: 'oauth',
		access: grant.access,
		refresh: grant.refresh,
		expires: Date.now() + expiresIn,
		account: 'alice@example.com',
	};
};

const codexEntry = (expiresIn: number) => {
	const grant = sandbox.codex.issueGrant();
	return {
		type: 'oauth',
		access: grant.access,
		refresh: grant.refresh,
		expires: Date.now() + expiresIn,
		accountId: grant.accountId,
	};
};

const setup = async (
	data: Record<string, unknown>,
	/** What another process left in the usage cache (pi-auth/usage.json). */
	cache?: unknown,
) => {
	const directory = await makeTempDir();
	const file = path.join(directory, 'auth.json');
	await fs.writeFile(file, JSON.stringify(data));
	if (cache !== undefined) {
		await fs.mkdir(path.join(directory, 'pi-auth'), {mode: 0o700});
		await fs.writeFile(
			path.join(directory, 'pi-auth', 'usage.json'),
			JSON.stringify(cache),
		);
	}

	const services = makeServices({file, config: sandbox.config});
	await services.store.getState().reload();
	const context: CommandContext = {
		store: services.store,
		config: sandbox.config,
		env: {},
		now: Date.now,
		stdin: new PassThrough(),
		stdout: new PassThrough(),
		stderr: new PassThrough(),
		fetch: async () => globalThis.fetch,
		json: false,
	};
	const runtime = await createPanelRuntime(context);
	runtimes.push(runtime);
	const exits: number[] = [];
	const ui = await renderUi(
		<ServicesContext.Provider value={services}>
			<Panel
				runtime={runtime}
				onExit={code => {
					exits.push(code);
				}}
			/>
		</ServicesContext.Provider>,
	);
	runtime.start();
	const read = async () =>
		JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			Record<string, unknown>
		>;
	return {ui, file, exits, read, runtime};
};

describe('the live status panel', () => {
	it('shows each credential with its state, ticking expiry and usage bars', async () => {
		const {ui} = await setup({
			anthropic: anthropicEntry(3 * 3_600_000),
			'openai-codex': codexEntry(10 * MINUTE),
		});
		const screen = await ui.waitFor('7d-sonnet');
		expect(screen).toContain('pi-auth status');
		expect(screen).toContain('2 credentials');
		expect(screen).toMatch(
			/❯ Anthropic \(Claude Pro\/Max\) · alice@example\.com \[valid\]/,
		);
		expect(screen).toMatch(/OAuth · file · expires in 2h 59m/);
		expect(screen).toMatch(/5h\s+█+░+\s+42% used · resets in/);
		await ui.waitFor(/7d\s+█+░+\s+61% used/);
		const first = /expires in (9m \d+s)/.exec(ui.frame())?.[1];
		expect(first).toBeDefined();
		// The countdown moves on by itself, once a second.
		await ui.waitFor(new RegExp(`expires in 9m (?!${first!.slice(3)})\\d+s`));
		await ui.unmount();
	});

	it('refreshes a token that is about to expire in the background, exactly once', async () => {
		const {ui, read} = await setup({'openai-codex': codexEntry(4 * MINUTE)});
		await ui.waitFor(/refreshed \d+s ago/);
		const saved = await read();
		expect(Number(saved['openai-codex']?.['expires'])).toBeGreaterThan(
			Date.now() + 24 * 3_600_000,
		);
		// Nothing is due any more: a later look still shows one refresh request.
		await ui.waitFor('[valid]');
		expect(sandbox.codex.count('token')).toBe(1);
		await ui.unmount();
	});

	it('moves the selection, toggles used/left, and fetches usage now on r', async () => {
		const {ui} = await setup({
			anthropic: anthropicEntry(3 * 3_600_000),
			'openai-codex': codexEntry(3 * 3_600_000),
		});
		await ui.waitFor(/7d\s+█+░+\s+61% used/);
		await ui.press(keys.down);
		await ui.waitFor(/❯ OpenAI Codex/);
		// The bar is filled as far as the number beside it says: used, then left.
		const fill = (frame: string, text: string) => {
			const match = new RegExp(`7d\\s+(█+)(░+)\\s+${text}`).exec(frame);
			if (!match) throw new Error(`no 7d bar with ${text}`);
			return match[1]!.length / (match[1]!.length + match[2]!.length);
		};

		expect(fill(ui.frame(), '61% used')).toBeCloseTo(0.61, 1);
		await ui.press('u');
		await ui.waitFor(/7d\s+█+░+\s+39% left/);
		expect(fill(ui.frame(), '39% left')).toBeCloseTo(0.39, 1);
		const before = sandbox.codex.count('usage');
		await ui.press('r');
		const deadline = Date.now() + 5000;
		while (sandbox.codex.count('usage') === before && Date.now() < deadline) {
			await new Promise(resolve => {
				setTimeout(resolve, 20);
			});
		}

		expect(sandbox.codex.count('usage')).toBe(before + 1);
		await ui.unmount();
	});

	it('says it is fetching usage after r until the answer comes, and says when that fetch failed', async () => {
		const {ui} = await setup({'openai-codex': codexEntry(3 * HOUR)});
		await ui.waitFor(/7d\s+█+░+\s+61% used/);
		expect(ui.frame()).not.toContain('fetching usage…');
		// The provider takes its time: long enough to be seen waiting.
		sandbox.codex.fail('usage', {delayMs: 800});
		const before = sandbox.codex.count('usage');
		await ui.press('r');
		await ui.waitFor('fetching usage…');
		await ui.waitFor(/^(?![\s\S]*fetching usage…)/);
		expect(sandbox.codex.count('usage')).toBe(before + 1);
		expect(ui.frame()).toMatch(/7d\s+█+░+\s+61% used/);
		expect(ui.frame()).not.toContain('last fetch failed');

		sandbox.codex.fail('usage', {status: 503, delayMs: 800});
		await ui.press('r');
		await ui.waitFor('fetching usage…');
		await ui.waitFor(/usage is \d+s old — last fetch failed: /);
		expect(ui.frame()).not.toContain('fetching usage…');
		// The usage already on screen stays, marked with its age and the failure.
		expect(ui.frame()).toMatch(/7d\s+█+░+\s+61% used/);
		await ui.unmount();
	});

	it('says when another process refreshed a token (another pi-auth, pi), and not for a mere change of fields', async () => {
		const entry = codexEntry(3 * HOUR);
		const {ui, file} = await setup({
			'openai-codex': entry,
			anthropic: anthropicEntry(3 * HOUR),
		});
		await ui.waitFor(/7d\s+█+░+\s+61% used/);
		const other = createAuthStore({file});
		await other.getState().reload();
		// Not a refresh: the same tokens with another field.
		await other.getState().save('anthropic', {
			...(other.getState().data['anthropic'] as Record<string, unknown>),
			account: 'bob@example.com',
		} as never);
		await ui.waitFor('bob@example.com', 3000);
		// A refresh: new tokens that last longer.
		const renewed = codexEntry(10 * HOUR);
		await other.getState().save('openai-codex', renewed as never);
		const screen = await ui.waitFor(
			/refreshed by another process [0-3]s ago/,
			3000,
		);
		expect(screen.match(/refreshed by another process/g)).toHaveLength(1);
		expect(screen).toMatch(
			/OpenAI Codex[^\n]*\n\s+OAuth · file · expires in 9h 59m[^\n]*\n\s+refreshed by another process/,
		);
		// This panel refreshed nothing itself.
		expect(sandbox.codex.count('token')).toBe(0);
		await ui.unmount();
	});

	it('refreshes the selected token now on R, even while it is valid', async () => {
		const {ui, read} = await setup({'openai-codex': codexEntry(3 * 3_600_000)});
		await ui.waitFor(/7d\s+█+░+\s+61% used/);
		const before = (await read())['openai-codex']?.['refresh'];
		expect(sandbox.codex.count('token')).toBe(0);
		await ui.press('R');
		await ui.waitFor(/refreshed \d+s ago/);
		expect(sandbox.codex.count('token')).toBe(1);
		expect((await read())['openai-codex']?.['refresh']).not.toBe(before);
		await ui.unmount();
	});

	it('says once why R has nothing to refresh (an API key, an entry pi signed in to), promising no retry', async () => {
		const {ui, runtime} = await setup({
			anthropic: {type: 'api_key', key: 'sk-ant-api03-PANELKEY'},
			'google-gemini-cli': {
				type: 'oauth',
				access: 'ya29.x',
				refresh: '1//r',
				expires: Date.now() + 3_600_000,
			},
		});
		await ui.waitFor('google-gemini-cli');
		expect(ui.frame()).toMatch(/google-gemini-cli \[valid\]/);
		expect(ui.frame()).toMatch(/OAuth · file · signed in with pi/);
		await ui.press('R');
		await ui.waitFor(
			'Anthropic (Claude Pro/Max) uses an API key: it does not expire, so there is nothing to refresh.',
		);
		await ui.press(keys.down, 'R');
		await ui.waitFor('pi-auth does not sign in to google-gemini-cli');
		expect(ui.frame()).not.toMatch(/Retrying|Refresh failed/);
		expect(runtime.state.getState().activity).toEqual({});
		// The notice goes with the next key.
		await ui.press('u');
		expect(ui.frame()).not.toMatch(/does not sign in/);
		await ui.unmount();
	});

	it('asks before signing out, and removes only what was confirmed', async () => {
		const {ui, read} = await setup({
			anthropic: anthropicEntry(3 * 3_600_000),
			'openai-codex': codexEntry(3 * 3_600_000),
			'other-tool': {type: 'api_key', key: 'keep'},
		});
		await ui.waitFor('3 credentials');
		await ui.press('d');
		await ui.waitFor(
			'Sign out of Anthropic (Claude Pro/Max)? This removes it from',
		);
		await ui.press('n');
		await ui.waitFor('q quit');
		expect(Object.keys(await read())).toContain('anthropic');
		await ui.press('d');
		await ui.waitFor(/y\s+to confirm/);
		await ui.press('y');
		await ui.waitFor('2 credentials');
		expect(ui.frame()).not.toContain('Anthropic (Claude');
		expect(Object.keys(await read()).sort()).toEqual([
			'openai-codex',
			'other-tool',
		]);
		await ui.unmount();
	});

	it('shows a file that turned corrupt truthfully, changes nothing, and recovers by itself when it is fixed', async () => {
		const entry = codexEntry(3 * 3_600_000);
		const {ui, file, exits} = await setup({'openai-codex': entry});
		await ui.waitFor(/OpenAI Codex.*\[valid\]/);
		await fs.writeFile(file, '{"openai-codex": ');
		await ui.waitFor('is not valid JSON', 3000);
		// Once, and what is listed is named for what it is: the file as last read.
		expect(ui.frame().match(/is not valid JSON/g)).toHaveLength(1);
		expect(ui.frame()).toMatch(/\[valid when last read\]/);
		for (const key of ['d', 'R', 'l']) {
			await ui.press(key);
			await ui.waitFor('The credential file cannot be read (see above)');
			expect(ui.frame()).not.toMatch(/y\s+to confirm|Which subscription/);
		}

		expect(await fs.readFile(file, 'utf8')).toBe('{"openai-codex": ');
		// Fixed by hand: the banner and the notice go, the entry is current again, no key needed.
		await fs.writeFile(file, JSON.stringify({'openai-codex': entry}));
		await ui.waitFor(/OpenAI Codex.*\[valid\]/, 3000);
		expect(ui.frame()).not.toMatch(
			/not valid JSON|cannot be read|when last read/,
		);
		expect(exits).toEqual([]);
		await ui.unmount();
	});

	it('shows what another process writes to the file, within a second or two', async () => {
		const {ui, file} = await setup({anthropic: anthropicEntry(3 * 3_600_000)});
		await ui.waitFor('1 credential');
		// Another process: its own store over the same file.
		const other = createAuthStore({file});
		await other
			.getState()
			.save('openai-codex', codexEntry(3 * 3_600_000) as never);
		await ui.waitFor('2 credentials', 3000);
		await other.getState().remove(['anthropic']);
		await ui.waitFor('1 credential', 3000);
		expect(ui.frame()).not.toContain('Anthropic (Claude');
		await ui.unmount();
	});

	it('keeps one provider polling when another is rate-limited, and marks the stale one', async () => {
		sandbox.anthropic.fail('usage', {status: 429, count: 1000});
		const {ui} = await setup({
			anthropic: anthropicEntry(3 * 3_600_000),
			'openai-codex': codexEntry(3 * 3_600_000),
		});
		await ui.waitFor(/usage: .*rate-limiting requests \(HTTP 429\)/);
		await ui.waitFor(/7d\s+█+░+\s+61% used/);
		await ui.unmount();
	});

	it('draws each window’s history from the usage cache: a sparkline, and for a weekly window today’s use', async () => {
		const now = Date.now();
		const midnight = startOfLocalDay(now);
		// Six days of readings every six hours, the last an hour before midnight at 10.5 %.
		const points = Array.from({length: 24}, (_, index) => [
			Math.floor((midnight - HOUR - (23 - index) * 6 * HOUR) / 1000),
			index === 23 ? 10.5 : index / 3,
		]);
		const {ui} = await setup(
			{anthropic: anthropicEntry(3 * HOUR)},
			{
				version: 1,
				entries: {
					'anthropic:default': {
						provider: 'anthropic',
						seenAt: now - HOUR,
						history: {
							'7d': points,
							'5h': [[Math.floor((now - HOUR) / 1000), 20]],
						},
					},
				},
			},
		);
		// The fake answers 18.5 % for the week: 8 points since midnight.
		const screen = await ui.waitFor(
			/7d\s+█+░+\s+19% used · resets in [^·]+· [▁-█ ]+ \+8% today/,
		);
		// One reading an hour ago and the one now: a start of a trend for the 5-hour window.
		expect(screen).toMatch(
			/5h\s+█+░+\s+42% used · resets in [^·]+· [▁-█ ]*[▁-█]$/m,
		);
		await ui.unmount();
	});

	it('says when a credential needs a new sign-in', async () => {
		const entry = {
			...codexEntry(-MINUTE),
			needsLogin: {reason: 'refresh_token_reused', at: Date.now()},
		};
		const {ui} = await setup({'openai-codex': entry});
		const screen = await ui.waitFor('[needs login]');
		expect(screen).toContain(
			'The provider refused the refresh token (refresh_token_reused). Press l to sign in again.',
		);
		expect(sandbox.codex.count('token')).toBe(0);
		await ui.unmount();
	});

	it('is friendly when empty, opens the wizard on l, and comes back on Esc; q quits with 0', async () => {
		const {ui, exits} = await setup({});
		await ui.waitFor('No credentials yet — press l to sign in.');
		await ui.press('l');
		await ui.waitFor('Which subscription do you want to sign in to?');
		expect(ui.frame()).toContain('Esc back to the panel');
		await ui.press(keys.escape);
		await ui.waitFor('No credentials yet');
		// The wizard opened from the panel leaves no title of its own above it.
		expect(ui.frame()).not.toContain('sign in to your AI subscriptions');
		await ui.press('q');
		expect(exits).toEqual([0]);
		await ui.unmount();
	});
});
