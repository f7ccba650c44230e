/*
RFC 8628 conformance of the device-code adapters pi-auth ships (xai.ts, kimi-coding.ts, meta.ts,
radius.ts) against oidc-provider, a real authorization server: each adapter's own startDevice and
poll (its client id, its body, its reading of §3.2 and §3.5), driven by device-poller.ts, with the
user approving or denying on the server's own pages; then RFC 6749 §6 refresh with the server's
rotating refresh tokens (§10.4: a reused one revokes the grant). Meta's key-minting call is not
OAuth: it goes to a small local stub, as the real one is a separate API.
*/
import {
	type IncomingMessage,
	type ServerResponse,
	createServer,
} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import type {OAuthCredential} from '../../source/credentials/credential.js';
import {pollDevice} from '../../source/oauth/device-poller.js';
import {kimiCoding} from '../../source/providers/kimi-coding.js';
import {meta} from '../../source/providers/meta.js';
import {radius} from '../../source/providers/radius.js';
import type {Provider, ProviderContext} from '../../source/providers/types.js';
import {xai} from '../../source/providers/xai.js';
import {
	type OidcServer,
	type OidcServerOptions,
	createUserAgent,
	startOidcServer,
} from '../helpers/oidc.js';
import {rejection} from './shipped-steps.js';

const opened: Array<{close: () => Promise<void>}> = [];
afterEach(async () => {
	await Promise.all(opened.splice(0).map(async item => item.close()));
});

/** A stand-in for Meta's Muse key API: a key for any Bearer token. */
const startKeyStub = async () => {
	const seen: string[] = [];
	const server = createServer(
		(request: IncomingMessage, response: ServerResponse) => {
			seen.push(String(request.headers.authorization ?? ''));
			request.resume();
			response.writeHead(200, {'content-type': 'application/json'});
			response.end(JSON.stringify({api_key: `meta-key-${seen.length}`}));
		},
	);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	opened.push({
		close: async () =>
			new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
				server.closeAllConnections();
			}),
	});
	const {port} = server.address() as AddressInfo;
	return {url: `http://127.0.0.1:${port}/muse-code/key`, seen};
};

/*
oidc-provider ends a device sign-in without the openid scope ("The Sign-in request was
interrupted"); Kimi's and Meta's clients send no scope at all (docs/providers.md). For those two, and only
on the device authorization request, this fetch adds `scope=openid`: everything else is the
adapter's own request.
*/
const withOpenidScope: typeof fetch = async (input, init) => {
	const body = init?.body;
	if (
		typeof body === 'string' &&
		String(input).endsWith('/device/auth') &&
		!new URLSearchParams(body).has('scope')
	) {
		return fetch(input, {...init, body: `${body}&scope=openid`});
	}

	return fetch(input, init);
};

type Case = {
	provider: Provider;
	fetch?: typeof fetch;
	server: OidcServerOptions;
	endpoints: (server: OidcServer) => Promise<Record<string, string>>;
};

const cases: Case[] = [
	{
		provider: xai,
		server: {
			clientId: 'b1a00492-073a-47ea-816f-4c329264a828',
			extraScopes: ['grok-cli:access', 'api:access'],
		},
		endpoints: async server => ({
			deviceCode: server.endpoints.deviceAuthorization,
			token: server.endpoints.token,
		}),
	},
	{
		provider: kimiCoding,
		fetch: withOpenidScope,
		server: {clientId: '17e5f671-d194-4dfb-9706-5516cb48c098'},
		endpoints: async server => ({
			deviceCode: server.endpoints.deviceAuthorization,
			token: server.endpoints.token,
		}),
	},
	{
		provider: meta,
		fetch: withOpenidScope,
		server: {clientId: '1031625952748946'},
		endpoints: async server => ({
			deviceCode: server.endpoints.deviceAuthorization,
			token: server.endpoints.token,
			key: (await startKeyStub()).url,
		}),
	},
	{
		provider: radius,
		server: {
			clientId: 'pi-gateway',
			extraScopes: ['gateway'],
			// Radius derives every URL from the gateway base (docs/providers.md).
			routes: {
				token: '/v1/oauth/token',
				device_authorization: '/v1/oauth/device',
			},
		},
		endpoints: async server => ({gateway: server.issuer}),
	},
];

