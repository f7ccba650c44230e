/*
The six new adapters against their fakes, in process (real HTTP on 127.0.0.1): every failure a
fake can answer, and what the adapter makes of it. The error taxonomy (http-failure.ts, docs/providers.md):
permanent refusals are 'revoked' (the refresh path records needs-login), 429 / 5xx / network are
transient, RFC 8628's pending and slow_down are poll states, denial and expiry end the sign-in.
*/
import {createServer} from 'node:net';
import {describe, expect, it} from 'vitest';
import type {OAuthCredential} from '../../source/credentials/credential.js';
import {PiAuthError, isTransient} from '../../source/errors.js';
import {kimiCoding} from '../../source/providers/kimi-coding.js';
import {meta} from '../../source/providers/meta.js';
import {openai} from '../../source/providers/openai.js';
import {openrouter} from '../../source/providers/openrouter.js';
import {radius} from '../../source/providers/radius.js';
import type {Provider, ProviderContext} from '../../source/providers/types.js';
import {xai} from '../../source/providers/xai.js';
import {startFakeChatgpt} from '../../source/sandbox/fake-chatgpt.js';
import {startFakeKimi} from '../../source/sandbox/fake-kimi.js';
import {startFakeMeta} from '../../source/sandbox/fake-meta.js';
import {startFakeRadius} from '../../source/sandbox/fake-radius.js';
import {startFakeXai} from '../../source/sandbox/fake-xai.js';
import {track} from '../sandbox/requests.js';
import {rejection} from '../helpers/failure.js';

const context = (endpoints: Record<string, string>): ProviderContext => ({
	fetch: globalThis.fetch,
	endpoints,
	now: Date.now,
});

const entry = (fields: {access: string; refresh: string}): OAuthCredential => ({
	type: 'oauth',
	expires: Date.now() - 1000,
	...fields,
});

type DeviceFake = {
	endpoints: Record<string, string>;
	approveDevice: (code: string) => Promise<void>;
	denyDevice: (code: string) => Promise<void>;
	expireDevice: (code: string) => boolean;
	fail: (name: string, fault: object) => void;
	count: (name: string) => number;
	secrets: () => string[];
};

const deviceCases: Array<{
	provider: Provider;
	start: () => Promise<DeviceFake>;
	tokenRoute: string;
	startRoute?: string;
}> = [
	{
		provider: xai,
		start: async () => track(await startFakeXai({deviceInterval: 0})),
		tokenRoute: 'token',
	},
	{
		provider: kimiCoding,
		start: async () => track(await startFakeKimi({deviceInterval: 0})),
		tokenRoute: 'token',
	},
	{
		provider: meta,
		start: async () => track(await startFakeMeta({deviceInterval: 0})),
		tokenRoute: 'token',
	},
	{
		provider: radius,
		start: async () => track(await startFakeRadius({deviceInterval: 0})),
		tokenRoute: 'token',
		startRoute: 'device',
	},
];

describe.each(deviceCases)(
	'$provider.id device poll answers',
	({provider, start, tokenRoute, startRoute = 'deviceCode'}) => {
		const begin = async () => {
			const fake = await start();
			const session = await provider.startDevice!(context(fake.endpoints), {});
			return {fake, session};
		};

		it('authorization_pending until approved, then a credential', async () => {
			const {fake, session} = await begin();
			expect(await session.poll()).toEqual({status: 'pending'});
			await fake.approveDevice(session.userCode);
			// Interval 0: the fake paces nothing, so the next poll is answered at once (the pacing
			// itself is the poller's, tested with it).
			expect((await session.poll()).status).toBe('done');
		});

		it('slow_down (from the server, HTTP 400) is a poll state', async () => {
			const {fake, session} = await begin();
			fake.fail(tokenRoute, {status: 400, error: 'slow_down'});
			expect(await session.poll()).toEqual({status: 'slow_down'});
		});

		it('access_denied ends the sign-in', async () => {
			const {fake, session} = await begin();
			await fake.denyDevice(session.userCode);
			const error = await rejection(session.poll());
			expect(error.code).toBe('access-denied');
			expect(error.serverCode).toBe('access_denied');
		});

		it('expired_token ends the sign-in', async () => {
			const {fake, session} = await begin();
			fake.expireDevice(session.userCode);
			expect((await rejection(session.poll())).code).toBe('code-expired');
		});

		it('5xx and 429 while polling are transient (the poller polls through a few)', async () => {
			const {fake, session} = await begin();
			fake.fail(tokenRoute, {status: 503});
			const server = await rejection(session.poll());
			expect(server.code).toBe('server-error');
			expect(isTransient(server)).toBe(true);
			fake.fail(tokenRoute, {status: 429, retryAfter: '3'});
			const limited = await rejection(session.poll());
			expect(limited.code).toBe('rate-limited');
			expect(limited.retryAfterMs).toBe(3000);
		});

		it('a refused device start (wrong client, 5xx) is an error naming no secret', async () => {
			const fake = await start();
			fake.fail(startRoute, {status: 401, error: 'invalid_client'});
			const refused = await rejection(
				provider.startDevice!(context(fake.endpoints), {}),
			);
			expect(refused.serverCode).toBe('invalid_client');
			fake.fail(startRoute, {status: 502, html: true});
			expect(
				(await rejection(provider.startDevice!(context(fake.endpoints), {})))
					.code,
			).toBe('server-error');
		});
	},
);

