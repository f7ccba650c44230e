import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach} from 'vitest';
import {
	type AuthData,
	updateAuthFile,
} from '../../../source/credentials/auth-file.js';
import {
	type Sandbox,
	type SandboxOptions,
	startSandbox,
} from '../../../source/sandbox/sandbox.js';
import {cleanEnv} from '../../helpers/cli.js';
import {makeTempDir} from '../../helpers/temp-dir.js';
import {type Child, type Exit, spawnCli} from './processes.js';

const opened: Array<{close: () => Promise<void>}> = [];
afterEach(async () => {
	await Promise.all(opened.splice(0).map(async item => item.close()));
});

export type World = Awaited<ReturnType<typeof makeWorld>>;

export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

/**
A temp HOME with a pi-auth config pointing every endpoint at a fresh sandbox, and the credential
file's path. Device polling runs every 50 ms instead of 5 s, so a device sign-in is quick.
*/
export const makeWorld = async (
	options: {sandbox?: SandboxOptions; env?: NodeJS.ProcessEnv} = {},
) => {
	const sandbox: Sandbox = await startSandbox({
		...options.sandbox,
		codex: {deviceInterval: '0.05', ...options.sandbox?.codex},
		github: {deviceInterval: 0.05, ...options.sandbox?.github},
	});
	opened.push(sandbox);
	const home = await makeTempDir('pi-auth-stress-');
	const configFile = path.join(home, 'pi-auth.json');
	await fs.writeFile(configFile, JSON.stringify(sandbox.config));
	const authFile = path.join(home, '.pi', 'agent', 'auth.json');
	await fs.mkdir(path.dirname(authFile), {recursive: true, mode: 0o700});
	const env = cleanEnv(home, {PI_AUTH_LOGIN_TIMEOUT: '60s', ...options.env});
	const flags = ['--auth-file', authFile, '--config', configFile];

	return {
		sandbox,
		home,
		configFile,
		authFile,
		env,
		flags,
		start: (
			args: readonly string[],
			more: {input?: string; keepStdin?: boolean; env?: NodeJS.ProcessEnv} = {},
		): Child =>
			spawnCli([...args, ...flags], {
				env: {...env, ...more.env},
				...(more.input === undefined ? {} : {input: more.input}),
				...(more.keepStdin ? {keepStdin: true} : {}),
			}),
		run: async (
			args: readonly string[],
			more: {input?: string; env?: NodeJS.ProcessEnv} = {},
		): Promise<Exit> =>
			spawnCli([...args, ...flags], {
				env: {...env, ...more.env},
				...(more.input === undefined ? {} : {input: more.input}),
			}).result,
		/** Seeds the file in pi's format, without the lock (nothing else may be running). */
		async writeAuth(data: AuthData) {
			await fs.writeFile(authFile, `${JSON.stringify(data, null, 2)}\n`, {
				mode: 0o600,
			});
		},
		/** A locked read-modify-write, for changes while other processes (the panel) run. */
		async updateAuth(mutate: (current: AuthData) => AuthData) {
			await updateAuthFile(authFile, current => ({
				data: mutate(current),
				result: undefined,
			}));
		},
		readAuth: async () =>
			JSON.parse(await fs.readFile(authFile, 'utf8')) as Record<
				string,
				Record<string, unknown>
			>,
		rawAuth: async () => fs.readFile(authFile, 'utf8'),
		/** Every token the three fakes issued (each fake remembers its newest 1000). */
		secrets: () => [
			...sandbox.anthropic.secrets(),
			...sandbox.codex.secrets(),
			...sandbox.github.secrets(),
		],
		/** Uses a refresh token directly at the Codex fake: status 200 means it was still good. */
		async codexRefreshWorks(refresh: string) {
			const response = await fetch(sandbox.codex.endpoints.token, {
				method: 'POST',
				headers: {'content-type': 'application/x-www-form-urlencoded'},
				body: new URLSearchParams({
					grant_type: 'refresh_token',
					refresh_token: refresh,
					client_id: CODEX_CLIENT_ID,
				}),
			});
			await response.arrayBuffer();
			return response.status === 200;
		},
	};
};

/** An expired OAuth entry (what `token` must refresh), with every other field as given. */
export const expired = (fields: Record<string, unknown>) => ({
	type: 'oauth',
	...fields,
	expires: Date.now() - 60_000,
});

/** A Codex entry around a grant the fake knows, already expired. */
export const codexEntry = (
	world: World,
	extra: Record<string, unknown> = {},
) => {
	const grant = world.sandbox.codex.issueGrant();
	return expired({
		access: grant.access,
		refresh: grant.refresh,
		accountId: grant.accountId,
		...extra,
	});
};

export const anthropicEntry = (
	world: World,
	extra: Record<string, unknown> = {},
) => {
	const grant = world.sandbox.anthropic.issueGrant();
	return expired({access: grant.access, refresh: grant.refresh, ...extra});
};

export const copilotEntry = (
	world: World,
	extra: Record<string, unknown> = {},
) =>
	expired({
		access: 'tid=stale-copilot-token',
		refresh: world.sandbox.github.issueGithubToken(),
		...extra,
	});