const start = async (testCase: Case) => {
	const server = await startOidcServer(testCase.server);
	opened.push(server);
	const context: ProviderContext = {
		fetch: testCase.fetch ?? globalThis.fetch,
		endpoints: await testCase.endpoints(server),
		now: Date.now,
	};
	const session = await testCase.provider.startDevice!(context, {});
	// oidc-provider sends no interval (docs/testing.md): the poller's default is injected smaller.
	const credential = pollDevice({
		poll: session.poll,
		intervalSeconds: 0.05,
		expiresInSeconds: session.expiresInSeconds,
	});
	credential.catch(() => undefined);
	return {server, context, session, credential};
};

describe.each(cases)('$provider.id against oidc-provider', testCase => {
	it('§3.1–3.5: pending until the user approves, then a credential pi can use', async () => {
		const {server, session, credential} = await start(testCase);
		expect(session.expiresInSeconds).toBe(600);
		// The adapter shows verification_uri_complete, which carries the user code.
		expect(session.verificationUri).toContain(server.issuer);
		await createUserAgent(server.issuer).verifyDevice(
			`${server.issuer}/device`,
			session.userCode,
		);
		const stored = await credential;
		expect(stored).toMatchObject({type: 'oauth'});
		expect(typeof stored.access).toBe('string');
		expect(typeof stored.refresh).toBe('string');
		expect(Number.isFinite(stored.expires)).toBe(true);
		expect(stored.expires).toBeGreaterThan(Date.now());
		const grants = server.grants.filter(event => event.outcome === 'success');
		expect(grants).toEqual([
			{
				outcome: 'success',
				grantType: 'urn:ietf:params:oauth:grant-type:device_code',
			},
		]);
		const pending = server.grants.filter(
			event => event.error === 'authorization_pending',
		);
		expect(pending.length).toBeGreaterThan(0);
		expect(server.serverErrors).toEqual([]);
	});

	it('§3.5 access_denied ends the sign-in', async () => {
		const {server, session, credential} = await start(testCase);
		await createUserAgent(server.issuer).verifyDevice(
			`${server.issuer}/device`,
			session.userCode,
			{deny: true},
		);
		const error = await rejection(credential);
		expect(error.code).toBe('access-denied');
	});

	it('§3.5 expired_token ends the sign-in', async () => {
		const server = await startOidcServer({
			...testCase.server,
			deviceCodeTtlSeconds: 1,
		});
		opened.push(server);
		const context: ProviderContext = {
			fetch: testCase.fetch ?? globalThis.fetch,
			endpoints: await testCase.endpoints(server),
			now: Date.now,
		};
		const session = await testCase.provider.startDevice!(context, {});
		const error = await rejection(
			pollDevice({
				poll: session.poll,
				intervalSeconds: 0.05,
				expiresInSeconds: 30,
			}),
		);
		expect(error.code).toBe('code-expired');
	});

	it('RFC 6749 §6: refresh rotates; the spent refresh token is refused and revokes (needs-login)', async () => {
		const {server, context, session, credential} = await start(testCase);
		await createUserAgent(server.issuer).verifyDevice(
			`${server.issuer}/device`,
			session.userCode,
		);
		const first: OAuthCredential = await credential;
		const fields = await testCase.provider.refresh!(context, first);
		expect(fields.access).not.toBe(first.access);
		if (testCase.provider.id === 'meta') {
			// Meta mints a key with the identity token: no refresh_token grant reaches the server.
			expect(
				server.grants.filter(event => event.grantType === 'refresh_token'),
			).toEqual([]);
			return;
		}

		expect(fields.refresh).not.toBe(first.refresh);
		const reused = await rejection(testCase.provider.refresh!(context, first));
		expect(reused.code).toBe('revoked');
		expect(reused.serverCode).toBe('invalid_grant');
	});
});
