/*
pi follows the active profile (issue 12, "done when"): two Claude and two Codex accounts signed in
through the built CLI against the sandbox, then the real pi (1.6 on Node 22: test/helpers/pi.ts)
prints the bearer token of whichever account `pi-auth use` made active, while
`pi-auth token <provider>:<other>` keeps giving the other account's token without switching.
*/
import {describe, expect, it} from 'vitest';
import {
	type Setup,
	setupSandbox,
	signInAnthropic,
	signInCodex,
} from '../engine/sandbox-cli.js';
import {piEnv, runPi} from '../helpers/pi.js';

const piToken = async (setup: Setup, provider: string) => {
	const result = await runPi(
		[
			'auth',
			'print-bearer-token',
			'--provider',
			provider,
			'--min-expiry',
			'5m',
		],
		{env: piEnv(setup.env['HOME']!)},
	);
	expect(result.code, result.stderr).toBe(0);
	return result.stdout.trim();
};

const ours = async (setup: Setup, target: string) => {
	const result = await setup.run(['token', target]);
	expect(result.code, result.stderr).toBe(0);
	return result.stdout.trim();
};

const use = async (setup: Setup, target: string) => {
	const result = await setup.run(['use', target]);
	expect(result.code, result.stderr).toBe(0);
};

describe('pi uses the active profile', () => {
	it(
		'two Claude and two Codex accounts: pi follows use, token <provider>:<other> never switches',
		{timeout: 120_000},
		async () => {
			const setup = await setupSandbox();
			for (const [email, extra] of [
				['me@home.example', []],
				['me@work.example', ['--profile', 'work']],
			] as const) {
				await signInAnthropic(setup, email, [...extra]);
			}

			for (const [accountId, extra] of [
				['ws-personal', []],
				['ws-team', ['--profile', 'team']],
			] as const) {
				await signInCodex(setup, {email: 'me@example.com', accountId}, [
					...extra,
				]);
			}

			const home = await ours(setup, 'anthropic:default');
			const work = await ours(setup, 'anthropic:work');
			const personal = await ours(setup, 'openai-codex:default');
			const team = await ours(setup, 'openai-codex:team');
			expect(new Set([home, work, personal, team]).size).toBe(4);
			expect(await piToken(setup, 'anthropic')).toBe(home);
			expect(await piToken(setup, 'openai-codex')).toBe(personal);

			await use(setup, 'anthropic:work');
			await use(setup, 'openai-codex:team');
			expect(await piToken(setup, 'anthropic')).toBe(work);
			expect(await piToken(setup, 'openai-codex')).toBe(team);
			// The other accounts still answer by name, and pi still uses the active ones.
			expect(await ours(setup, 'anthropic:default')).toBe(home);
			expect(await ours(setup, 'openai-codex:default')).toBe(personal);
			expect(await piToken(setup, 'anthropic')).toBe(work);

			// pi's own check accepts the whole file after the switches (every entry one of its shapes).
			const check = await runPi(
				[
					'auth',
					'check',
					'--provider',
					'openai-codex',
					'--json',
					'--no-refresh',
				],
				{env: piEnv(setup.env['HOME']!)},
			);
			expect(JSON.parse(check.stdout)).toMatchObject({status: 'ready'});

			await use(setup, 'anthropic:default');
			expect(await piToken(setup, 'anthropic')).toBe(home);
		},
	);
});
