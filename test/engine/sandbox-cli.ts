import fs from 'node:fs/promises';
import {type Server, createServer} from 'node:net';
import path from 'node:path';
import {afterEach, expect} from 'vitest';
import {
	type Sandbox,
	type SandboxOptions,
	startSandbox,
} from '../../source/sandbox/sandbox.js';
import {type CliResult, cleanEnv, runCli, startCli} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const opened: Array<{close: () => unknown}> = [];
afterEach(async () => {
	await Promise.all(opened.splice(0).map(async item => item.close()));
});

// Polls every 50 ms instead of 5 s, so a device sign-in takes a fraction of a second.
const FAST_DEVICE: SandboxOptions = {
	codex: {deviceInterval: '0.05'},
	github: {deviceInterval: 0.05},
	xai: {deviceInterval: 0.05},
	kimi: {deviceInterval: 0.05},
	meta: {deviceInterval: 0.05},
	radius: {deviceInterval: 0.05},
};

export type Setup = Awaited<ReturnType<typeof setupSandbox>>;

/**
A sandbox with its config in a temp HOME, and pi-auth commands that use it: `run` waits for the
exit, `start` streams (for logins). `data` seeds the credential file.
*/
export const setupSandbox = async (
	options: {
		data?: Record<string, unknown>;
		sandbox?: SandboxOptions;
		/** Per-provider callback ports to put in the config instead of 0. */
		callbackPorts?: Partial<
			Record<keyof Sandbox['config']['providers'], number>
		>;
	} = {},
) => {
	const sandbox = await startSandbox({
		...options.sandbox,
		codex: {...FAST_DEVICE.codex, ...options.sandbox?.codex},
		github: {...FAST_DEVICE.github, ...options.sandbox?.github},
		xai: {...FAST_DEVICE.xai, ...options.sandbox?.xai},
		kimi: {...FAST_DEVICE.kimi, ...options.sandbox?.kimi},
		meta: {...FAST_DEVICE.meta, ...options.sandbox?.meta},
		radius: {...FAST_DEVICE.radius, ...options.sandbox?.radius},
	});
	opened.push(sandbox);
	const home = await makeTempDir();
	const configFile = path.join(home, 'pi-auth.json');
	const config = structuredClone(sandbox.config);
	for (const [id, port] of Object.entries(options.callbackPorts ?? {})) {
		config.providers[id as keyof typeof config.providers].callbackPort = port;
	}

	await fs.writeFile(configFile, JSON.stringify(config));
	const authFile = path.join(home, '.pi', 'agent', 'auth.json');
	const writeAuth = async (data: Record<string, unknown>) => {
		await fs.mkdir(path.dirname(authFile), {recursive: true});
		await fs.writeFile(authFile, `${JSON.stringify(data, null, 2)}\n`);
	};

	if (options.data) await writeAuth(options.data);

	const env = cleanEnv(home, {PI_AUTH_LOGIN_TIMEOUT: '30s'});
	const flags = ['--auth-file', authFile, '--config', configFile];
	return {
		sandbox,
		authFile,
		configFile,
		env,
		/** Seeds the credential file (pi's format). */
		writeAuth,
		run: async (args: string[], input?: string) =>
			runCli([...args, ...flags], {
				env,
				...(input === undefined ? {} : {input}),
			}),
		start: (args: string[]) =>
			startCli([...args, '--no-browser', ...flags], {env}),
		readAuth: async () =>
			JSON.parse(await fs.readFile(authFile, 'utf8')) as Record<
				string,
				Record<string, unknown>
			>,
		rawAuth: async () => fs.readFile(authFile, 'utf8'),
		/** Every token the fakes issued, plus `extra`: none may appear in the output. */
		expectNoSecrets(result: CliResult, extra: string[] = []) {
			const secrets = [...sandbox.secrets(), ...extra];
			for (const secret of secrets) {
				expect(result.stdout).not.toContain(secret);
				expect(result.stderr).not.toContain(secret);
			}
		},
	};
};

/** A port held by another program on 127.0.0.1, so a callback server cannot bind it. */
export const busyPort = async (): Promise<number> => {
	const server: Server = createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	opened.push({
		close: async () =>
			new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			}),
	});
	const address = server.address();
	if (address === null || typeof address === 'string')
		throw new Error('no port');
	return address.port;
};

export const URL_LINE = /Open this URL to sign in: (\S+)/;
export const CODE_LINE = /Enter code (\S+) at (\S+)/;

/** An expired OAuth entry around a fake-issued grant (what `token` must refresh). */
export const expiredEntry = (fields: Record<string, unknown>) => ({
	type: 'oauth',
	expires: Date.now() - 60_000,
	...fields,
});

/** A browser sign-in to the Anthropic fake as `email`; it must succeed and print no secret. */
export const signInAnthropic = async (
	setup: Setup,
	email: string,
	extra: string[] = [],
) => {
	setup.sandbox.anthropic.settings.email = email;
	const cli = setup.start([
		'login',
		'anthropic',
		'--method',
		'oauth',
		...extra,
	]);
	const [, url] = await cli.waitFor('stderr', URL_LINE);
	await fetch(await setup.sandbox.anthropic.approve(url!));
	const result = await cli.result;
	expect(result.code, result.stderr).toBe(0);
	setup.expectNoSecrets(result);
	return result;
};

/** A device-code sign-in to the Codex fake as `account`; it must succeed. */
export const signInCodex = async (
	setup: Setup,
	account: {email: string; accountId: string},
	extra: string[] = [],
) => {
	Object.assign(setup.sandbox.codex.settings, account);
	const cli = setup.start([
		'login',
		'openai-codex',
		'--method',
		'device',
		...extra,
	]);
	const [, code] = await cli.waitFor('stderr', CODE_LINE);
	await setup.sandbox.codex.approveDevice(code!);
	const result = await cli.result;
	expect(result.code, result.stderr).toBe(0);
	return result;
};
