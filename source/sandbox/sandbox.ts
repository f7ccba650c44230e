/*
The offline sandbox: fakes of all nine providers and a pi-auth config that points every endpoint at
them. It powers the tests and `npm run demo`; nothing in it reaches beyond 127.0.0.1.

Public API: startSandbox(options?) → Sandbox:
- anthropic, codex, github (fake-anthropic.ts, fake-codex.ts, fake-github.ts), chatgpt (the `openai`
  provider, fake-chatgpt.ts), xai, kimi, openrouter, meta, radius: the running fakes (see each file
  for its helpers and failure switches).
- config: `{providers: {<id>: {endpoints, callbackPort: 0}}}`, the config-file format of
  docs/contract.md; write it as JSON and pass it with --config (callbackPort 0: any free port).
- close(): stops every fake and drops their connections.
Options: each fake's own options, and `now`, a clock shared by all unless one is given its own.
*/
import {
	type FakeAnthropic,
	type FakeAnthropicOptions,
	startFakeAnthropic,
} from './fake-anthropic.js';
import {
	type FakeChatgpt,
	type FakeChatgptOptions,
	startFakeChatgpt,
} from './fake-chatgpt.js';
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
import {
	type FakeKimi,
	type FakeKimiOptions,
	startFakeKimi,
} from './fake-kimi.js';
import {
	type FakeMeta,
	type FakeMetaOptions,
	startFakeMeta,
} from './fake-meta.js';
import {type FakeOpenrouter, startFakeOpenrouter} from './fake-openrouter.js';
import {
	type FakeRadius,
	type FakeRadiusOptions,
	startFakeRadius,
} from './fake-radius.js';
import {type FakeXai, type FakeXaiOptions, startFakeXai} from './fake-xai.js';

export type SandboxProviderId =
	| 'anthropic'
	| 'openai-codex'
	| 'github-copilot'
	| 'openai'
	| 'xai'
	| 'kimi-coding'
	| 'openrouter'
	| 'meta'
	| 'radius';

export type SandboxConfig = {
	providers: Record<
		SandboxProviderId,
		{endpoints: Record<string, string>; callbackPort: number}
	>;
};

export type SandboxOptions = {
	now?: () => number;
	anthropic?: FakeAnthropicOptions;
	codex?: FakeCodexOptions;
	github?: FakeGithubOptions;
	chatgpt?: FakeChatgptOptions;
	xai?: FakeXaiOptions;
	kimi?: FakeKimiOptions;
	meta?: FakeMetaOptions;
	radius?: FakeRadiusOptions;
};

export type Sandbox = {
	anthropic: FakeAnthropic;
	codex: FakeCodex;
	github: FakeGithub;
	chatgpt: FakeChatgpt;
	xai: FakeXai;
	kimi: FakeKimi;
	openrouter: FakeOpenrouter;
	meta: FakeMeta;
	radius: FakeRadius;
	config: SandboxConfig;
	/** Every token any fake issued: none may appear in pi-auth's output. */
	secrets: () => string[];
	close: () => Promise<void>;
};

export const startSandbox = async (
	options: SandboxOptions = {},
): Promise<Sandbox> => {
	const clock = options.now ? {now: options.now} : {};
	const starting = {
		anthropic: startFakeAnthropic({...clock, ...options.anthropic}),
		codex: startFakeCodex({...clock, ...options.codex}),
		github: startFakeGithub({...clock, ...options.github}),
		chatgpt: startFakeChatgpt({...clock, ...options.chatgpt}),
		xai: startFakeXai({...clock, ...options.xai}),
		kimi: startFakeKimi({...clock, ...options.kimi}),
		openrouter: startFakeOpenrouter(clock),
		meta: startFakeMeta({...clock, ...options.meta}),
		radius: startFakeRadius({...clock, ...options.radius}),
	};
	const started = await Promise.allSettled(Object.values(starting));
	const failed = started.find(result => result.status === 'rejected');
	if (failed) {
		// Whatever did start is stopped again before the failure is passed on.
		await Promise.all(
			started.map(async result =>
				result.status === 'fulfilled' ? result.value.close() : undefined,
			),
		);
		throw (failed as PromiseRejectedResult).reason;
	}

	const fakes = {
		anthropic: await starting.anthropic,
		codex: await starting.codex,
		github: await starting.github,
		chatgpt: await starting.chatgpt,
		xai: await starting.xai,
		kimi: await starting.kimi,
		openrouter: await starting.openrouter,
		meta: await starting.meta,
		radius: await starting.radius,
	};
	const entry = (endpoints: Record<string, string>) => ({
		endpoints: {...endpoints},
		callbackPort: 0,
	});
	return {
		...fakes,
		config: {
			providers: {
				anthropic: entry(fakes.anthropic.endpoints),
				'openai-codex': entry(fakes.codex.endpoints),
				'github-copilot': entry(fakes.github.endpoints),
				openai: entry(fakes.chatgpt.endpoints),
				xai: entry(fakes.xai.endpoints),
				'kimi-coding': entry(fakes.kimi.endpoints),
				openrouter: entry(fakes.openrouter.endpoints),
				meta: entry(fakes.meta.endpoints),
				radius: entry(fakes.radius.endpoints),
			},
		},
		secrets: () => Object.values(fakes).flatMap(fake => fake.secrets()),
		async close() {
			await Promise.all(Object.values(fakes).map(async fake => fake.close()));
		},
	};
};

/**
Three subscriptions signed in against these fakes, as pi-auth stores them, so their usage
endpoints answer 200 (the bench, the panel's tests): tokens valid for six hours (the fakes' own
lifetimes are longer), so a panel's scheduler has nothing to refresh.
*/
export const signedInEntries = (sandbox: Sandbox, now: number) => {
	const anthropic = sandbox.anthropic.issueGrant();
	const codex = sandbox.codex.issueGrant();
	return {
		anthropic: {
			type: 'oauth',
			access: anthropic.access,
			refresh: anthropic.refresh,
			expires: now + 6 * 3_600_000,
		},
		'openai-codex': {
			type: 'oauth',
			access: codex.access,
			refresh: codex.refresh,
			expires: now + 6 * 3_600_000,
			accountId: codex.accountId,
		},
		'github-copilot': {
			type: 'oauth',
			// Only the GitHub token (`refresh`) is sent anywhere while the Copilot token is valid.
			access: `tid=sandbox;exp=${Math.floor((now + 6 * 3_600_000) / 1000)};sku=monthly_subscriber`,
			refresh: sandbox.github.issueGithubToken(),
			expires: now + 6 * 3_600_000,
		},
	};
};
