/*
Secrets never reach the terminal UI. The wizard and the live panel run in a pseudo-terminal
against the sandbox's fakes and walk every screen: each provider's sign-in methods (the link with
its copy key, refused pastes, the callback and the pasted redirect, device codes approved and
denied, setup tokens and API keys refused and taken, an exchange that fails and is retried), the
success and error screens, and the panel with every credential (stored and from the environment),
its usage, a refresh, a refresh that fails, a refresh token refused for good, the sign-out
confirmation and the wizard inside it. Everything the program wrote, escape sequences included, is
scanned for any 7-character piece of any secret: every token the fakes issued, this file's API keys
and setup tokens, every PKCE verifier, and every OAuth state outside the authorize URL printed for
its attempt (helpers/secrets.ts has the exact rule). Files beside the credential file are scanned
too.

A mutation that showed the last 12 characters of the refresh token in the panel once passed every
test; the panel walk is what catches it.
*/
import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import {describe, expect, it} from 'vitest';
import {type PtySession, pressUntil, spawnPty} from '../helpers/pty.js';
import {report, waitUntil} from './helpers/processes.js';
import {
	AUTHORIZE_URL,
	WINDOW,
	fragmentsOf,
	leaksIn,
	leaksInFiles,
	oauthSecrets,
	withoutAuthorizeUrls,
} from './helpers/secrets.js';
import {type World, makeWorld} from './helpers/world.js';

const tail = () => randomBytes(18).toString('base64url');
const MINE = {
	apiKey: `sk-ant-api03-${tail()}`,
	envApiKey: `sk-ant-api03-${tail()}`,
	wrongKey: `sk-proj-${tail()}`,
	setupToken: `sk-ant-oat01-${'S'.repeat(60)}${tail()}`,
	shortSetup: `sk-ant-oat01-${tail()}`,
	otherTool: `other-tool-${tail()}`,
};

const ROWS = 60;
const COLS = 120;
const ESC = '\u001B';
const CODE_BOX = /│\s+((?:[A-Z0-9-] ){3,}[A-Z0-9-])\s+│/;

/** The sessions of one walk, and what they wrote. */
const terminal = (world: World) => {
	const sessions: PtySession[] = [];
	return {
		sessions,
		start(args: string[], env: NodeJS.ProcessEnv = {}) {
			const session = spawnPty([...args, ...world.flags], {
				env: {...world.env, ...env},
				rows: ROWS,
				cols: COLS,
			});
			sessions.push(session);
			return session;
		},
		raw: () => sessions.map(session => session.raw()).join('\n'),
		kill() {
			for (const session of sessions) session.kill();
		},
	};
};

const press = pressUntil;

/**
Waits until the focused paste field takes keys (a typed x shows, and is erased again), so that
what is pasted next is written once. A paste sent again could reach the terminal after the program
left raw mode, and the terminal would echo it: a leak of the test's own making.
*/
const fieldReady = async (session: PtySession, masked: boolean) => {
	await press(session, 'x', masked ? '> •' : '> x');
	await press(session, '\u007F', /> (?:paste here|code or redirect URL)/);
};

/** Pastes `text` and Enter once, and waits for what it leads to. */
const paste = async (
	session: PtySession,
	text: string,
	expected: string | RegExp,
) => {
	session.write(`${text}\r`);
	return session.waitFor(expected);
};

/** The sign-in link printed above the live screen (soft-wrapped rows joined). */
const linkOn = async (session: PtySession, attempt = 0) => {
	const pattern = /http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+/g;
	const screen = await session.waitFor(
		new RegExp(`(?:${pattern.source}[\\s\\S]*){${attempt + 1}}`),
	);
	return [...screen.matchAll(pattern)][attempt]![0];
};

const codeOn = async (session: PtySession) =>
	CODE_BOX.exec(await session.waitFor(CODE_BOX))![1]!.replaceAll(' ', '');

