/*
Hostile provider answers through the real refresh path: HTML, empty, past the 1 MB cap, dripping
past the 15 s timeout, silent, reset, badly encoded, or JSON of the wrong types. The stored
credential is never deleted or blanked (on failure the file is byte-for-byte what it was; on an odd
success the entry is still a usable credential), the error is a PiAuthError with a code, and no
byte of the answer reaches a message.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {Config} from '../../source/config.js';
import {parseCredential} from '../../source/credentials/credential.js';
import {createAuthStore} from '../../source/credentials/store.js';
import {refreshCredential} from '../../source/engine/refresh.js';
import {PiAuthError} from '../../source/errors.js';
import type {Fault} from '../../source/sandbox/fake-server.js';
import {findProvider} from '../../source/providers/registry.js';
import {cleanEnv} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp-dir.js';
import {
	BODY_MARKER,
	HOSTILE,
	type HostileServer,
	startHostileServer,
} from './helpers/hostile-server.js';
import {report, runCli, spread} from './helpers/processes.js';
import {codexEntry, makeWorld} from './helpers/world.js';

const servers: HostileServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

const PROVIDERS = ['anthropic', 'openai-codex', 'github-copilot'] as const;
type ProviderId = (typeof PROVIDERS)[number];
// The endpoint a refresh calls: Copilot's "refresh" is the Copilot token exchange.
const REFRESH_ENDPOINT: Record<ProviderId, string> = {
	anthropic: 'token',
	'openai-codex': 'token',
	'github-copilot': 'copilotToken',
};

// What each answer must become; anything not listed must be 'bad-response'.
const EXPECTED: Record<string, readonly string[]> = {
	'html-502': ['server-error'],
	drip: ['timeout'],
	hang: ['timeout'],
	reset: ['network'],
	'bad-gzip': ['network', 'bad-response'],
	// A lifetime that makes no sense is either refused or stored as a usable, finite expiry.
	'absurd-expiry': ['ok', 'bad-response'],
	'negative-expiry': ['ok', 'bad-response'],
};

const entryOf = (provider: ProviderId) => ({
	type: 'oauth',
	access: `old-access-${provider}`,
	refresh: `old-refresh-${provider}`,
	expires: Date.now() - 60_000,
	...(provider === 'openai-codex' ? {accountId: 'acct-old'} : {}),
	'x-kept': {by: 'every refresh'},
});

const configFor = (
	provider: ProviderId,
	url: string,
): {providers: Record<string, {endpoints: Record<string, string>}>} => ({
	providers: {[provider]: {endpoints: {[REFRESH_ENDPOINT[provider]]: url}}},
});

const seedFile = async (provider: ProviderId) => {
	const directory = await makeTempDir('pi-auth-stress-');
	const file = path.join(directory, 'auth.json');
	await fs.writeFile(
		file,
		`${JSON.stringify({[provider]: entryOf(provider), 'some-other-tool': {odd: [1]}}, null, 2)}\n`,
		{mode: 0o600},
	);
	return {directory, file, before: await fs.readFile(file, 'utf8')};
};

/** The stored entry after an odd but successful answer: still a credential pi-auth can use. */
const expectUsable = async (file: string, provider: ProviderId) => {
	const stored = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
		string,
		Record<string, unknown>
	>;
	const entry = stored[provider];
	const credential = parseCredential(entry);
	expect(credential, JSON.stringify(entry)).toBeDefined();
	expect(credential?.type).toBe('oauth');
	expect(Number.isFinite(entry?.['expires'])).toBe(true);
	expect(entry?.['access']).not.toBe('');
	expect(entry?.['refresh']).not.toBe('');
	expect(entry?.['x-kept']).toEqual({by: 'every refresh'});
	expect(stored['some-other-tool']).toEqual({odd: [1]});
};

