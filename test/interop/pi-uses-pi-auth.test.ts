/*
What pi-auth writes, the real pi uses (pi 1.6 on Node 22: test/helpers/pi.ts). Every kind of entry
pi-auth signs in to is signed in through the built CLI against the sandbox's fakes, then pi's own
`auth check` must say ready and pi must hand out the same token or key as `pi-auth token`.
*/
import {describe, expect, it} from 'vitest';
import {CODE_LINE, URL_LINE, setupSandbox} from '../engine/sandbox-cli.js';
import {runCli} from '../helpers/cli.js';
import {piEnv, runPi} from '../helpers/pi.js';

type Setup = Awaited<ReturnType<typeof setupSandbox>>;

const SETUP_TOKEN = `sk-ant-oat01-${'S'.repeat(70)}SETUPSECRET`;

/** pi's view of one provider: its check and the credential it would send. */
const piSees = async (
	setup: Setup,
	provider: string,
	kind: 'bearer' | 'api-key',
	env: NodeJS.ProcessEnv = {},
) => {
	const environment = piEnv(setup.env['HOME']!, env);
	const [check, credential] = await Promise.all([
		runPi(['auth', 'check', '--provider', provider, '--json', '--no-refresh'], {
			env: environment,
		}),
		runPi(
			kind === 'bearer'
				? [
						'auth',
						'print-bearer-token',
						'--provider',
						provider,
						'--min-expiry',
						'5m',
					]
				: ['auth', 'print-api-key', '--provider', provider],
			{env: environment},
		),
	]);
	return {
		check: JSON.parse(check.stdout) as Record<string, unknown>,
		credential: credential.stdout,
		stderr: credential.stderr,
	};
};

const expectSameToken = async (
	setup: Setup,
	provider: string,
	kind: 'bearer' | 'api-key',
	env: NodeJS.ProcessEnv = {},
) => {
	const ours = await runCli(
		[
			'token',
			provider,
			'--auth-file',
			setup.authFile,
			'--config',
			setup.configFile,
		],
		{env: {...setup.env, ...env}},
	);
	expect(ours.code, ours.stderr).toBe(0);
	const pi = await piSees(setup, provider, kind, env);
	expect(pi.check).toMatchObject({status: 'ready', provider});
	expect(pi.credential, pi.stderr).toBe(ours.stdout);
	return ours.stdout.trim();
};

describe('pi uses every entry pi-auth writes', () => {
	it('Anthropic: browser sign-in, setup token', async () => {
		const setup = await setupSandbox();
		const cli = setup.start(['login', 'anthropic', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		await fetch(await setup.sandbox.anthropic.approve(url!));
		expect((await cli.result).code).toBe(0);
		expect(await expectSameToken(setup, 'anthropic', 'bearer')).toMatch(
			/^sk-ant-oat01-/,
		);

		const token = await setup.run(
			['login', 'anthropic', '--method', 'setup-token'],
			`${SETUP_TOKEN}\n`,
		);
		expect(token.code).toBe(0);
		expect(await expectSameToken(setup, 'anthropic', 'bearer')).toBe(
			SETUP_TOKEN,
		);
	});

	it('Anthropic API keys in all three of pi’s forms', async () => {
		const setup = await setupSandbox();
		const forms: Array<[string, string, NodeJS.ProcessEnv]> = [
			['sk-ant-api03-LITERAL', 'sk-ant-api03-LITERAL', {}],
			["!printf 'sk-ant-api03-%s' FROMCMD", 'sk-ant-api03-FROMCMD', {}],
			[
				'${WORK_ANTHROPIC_KEY}',
				'sk-ant-api03-FROMENV',
				{WORK_ANTHROPIC_KEY: 'sk-ant-api03-FROMENV'},
			],
		];
		for (const [stored, key, env] of forms) {
			const login = await setup.run(
				['login', 'anthropic', '--method', 'api-key'],
				`${stored}\n`,
			);
			expect(login.code, login.stderr).toBe(0);
			expect(await expectSameToken(setup, 'anthropic', 'api-key', env)).toBe(
				key,
			);
		}
	});

	it('OpenAI Codex: browser sign-in and device code', async () => {
		const setup = await setupSandbox();
		const browser = setup.start(['login', 'openai-codex', '--method', 'oauth']);
		const [, url] = await browser.waitFor('stderr', URL_LINE);
		await fetch(await setup.sandbox.codex.approve(url!));
		expect((await browser.result).code).toBe(0);
		const first = await expectSameToken(setup, 'openai-codex', 'bearer');

		const device = setup.start(['login', 'openai-codex', '--method', 'device']);
		const [, code] = await device.waitFor('stderr', CODE_LINE);
		await setup.sandbox.codex.approveDevice(code!);
		expect((await device.result).code).toBe(0);
		const second = await expectSameToken(setup, 'openai-codex', 'bearer');
		expect(second).not.toBe(first);
	});

	it('GitHub Copilot: device code, with the model list pi filters by', async () => {
		const setup = await setupSandbox();
		const cli = setup.start(['login', 'github-copilot']);
		const [, code] = await cli.waitFor('stderr', CODE_LINE);
		await setup.sandbox.github.approveDevice(code!);
		expect((await cli.result).code).toBe(0);
		expect(await expectSameToken(setup, 'github-copilot', 'bearer')).toMatch(
			/^tid=/,
		);
	});

	describe('the six newer sign-ins', () => {
		const browser = async (
			setup: Setup,
			provider: string,
			approve: (url: string) => Promise<string>,
		) => {
			const cli = setup.start(['login', provider, '--method', 'oauth']);
			const [, url] = await cli.waitFor('stderr', URL_LINE);
			await fetch(await approve(url!));
			const result = await cli.result;
			expect(result.code, result.stderr).toBe(0);
		};

		const device = async (
			setup: Setup,
			provider: string,
			approve: (code: string) => Promise<void>,
		) => {
			const cli = setup.start(['login', provider, '--method', 'device']);
			const [, code] = await cli.waitFor('stderr', CODE_LINE);
			await approve(code!);
			const result = await cli.result;
			expect(result.code, result.stderr).toBe(0);
		};

		it('openai (ChatGPT), openrouter and radius by browser; xai, kimi-coding, meta and radius by device code', async () => {
			const setup = await setupSandbox();
			const {chatgpt, openrouter, radius, xai, kimi, meta} = setup.sandbox;
			await browser(setup, 'openai', chatgpt.approve);
			await browser(setup, 'openrouter', openrouter.approve);
			await browser(setup, 'radius', radius.approve);
			await device(setup, 'xai', xai.approveDevice);
			await device(setup, 'kimi-coding', kimi.approveDevice);
			await device(setup, 'meta', meta.approveDevice);
			for (const provider of [
				'openai',
				'openrouter',
				'radius',
				'xai',
				'kimi-coding',
				'meta',
			]) {
				expect(
					await expectSameToken(setup, provider, 'bearer'),
					provider,
				).not.toBe('');
			}

			await device(setup, 'radius', radius.approveDevice);
			await expectSameToken(setup, 'radius', 'bearer');
		});
	});
});