/** A provider with an account asks first: the second choice signs in to it again (replaces it). */
const again = async (session: PtySession, next: string | RegExp) => {
	await session.waitFor('you have an account here');
	await press(session, '2', next);
};

/** The success screen, then any key but Enter finishes (the wizard's root handler takes it). */
const finished = async (session: PtySession, title: string) => {
	await session.waitFor(title);
	session.write('q');
	expect(await session.exited()).toBe(0);
};

/** Every secret of the walk, scanned in everything the program wrote and in the files. */
const scan = async (world: World, raw: string) => {
	const {states, verifiers} = oauthSecrets(world);
	const secrets = [...world.secrets(), ...Object.values(MINE), ...verifiers];
	const fragments = fragmentsOf(secrets);
	const stateFragments = fragmentsOf(states);
	const outside = withoutAuthorizeUrls(raw);
	const leaks = [
		...leaksIn(raw, fragments).map(piece => `terminal: ${piece}`),
		...leaksIn(outside, stateFragments).map(
			piece => `terminal, a state outside its URL: ${piece}`,
		),
	];
	const inFiles = await leaksInFiles(world.home, world.authFile, [
		...fragments,
		...stateFragments,
	]);
	leaks.push(...inFiles.leaks);
	return {
		leaks,
		states,
		verifiers,
		figures: {
			'bytes written to the terminal': raw.length,
			'authorize URLs printed': raw.match(AUTHORIZE_URL)?.length ?? 0,
			'secrets checked': `${secrets.length + states.length} (${world.secrets().length} issued by the fakes, ${verifiers.length} PKCE verifiers, ${states.length} OAuth states, ${Object.keys(MINE).length} markers), as ${fragments.length + stateFragments.length} ${WINDOW}-character pieces`,
			'files scanned besides the credential file':
				inFiles.scanned.length === 0 ? 'none' : inFiles.scanned.join(', '),
			'leaks found': leaks.length,
		},
	};
};