describe('hostile provider answers through the refresh path', () => {
	const inProcess = async () => {
		const server = await startHostileServer();
		servers.push(server);
		const cases = Object.keys(HOSTILE);
		const outcomes: Record<string, Record<string, string>> = {};
		const durations: number[] = [];
		await Promise.all(
			PROVIDERS.flatMap(provider =>
				cases.map(async name => {
					const {file, before} = await seedFile(provider);
					const store = createAuthStore({file});
					const config = configFor(provider, server.url(name)) as Config;
					const started = Date.now();
					let code = 'ok';
					try {
						await refreshCredential(
							{store, config, fetch: globalThis.fetch, now: Date.now},
							findProvider(provider)!,
						);
					} catch (error) {
						expect(error, `${provider} ${name}`).toBeInstanceOf(PiAuthError);
						code = (error as PiAuthError).code;
						expect((error as Error).message).not.toContain(BODY_MARKER);
						expect((error as Error).message).not.toContain('<');
						// Nothing written: not deleted, not blanked, not marked needs-login.
						expect(await fs.readFile(file, 'utf8'), `${provider} ${name}`).toBe(
							before,
						);
					}

					durations.push(Date.now() - started);
					expect(
						EXPECTED[name] ?? ['bad-response'],
						`${provider} ${name}`,
					).toContain(code);
					if (code === 'ok') await expectUsable(file, provider);
					(outcomes[name] ??= {})[provider] = code;
				}),
			),
		);
		report(
			`hostile answers, in-process refreshCredential: ${cases.length} answers × ${PROVIDERS.length} providers`,
			[
				...cases.map(
					name =>
						`${name.padEnd(16)} ${PROVIDERS.map(id => `${id}=${outcomes[name]?.[id]}`).join('  ')}`,
				),
				`files changed on failure: 0; entries made unusable: 0`,
				`time per refresh: ${spread(durations)}`,
			],
		);
	};

	const builtCli = async () => {
		const server = await startHostileServer();
		servers.push(server);
		const cases = Object.keys(HOSTILE);
		const lines: string[] = [];
		await Promise.all(
			cases.map(async name => {
				const {directory, file, before} = await seedFile('openai-codex');
				const configFile = path.join(directory, 'config.json');
				await fs.writeFile(
					configFile,
					JSON.stringify(configFor('openai-codex', server.url(name))),
				);
				const result = await runCli(
					[
						'token',
						'openai-codex',
						'--auth-file',
						file,
						'--config',
						configFile,
					],
					{env: cleanEnv(directory), timeoutMs: 40_000},
				);
				expect(result.stderr).not.toMatch(/Unexpected error|\n\s+at /);
				expect(result.stderr).not.toContain(BODY_MARKER);
				const allowed = EXPECTED[name] ?? ['bad-response'];
				if (result.code === 0) {
					expect(allowed, name).toContain('ok');
					await expectUsable(file, 'openai-codex');
				} else {
					expect(result.code, `${name}: ${result.stderr}`).toBe(1);
					expect(result.stdout).toBe('');
					expect(result.stderr.trim().split('\n')).toHaveLength(1);
					expect(await fs.readFile(file, 'utf8'), name).toBe(before);
				}

				lines.push(
					`${name.padEnd(16)} exit ${result.code} in ${result.ms} ms: ${result.stderr.trim().slice(0, 110)}`,
				);
			}),
		);
		report(
			`hostile answers, built CLI: ${cases.length} × token openai-codex`,
			lines.sort(),
		);
	};

	const fakeFaults = async () => {
		const faults: Array<[string, Fault]> = [
			['HTML page with 200', {status: 200, html: true}],
			['HTML page with 401', {status: 401, html: true}],
			['200 with a JSON array', {status: 200, body: [1, 2, 3]}],
			['200 with access_token: 7', {status: 200, body: {access_token: 7}}],
			// An error page, so the fake does not spend the refresh token on an answer nobody receives.
			[
				'an error page dripping one byte every 200 ms',
				{status: 502, html: true, dripMs: 200},
			],
			['no answer at all', {hang: true}],
		];
		const lines: string[] = [];
		await Promise.all(
			faults.map(async ([what, fault]) => {
				const world = await makeWorld();
				await world.writeAuth({'openai-codex': codexEntry(world)});
				const before = await world.rawAuth();
				world.sandbox.codex.fail('token', fault);
				const result = await world.run(['token', 'openai-codex']);
				expect(result.code, result.stderr).toBe(1);
				expect(result.stdout).toBe('');
				expect(result.stderr).not.toMatch(/Unexpected error|\n\s+at /);
				for (const secret of world.secrets()) {
					expect(result.stderr).not.toContain(secret);
				}

				expect(await world.rawAuth()).toBe(before);
				// The grant is intact: the next attempt, with the fault gone, refreshes.
				const again = await world.run(['token', 'openai-codex']);
				expect(again.code, again.stderr).toBe(0);
				lines.push(
					`${what.padEnd(32)} exit ${result.code} in ${result.ms} ms, then exit ${again.code}: ${result.stderr.trim()}`,
				);
			}),
		);
		report(
			'hostile answers from the Codex fake (fault injection)',
			lines.sort(),
		);
	};

	// One test, three parts side by side: each waits out the 15 s request timeout at least once,
	// and the suite's helpers clean up after each test, so the parts cannot be separate tests.
	it("in-process for every provider, the built CLI, and the Codex fake's faults", async () => {
		await Promise.all([inProcess(), builtCli(), fakeFaults()]);
	});
});