describe('xai: its own spelling of a denial', () => {
	it('authorization_denied ends the sign-in like access_denied', async () => {
		const fake = track(await startFakeXai());
		const session = await xai.startDevice!(context(fake.endpoints), {});
		fake.fail('token', {status: 400, error: 'authorization_denied'});
		const error = await rejection(session.poll());
		expect(error.code).toBe('access-denied');
	});
});

describe('device start answers the adapters refuse', () => {
	it('xai: an http:// verification page on another host is refused (https only)', async () => {
		const fake = track(
			await startFakeXai({verificationUri: 'http://grok.example.com/device'}),
		);
		const error = await rejection(
			xai.startDevice!(context(fake.endpoints), {}),
		);
		expect(error.code).toBe('bad-response');
		expect(error.message).toContain('https');
	});

	it('xai: a javascript: or file: page is refused by every device provider', async () => {
		const fake = track(
			await startFakeXai({verificationUri: 'file:///etc/passwd'}),
		);
		expect(
			(await rejection(xai.startDevice!(context(fake.endpoints), {}))).code,
		).toBe('bad-response');
	});

	it('kimi: a missing interval falls back to the poller default (RFC 8628 §3.2)', async () => {
		const fake = track(await startFakeKimi({sendInterval: false}));
		const session = await kimiCoding.startDevice!(context(fake.endpoints), {});
		expect(session.intervalSeconds).toBeUndefined();
		expect(session.verificationUri).toContain('user_code=');
	});
});

describe('strict token replies', () => {
	const fields = ['access_token', 'refresh_token', 'expires_in'] as const;
	const incomplete = fields.flatMap(field =>
		(['missing', 'empty'] as const).map(as => ({field, as})),
	);
	for (const {field, as} of incomplete) {
		it(`kimi: a reply with ${field} ${as} is refused, at login and at refresh`, async () => {
			const fake = track(await startFakeKimi({deviceInterval: 0}));
			const grant = fake.issueGrant();
			fake.settings.incomplete = field;
			fake.settings.incompleteAs = as;
			const error = await rejection(
				kimiCoding.refresh!(context(fake.endpoints), entry(grant)),
			);
			expect(error.code).toBe('bad-response');
			expect(error.message).not.toContain(grant.refresh);
			const session = await kimiCoding.startDevice!(
				context(fake.endpoints),
				{},
			);
			await fake.approveDevice(session.userCode);
			let failure: unknown;
			for (let tries = 0; tries < 5 && failure === undefined; tries++) {
				failure = await session.poll().then(
					answer => (answer.status === 'done' ? 'stored' : undefined),
					(error_: unknown) => error_,
				);
			}

			expect(failure).toBeInstanceOf(PiAuthError);
			expect((failure as PiAuthError).code).toBe('bad-response');
		});
	}

	it('openai: a reply without chatgpt.tokens.use.direct is refused', async () => {
		const fake = track(await startFakeChatgpt({omitDirectScope: true}));
		const grant = fake.issueGrant();
		const error = await rejection(
			openai.refresh!(context(fake.endpoints), {
				...entry(grant),
				clientId: grant.clientId,
			}),
		);
		expect(error.code).toBe('bad-response');
		expect(error.message).toContain('chatgpt.tokens.use.direct');
	});

	it('xai: a reply without expires_in counts as an hour (less 5 minutes)', async () => {
		const fake = track(await startFakeXai({omitExpiresIn: true}));
		const before = Date.now();
		const fields = await xai.refresh!(
			context(fake.endpoints),
			entry(fake.issueGrant()),
		);
		expect(fields.expires).toBeGreaterThanOrEqual(before + 55 * 60_000);
		expect(fields.expires).toBeLessThanOrEqual(Date.now() + 55 * 60_000);
	});

	it('xai: a refresh reply without refresh_token keeps the old one', async () => {
		const fake = track(await startFakeXai({omitRefreshOnRefresh: true}));
		const grant = fake.issueGrant();
		const fields = await xai.refresh!(context(fake.endpoints), entry(grant));
		expect(fields.refresh).toBe(grant.refresh);
	});
});