describe('secrets in the terminal UI', () => {
	it('the wizard, on every screen of every sign-in, shows none', async () => {
		const world = await makeWorld();
		const {anthropic, codex, github} = world.sandbox;
		const tty = terminal(world);
		const screens = new Set<string>();
		const seen = (name: string) => screens.add(name);
		try {
			// Anthropic in the browser: copy, two refused pastes, then the browser comes back.
			const wizard = tty.start([]);
			await wizard.waitFor('Which subscription do you want to sign in to?');
			seen('provider list');
			await press(wizard, '\r', 'How do you want to sign in to Anthropic');
			seen('method list');
			await press(wizard, '1', 'Sign in to Anthropic (Claude Pro/Max)');
			const url = await linkOn(wizard);
			seen('browser sign-in link');
			await press(wizard, 'c', 'Link copied to the clipboard.');
			await fieldReady(wizard, false);
			await paste(wizard, `not-a-code ${tail()}`, /contains spaces/);
			const stale = new URL(await anthropic.approve(url));
			stale.searchParams.set('state', `stale${tail()}`);
			await paste(wizard, stale.href, /different sign-in attempt/);
			seen('refused pastes');
			expect((await fetch(await anthropic.approve(url))).status).toBe(200);
			await wizard.waitFor(
				'Signed in to Anthropic (Claude Pro/Max) with browser sign-in',
			);
			seen('success');

			// Codex with a device code, copied.
			await press(
				wizard,
				'\r',
				'Which subscription do you want to sign in to?',
			);
			await press(wizard, '2', 'How do you want to sign in to OpenAI Codex');
			await press(wizard, '2', 'Waiting for approval');
			const codexCode = await codeOn(wizard);
			await press(wizard, 'c', 'Code copied to the clipboard.');
			seen('device code');
			await codex.approveDevice(codexCode);
			await wizard.waitFor(
				'Signed in to OpenAI Codex (ChatGPT Plus/Pro) with a device code',
			);

			// Copilot: a refused host, then github.com; denied, retried, approved.
			await press(
				wizard,
				'\r',
				'Which subscription do you want to sign in to?',
			);
			await press(wizard, '3', 'GitHub Enterprise host?');
			await press(wizard, 'x', '> x');
			await press(wizard, '\r', 'That is not a GitHub Enterprise host name');
			seen('enterprise host');
			await press(wizard, '\u007F', '> github.com');
			await press(wizard, '\r', 'Waiting for approval');
			await github.denyDevice(await codeOn(wizard));
			await wizard.waitFor('The sign-in was denied on GitHub');
			seen('error');
			await press(wizard, '\r', 'Waiting for approval');
			await github.approveDevice(await codeOn(wizard));
			await finished(wizard, 'Signed in to GitHub Copilot with a device code');

			// A setup token and an API key, each refused once, then taken.
			// Anthropic has an account by now: each sign-in replaces it (the second choice).
			const setup = tty.start(['login', 'anthropic']);
			await again(setup, 'How do you want to sign in to Anthropic');
			await press(setup, '2', 'Paste your setup token');
			await fieldReady(setup, true);
			await paste(setup, MINE.shortSetup, 'This is not a setup token');
			await paste(setup, MINE.setupToken, /with a setup token/);
			seen('setup token');
			await finished(setup, 'with a setup token');
			const key = tty.start(['login', 'anthropic', '--method', 'api-key']);
			await again(key, 'Paste your API key');
			await fieldReady(key, true);
			await paste(key, MINE.wrongKey, 'This is not an API key');
			await paste(key, MINE.apiKey, /with an API key/);
			seen('API key');
			await finished(key, 'with an API key');

			// Codex in the browser, the redirect URL pasted.
			const pasted = tty.start(['login', 'openai-codex', '--method', 'oauth']);
			await again(pasted, 'Sign-in link');
			const redirect = await codex.approve(await linkOn(pasted));
			await fieldReady(pasted, false);
			await paste(pasted, redirect, /with browser sign-in/);
			seen('pasted redirect');
			await finished(pasted, 'with browser sign-in');

			// An exchange that fails, shown, then retried with a new link.
			anthropic.fail('token', {status: 500});
			const retried = tty.start(['login', 'anthropic', '--method', 'oauth']);
			await again(retried, 'Sign-in link');
			await fetch(await anthropic.approve(await linkOn(retried)));
			await retried.waitFor('had a server error (HTTP 500)');
			await press(retried, '\r', /attempt 2/);
			await fetch(await anthropic.approve(await linkOn(retried, 1)));
			seen('failed exchange, retried');
			await finished(retried, 'with browser sign-in');

			// A denied Codex device code, then Esc all the way out.
			const denied = tty.start(['login', 'openai-codex', '--method', 'device']);
			await again(denied, CODE_BOX);
			await codex.denyDevice(await codeOn(denied));
			await denied.waitFor('Access was denied');
			await press(denied, ESC, 'Which subscription do you want to sign in to?');
			await press(denied, ESC, 'Cancelled: nothing was saved.');
			expect(await denied.exited()).toBe(1);
			seen('cancelled');
		} finally {
			tty.kill();
		}

		const raw = tty.raw();
		const {leaks, states, verifiers, figures} = await scan(world, raw);
		expect(states.length).toBeGreaterThanOrEqual(4);
		// The exception is real: each state is on the terminal, inside the URL printed for it.
		for (const state of states) {
			expect(raw).toContain(state);
			expect(withoutAuthorizeUrls(raw)).not.toContain(state);
		}

		expect(verifiers.length).toBeGreaterThanOrEqual(5);
		expect(leaks, 'secrets or pieces of them on the terminal').toEqual([]);
		report('secrets in the wizard (pseudo-terminal)', {
			sessions: tty.sessions.length,
			'screens walked': [...screens].join(', '),
			...figures,
		});
	});

	it('the panel, with every credential and every state it shows, shows none', async () => {
		const world = await makeWorld();
		const {anthropic, codex, github} = world.sandbox;
		const grant = anthropic.issueGrant();
		const codexGrant = codex.issueGrant();
		const hour = 3_600_000;
		await world.writeAuth({
			// Four minutes left: refreshed in the background at once.
			anthropic: {
				type: 'oauth',
				access: grant.access,
				refresh: grant.refresh,
				expires: Date.now() + 4 * 60_000,
			},
			'openai-codex': {
				type: 'oauth',
				access: codexGrant.access,
				refresh: codexGrant.refresh,
				expires: Date.now() + hour,
				accountId: codexGrant.accountId,
			},
			'github-copilot': {
				type: 'oauth',
				access: 'tid=stale-copilot-token',
				refresh: github.issueGithubToken(),
				expires: Date.now() + hour,
			},
			'some-other-tool': {type: 'api_key', key: MINE.otherTool},
		});
		const tty = terminal(world);
		const screens = new Set<string>();
		const seen = (name: string) => screens.add(name);
		try {
			const panel = tty.start(['status']);
			// Three of pi-auth's, and another tool's key, listed as pi's (unmanaged).
			await panel.waitFor('4 credentials');
			await panel.waitFor(/refreshed \d+s ago/);
			await panel.waitFor(/(?:% used[\s\S]*){3}/);
			seen('every credential with usage');
			await press(panel, 'u', /% left/);
			seen('usage left');
			const fetches = anthropic.count('usage');
			panel.write('r');
			await waitUntil(
				'usage fetched now on r',
				() => anthropic.count('usage') > fetches,
			);
			const refreshes = anthropic.count('token');
			panel.write('R');
			await waitUntil(
				'the token refreshed on R',
				() => anthropic.count('token') > refreshes,
			);
			seen('refresh');

			codex.fail('token', {status: 500});
			await press(panel, 'j', '❯ OpenAI Codex');
			panel.write('R');
			await panel.waitFor('Refresh failed:');
			seen('refresh failed');

			github.fail('copilotToken', {
				status: 401,
				body: {message: 'Bad credentials'},
			});
			await press(panel, 'j', '❯ GitHub Copilot');
			panel.write('R');
			await panel.waitFor('The provider refused the refresh token');
			seen('needs login');

			await press(panel, 'd', 'Sign out of GitHub Copilot?');
			await press(panel, 'n', /q quit/);
			await press(panel, 'd', 'Sign out of GitHub Copilot?');
			seen('sign-out confirmation');
			await press(panel, 'y', '3 credentials');
			await press(panel, 'l', 'Which subscription do you want to sign in to?');
			seen('wizard from the panel');
			await press(panel, ESC, 'pi-auth status');
			panel.write('q');
			expect(await panel.exited()).toBe(0);

			// Credentials from the environment only: an API key and a GitHub token.
			await fs.rm(world.authFile);
			const fromEnv = tty.start(['status'], {
				ANTHROPIC_API_KEY: MINE.envApiKey,
				COPILOT_GITHUB_TOKEN: github.issueGithubToken(),
			});
			await fromEnv.waitFor('2 credentials');
			await fromEnv.waitFor('env COPILOT_GITHUB_TOKEN');
			await fromEnv.waitFor(/% used/);
			await press(fromEnv, 'd', 'unset it to sign out');
			seen('environment credentials');
			await press(fromEnv, 'x', /q quit/);
			fromEnv.write('q');
			expect(await fromEnv.exited()).toBe(0);
		} finally {
			tty.kill();
		}

		const {leaks, figures} = await scan(world, tty.raw());
		expect(leaks, 'secrets or pieces of them on the terminal').toEqual([]);
		report('secrets in the live panel (pseudo-terminal)', {
			sessions: tty.sessions.length,
			'states walked': [...screens].join(', '),
			...figures,
		});
	});
});
