/*
What a person or a script sees when the six new providers refuse, through the built CLI against the
fakes: one message on stderr naming the next step, nothing on stdout, no secret anywhere, a refused
refresh recorded as needs-login with every other field kept, a transient one leaving the entry
byte for byte as it was.
*/
import {describe, expect, it} from 'vitest';
import type {CliResult} from '../helpers/cli.js';
import {
	CODE_LINE,
	URL_LINE,
	busyPort,
	expiredEntry,
	setupSandbox,
	type Setup,
} from './sandbox-cli.js';

const expectTold = (result: CliResult, what: RegExp, next: RegExp) => {
	expect(result.code).toBe(1);
	expect(result.stdout).toBe('');
	expect(result.stderr).toMatch(what);
	expect(result.stderr.trim().split('\n').at(-1)).toMatch(next);
};

type Rotating = {
	id: string;
	seed: (setup: Setup) => {entry: Record<string, unknown>; revoke: () => void};
	route: (setup: Setup) => {
		fail: (name: string, fault: object) => void;
		route: string;
	};
};

const rotating: Rotating[] = [
	{
		id: 'xai',
		seed(setup) {
			const grant = setup.sandbox.xai.issueGrant();
			return {
				entry: expiredEntry({...grant, account: 'kept@example.com'}),
				revoke: () => setup.sandbox.xai.revoke(grant.refresh),
			};
		},
		route: setup => ({fail: setup.sandbox.xai.fail, route: 'token'}),
	},
	{
		id: 'kimi-coding',
		seed(setup) {
			const grant = setup.sandbox.kimi.issueGrant();
			return {
				entry: expiredEntry(grant),
				revoke: () => setup.sandbox.kimi.revoke(grant.refresh),
			};
		},
		route: setup => ({fail: setup.sandbox.kimi.fail, route: 'token'}),
	},
	{
		id: 'radius',
		seed(setup) {
			const grant = setup.sandbox.radius.issueGrant();
			return {
				entry: expiredEntry({...grant, scope: 'gateway offline_access'}),
				revoke: () => setup.sandbox.radius.revoke(grant.refresh),
			};
		},
		route: setup => ({fail: setup.sandbox.radius.fail, route: 'token'}),
	},
	{
		id: 'openai',
		seed(setup) {
			const {access, refresh, clientId} = setup.sandbox.chatgpt.issueGrant();
			return {
				entry: expiredEntry({access, refresh, clientId, scopes: ['openid']}),
				revoke: () => setup.sandbox.chatgpt.revoke(refresh),
			};
		},
		route: setup => ({fail: setup.sandbox.chatgpt.fail, route: 'token'}),
	},
	{
		id: 'meta',
		seed(setup) {
			const identity = setup.sandbox.meta.issueIdentity();
			return {
				entry: expiredEntry({access: 'meta-key-old', refresh: identity}),
				revoke: () => setup.sandbox.meta.revoke(identity),
			};
		},
		route: setup => ({fail: setup.sandbox.meta.fail, route: 'key'}),
	},
];

describe.each(rotating)(
	'$id: a refresh the provider refuses',
	({id, seed, route}) => {
		it('permanently: exit 1, needsLogin recorded, every field kept', async () => {
			const setup = await setupSandbox();
			const {entry, revoke} = seed(setup);
			await setup.writeAuth({[id]: entry});
			revoke();
			const result = await setup.run(['token', id]);
			expectTold(
				result,
				/needs a new sign-in/,
				new RegExp(`pi-auth login ${id}`),
			);
			setup.expectNoSecrets(result);
			expect((await setup.readAuth())[id]).toEqual({
				...entry,
				needsLogin: {
					reason: expect.any(String) as string,
					at: expect.any(Number) as number,
				},
			});
		});

		it('transiently (503): exit 1, the entry unchanged', async () => {
			const setup = await setupSandbox();
			const {entry} = seed(setup);
			await setup.writeAuth({[id]: entry});
			const before = await setup.rawAuth();
			const {fail, route: name} = route(setup);
			fail(name, {status: 503});
			const result = await setup.run(['token', id]);
			expectTold(result, /server error \(HTTP 503\)/, /Try again later/);
			expect(await setup.rawAuth()).toBe(before);
		});
	},
);

describe('device sign-ins that end without a credential', () => {
	for (const [id, fake] of [
		['xai', 'xai'],
		['kimi-coding', 'kimi'],
		['meta', 'meta'],
		['radius', 'radius'],
	] as const) {
		it(`${id}: denied on the page → exit 1, nothing saved`, async () => {
			const setup = await setupSandbox();
			const cli = setup.start(['login', id, '--method', 'device']);
			const [, code] = await cli.waitFor('stderr', CODE_LINE);
			await setup.sandbox[fake].denyDevice(code!);
			const result = await cli.result;
			expectTold(result, /denied/, /Start the sign-in again/);
			await expect(setup.readAuth()).rejects.toThrow();
		});

		it(`${id}: the code expires → exit 1`, async () => {
			const setup = await setupSandbox();
			const cli = setup.start(['login', id, '--method', 'device']);
			const [, code] = await cli.waitFor('stderr', CODE_LINE);
			setup.sandbox[fake].expireDevice(code!);
			expectTold(await cli.result, /expired/, /Start the sign-in again/);
		});
	}

	it('meta: an account that must visit a page first is told which', async () => {
		const setup = await setupSandbox({
			sandbox: {meta: {actionUrl: 'https://meta.ai/muse/onboarding'}},
		});
		const cli = setup.start(['login', 'meta', '--method', 'device']);
		const [, code] = await cli.waitFor('stderr', CODE_LINE);
		await setup.sandbox.meta.approveDevice(code!);
		const result = await cli.result;
		expectTold(
			result,
			/Open https:\/\/meta\.ai\/muse\/onboarding to finish setting up/,
			/then sign in again/,
		);
		setup.expectNoSecrets(result);
	});

	it('xai: an http:// verification page is refused before anything is shown', async () => {
		const setup = await setupSandbox({
			sandbox: {xai: {verificationUri: 'http://x.example.com/device'}},
		});
		const result = await setup.run(['login', 'xai', '--method', 'device']);
		expectTold(result, /https verification address/, /Try again/);
		expect(result.stderr).not.toContain('x.example.com');
	});
});

describe('openai: port 1455 busy', () => {
	it('goes paste-only with a clear note; the redirect URI keeps the port; the pasted URL signs in', async () => {
		const port = await busyPort();
		const setup = await setupSandbox({callbackPorts: {openai: port}});
		const cli = setup.start(['login', 'openai', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		expect(cli.stderr).toContain(`Port ${port} is in use by another program`);
		await cli.waitFor(
			'stderr',
			/Then paste the whole address the browser ends on here\./,
		);
		expect(new URL(url!).searchParams.get('redirect_uri')).toBe(
			'http://127.0.0.1:1455/auth/callback',
		);
		cli.write(`${await setup.sandbox.chatgpt.approve(url!)}\n`);
		const result = await cli.result;
		expect(result.code, result.stderr).toBe(0);
		expect(setup.sandbox.chatgpt.requests('token')[0]?.body).toMatchObject({
			redirect_uri: 'http://127.0.0.1:1455/auth/callback',
		});
	});
});