type RefreshCase = {
	provider: Provider;
	setup: () => Promise<{
		endpoints: Record<string, string>;
		credential: OAuthCredential;
		fail: (name: string, fault: object) => void;
		revoke: () => void;
		route: string;
	}>;
};

const refreshCases: RefreshCase[] = [
	{
		provider: xai,
		async setup() {
			const fake = track(await startFakeXai());
			const grant = fake.issueGrant();
			return {
				endpoints: fake.endpoints,
				credential: entry(grant),
				fail: fake.fail,
				revoke: () => fake.revoke(grant.refresh),
				route: 'token',
			};
		},
	},
	{
		provider: kimiCoding,
		async setup() {
			const fake = track(await startFakeKimi());
			const grant = fake.issueGrant();
			return {
				endpoints: fake.endpoints,
				credential: entry(grant),
				fail: fake.fail,
				revoke: () => fake.revoke(grant.refresh),
				route: 'token',
			};
		},
	},
	{
		provider: radius,
		async setup() {
			const fake = track(await startFakeRadius());
			const grant = fake.issueGrant();
			return {
				endpoints: fake.endpoints,
				credential: entry(grant),
				fail: fake.fail,
				revoke: () => fake.revoke(grant.refresh),
				route: 'token',
			};
		},
	},
	{
		provider: openai,
		async setup() {
			const fake = track(await startFakeChatgpt());
			const grant = fake.issueGrant();
			return {
				endpoints: fake.endpoints,
				credential: {...entry(grant), clientId: grant.clientId},
				fail: fake.fail,
				revoke: () => fake.revoke(grant.refresh),
				route: 'token',
			};
		},
	},
	{
		provider: meta,
		async setup() {
			const fake = track(await startFakeMeta());
			const identity = fake.issueIdentity();
			return {
				endpoints: fake.endpoints,
				credential: entry({access: 'meta-key-old', refresh: identity}),
				fail: fake.fail,
				revoke: () => fake.revoke(identity),
				route: 'key',
			};
		},
	},
];

