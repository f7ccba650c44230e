/*
The offline sandbox: fakes of all three providers (fake-anthropic.ts, fake-codex.ts,
fake-github.ts) and a pi-auth config that points every endpoint at them. It powers the tests and
`npm run demo`; nothing in it reaches beyond 127.0.0.1.

Public API: startSandbox(options?) → Sandbox:
- anthropic, codex, github: the running fakes (see each file for its helpers).
- config: `{providers: {<id>: {endpoints, callbackPort: 0}}}`, the config-file format of
  cli-contract.md; write it as JSON and pass it with --config (callbackPort 0: any free port).
- close(): stops all three and drops their connections.
Options: anthropic / codex / github (each fake's own options), and `now`, a clock shared by the
three unless one of them is given its own.
*/
import {
	type FakeAnthropic,
	type FakeAnthropicOptions,
	startFakeAnthropic,
} from './fake-anthropic.js';
import {
	type FakeCodex,
	type FakeCodexOptions,
	startFakeCodex,
} from './fake-codex.js';
import {
	type FakeGithub,
	type FakeGithubOptions,
	startFakeGithub,
} from './fake-github.js';

export type SandboxConfig = {
	providers: Record<
		'anthropic' | 'openai-codex' | 'github-copilot',
		{endpoints: Record<string, string>; callbackPort: number}
	>;
};

export type SandboxOptions = {
	now?: () => number;
	anthropic?: FakeAnthropicOptions;
	codex?: FakeCodexOptions;
	github?: FakeGithubOptions;
};

export type Sandbox = {
	anthropic: FakeAnthropic;
	codex: FakeCodex;
	github: FakeGithub;
	config: SandboxConfig;
	close: () => Promise<void>;
};

export const startSandbox = async (
	options: SandboxOptions = {},
): Promise<Sandbox> => {
	const clock = options.now ? {now: options.now} : {};
	const started = await Promise.allSettled([
		startFakeAnthropic({...clock, ...options.anthropic}),
		startFakeCodex({...clock, ...options.codex}),
		startFakeGithub({...clock, ...options.github}),
	]);
	const [anthropic, codex, github] = started;
	if (
		anthropic.status !== 'fulfilled' ||
		codex.status !== 'fulfilled' ||
		github.status !== 'fulfilled'
	) {
		// Whatever did start is stopped again before the failure is passed on.
		await Promise.all(
			started.map(async result =>
				result.status === 'fulfilled' ? result.value.close() : undefined,
			),
		);
		const failed = started.find(result => result.status === 'rejected');
		throw (failed as PromiseRejectedResult).reason;
	}

	const servers = [anthropic.value, codex.value, github.value];
	return {
		anthropic: anthropic.value,
		codex: codex.value,
		github: github.value,
		config: {
			providers: {
				anthropic: {endpoints: {...anthropic.value.endpoints}, callbackPort: 0},
				'openai-codex': {
					endpoints: {...codex.value.endpoints},
					callbackPort: 0,
				},
				'github-copilot': {
					endpoints: {...github.value.endpoints},
					callbackPort: 0,
				},
			},
		},
		async close() {
			await Promise.all(servers.map(async server => server.close()));
		},
	};
};