describe.each(refreshCases)('$provider.id refresh', ({provider, setup}) => {
	it('works once; the spent refresh token (single use) is then refused permanently', async () => {
		const world = await setup();
		const fields = await provider.refresh!(
			context(world.endpoints),
			world.credential,
		);
		expect(fields.access).not.toBe(world.credential.access);
		expect(fields.expires).toBeGreaterThan(Date.now());
		if (provider.id === 'meta') {
			// Meta mints again with the same identity token: nothing is spent.
			expect(fields.refresh ?? world.credential.refresh).toBe(
				world.credential.refresh,
			);
			return;
		}

		expect(fields.refresh).not.toBe(world.credential.refresh);
		const again = await rejection(
			provider.refresh!(context(world.endpoints), world.credential),
		);
		expect(again.code).toBe('revoked');
	});

	it('a revoked grant is "revoked" (→ needs-login)', async () => {
		const world = await setup();
		world.revoke();
		const error = await rejection(
			provider.refresh!(context(world.endpoints), world.credential),
		);
		expect(error.code).toBe('revoked');
		expect(error.message).not.toContain(world.credential.refresh);
	});

	it('401 and 403 from the token endpoint are permanent, even as an HTML page where docs/providers.md says so', async () => {
		const world = await setup();
		world.fail(world.route, {status: 401, error: 'invalid_token'});
		expect(
			(
				await rejection(
					provider.refresh!(context(world.endpoints), world.credential),
				)
			).code,
		).toBe('revoked');
		world.fail(world.route, {status: 403, html: true});
		const html = await rejection(
			provider.refresh!(context(world.endpoints), world.credential),
		);
		// Kimi and Meta: "401/403 → sign in again" whatever the body; elsewhere a block page is not.
		expect(html.code).toBe(
			provider.id === 'kimi-coding' || provider.id === 'meta'
				? 'revoked'
				: 'bad-response',
		);
	});

	it('429, 5xx and a dead connection are transient', async () => {
		const world = await setup();
		world.fail(world.route, {status: 429, retryAfter: '9'});
		const limited = await rejection(
			provider.refresh!(context(world.endpoints), world.credential),
		);
		expect(limited.code).toBe('rate-limited');
		world.fail(world.route, {status: 500});
		const server = await rejection(
			provider.refresh!(context(world.endpoints), world.credential),
		);
		expect(server.code).toBe('server-error');
		const closed = await new Promise<number>(resolve => {
			const listener = createServer(socket => socket.destroy());
			listener.listen(0, '127.0.0.1', () => {
				const address = listener.address();
				resolve(typeof address === 'object' && address ? address.port : 0);
			});
			track({
				close: async () =>
					new Promise<void>(done => {
						listener.close(() => {
							done();
						});
					}),
			});
		});
		const dead = Object.fromEntries(
			Object.keys(world.endpoints).map(name => [
				name,
				`http://127.0.0.1:${closed}/`,
			]),
		);
		const network = await rejection(
			provider.refresh!(context(dead), world.credential),
		);
		expect(network.code).toBe('network');
		for (const error of [limited, server, network]) {
			expect(isTransient(error)).toBe(true);
		}
	});
});

describe('provider-specific refusals', () => {
	it('meta: the key endpoint answering action_url is shown, with no key stored', async () => {
		const fake = track(
			await startFakeMeta({actionUrl: 'https://meta.ai/muse/setup?step=terms'}),
		);
		const error = await rejection(
			meta.refresh!(
				context(fake.endpoints),
				entry({access: 'k', refresh: fake.issueIdentity()}),
			),
		);
		expect(error.code).toBe('action-required');
		expect(error.message).toContain('https://meta.ai/muse/setup?step=terms');
	});

	it('meta: never sends a refresh_token grant to the auth server', async () => {
		const fake = track(await startFakeMeta());
		await meta.refresh!(
			context(fake.endpoints),
			entry({access: 'k', refresh: fake.issueIdentity()}),
		);
		expect(fake.refreshGrants()).toBe(0);
		expect(fake.count('token')).toBe(0);
		expect(fake.count('key')).toBe(1);
	});

	it('openai: an entry without its issued client id cannot refresh and needs a sign-in', async () => {
		const fake = track(await startFakeChatgpt());
		const {access, refresh} = fake.issueGrant();
		const error = await rejection(
			openai.refresh!(context(fake.endpoints), entry({access, refresh})),
		);
		expect(error.code).toBe('revoked');
		expect(fake.count('token')).toBe(0);
	});

	it('openai: refresh with the wrong client id is refused by the fake', async () => {
		const fake = track(await startFakeChatgpt());
		const grant = fake.issueGrant();
		const error = await rejection(
			openai.refresh!(context(fake.endpoints), {
				...entry(grant),
				clientId: 'app_agent_someone_else',
			}),
		);
		expect(error.serverCode).toBe('invalid_client');
	});

	it('openrouter: refresh returns the key unchanged, without a request', async () => {
		let calls = 0;
		const fields = await openrouter.refresh!(
			{
				fetch: async () => {
					calls++;
					return new Response('{}');
				},
				endpoints: {},
				now: Date.now,
			},
			{
				type: 'oauth',
				access: 'sk-or-v1-x',
				refresh: '',
				expires: Number.MAX_SAFE_INTEGER,
			},
		);
		expect(fields).toEqual({
			access: 'sk-or-v1-x',
			expires: Number.MAX_SAFE_INTEGER,
		});
		expect(calls).toBe(0);
	});
});
