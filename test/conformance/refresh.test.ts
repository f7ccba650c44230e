/*
Rotating refresh tokens against oidc-provider (RFC 6749 §6, OAuth 2.0 Security BCP §4.14.2): every
refresh rotates, a reused refresh token revokes the whole grant. That is the behaviour that logs
users out when two processes refresh at once (providers.md), so the engine's single locked refresh
path is run here against the real thing, with a real credential file.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import * as oauth from 'oauth4webapi';
import {afterEach, describe, expect, it} from 'vitest';
import type {Config} from '../../source/config.js';
import {createAuthStore} from '../../source/credentials/store.js';
import {refreshCredential} from '../../source/engine/refresh.js';
import {PiAuthError} from '../../source/errors.js';
import {buildAuthorizeUrl} from '../../source/oauth/authorize-url.js';
import {createPkce} from '../../source/oauth/pkce.js';
import {
	type TokenSet,
	authorizationCodeGrant,
	refreshTokenGrant,
} from '../../source/oauth/rfc.js';
import type {Provider} from '../../source/providers/types.js';
import {
	type OidcServer,
	createUserAgent,
	startOidcServer,
} from '../helpers/oidc.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const PROVIDER_ID = 'oidc-conformance';
const opened: OidcServer[] = [];

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

const start = async () => {
	const server = await startOidcServer();
	opened.push(server);
	return server;
};

/** A complete sign-in (authorize, consent, code exchange) for a grant to refresh. */
const signIn = async (server: OidcServer): Promise<TokenSet> => {
	const pkce = createPkce();
	// The redirect is read from the Location header, never loaded: no callback server is needed.
	const redirectUri = server.redirectUri(9);
	const {redirect} = await createUserAgent(server.issuer).authorize(
		buildAuthorizeUrl(server.endpoints.authorize, {
			response_type: 'code',
			client_id: server.clientId,
			redirect_uri: redirectUri,
			scope: server.scope,
			code_challenge: pkce.challenge,
			code_challenge_method: pkce.method,
		}),
		{deliver: false},
	);
	return authorizationCodeGrant({
		fetch: globalThis.fetch,
		clientId: server.clientId,
		tokenEndpoint: server.endpoints.token,
		code: redirect.searchParams.get('code') ?? '',
		codeVerifier: pkce.verifier,
		redirectUri,
		callbackParams: redirect.searchParams,
	});
};

const refresh = async (server: OidcServer, refreshToken: string) =>
	refreshTokenGrant({
		fetch: globalThis.fetch,
		clientId: server.clientId,
		tokenEndpoint: server.endpoints.token,
		refreshToken,
	});

const rejection = async (promise: Promise<unknown>): Promise<PiAuthError> => {
	const error = await promise.then(
		() => new Error('expected a rejection'),
		(error: unknown) => error,
	);
	expect(error).toBeInstanceOf(PiAuthError);
	return error as PiAuthError;
};

const refreshEvents = (server: OidcServer) =>
	server.grants.filter(event => event.grantType === 'refresh_token');

/**
A provider adapter as small as an RFC-following provider can be: its refresh is rfc.ts's
refreshTokenGrant at whatever token endpoint the engine hands it. Each call is recorded.
*/
const testProvider = (server: OidcServer) => {
	const calls: Array<{sent: string; received?: TokenSet}> = [];
	const provider: Provider = {
		id: PROVIDER_ID,
		name: 'oidc-provider (conformance)',
		subscription: 'none',
		methods: ['oauth'],
		endpointNames: ['token'],
		// Unreachable on purpose: only the config's override can point the engine at the server.
		defaultEndpoints: () => ({token: 'https://token.invalid/token'}),
		async refresh(context, credential) {
			const call: (typeof calls)[number] = {sent: credential.refresh};
			calls.push(call);
			const tokens = await refreshTokenGrant({
				fetch: context.fetch,
				clientId: server.clientId,
				tokenEndpoint: context.endpoints['token'] ?? '',
				refreshToken: credential.refresh,
				...(context.signal ? {signal: context.signal} : {}),
			});
			call.received = tokens;
			return {
				access: tokens.accessToken,
				refresh: tokens.refreshToken ?? credential.refresh,
				expires: context.now() + (tokens.expiresIn ?? 3600) * 1000,
			};
		},
	};
	const config: Config = {
		providers: {[PROVIDER_ID]: {endpoints: {token: server.endpoints.token}}},
	};
	return {provider, config, calls};
};

/** A credential file holding an expiring entry for the test provider, plus fields to keep. */
const seedFile = async (tokens: TokenSet, now: number) => {
	const directory = await makeTempDir();
	const file = path.join(directory, 'oauth.json');
	const entry = {
		type: 'oauth',
		access: tokens.accessToken,
		refresh: tokens.refreshToken,
		// One minute left: inside the 5-minute window, so every caller wants a refresh.
		expires: now + 60_000,
		accountId: 'account-1',
		unknownField: {kept: ['as', 'is']},
	};
	const other = {type: 'api_key', key: 'sk-other-provider'};
	await fs.writeFile(
		file,
		`${JSON.stringify({[PROVIDER_ID]: entry, other}, null, 2)}\n`,
		{mode: 0o600},
	);
	return {file, entry, other};
};

const readFile = async (file: string) =>
	JSON.parse(await fs.readFile(file, 'utf8')) as Record<
		string,
		Record<string, unknown>
	>;

describe('refresh token rotation against oidc-provider', () => {
	it('rotates on refresh; reusing the old token is refused and revokes the grant', async () => {
		const server = await start();
		const first = await signIn(server);
		const second = await refresh(server, first.refreshToken ?? '');
		expect(second.refreshToken).toEqual(expect.any(String));
		expect(second.refreshToken).not.toBe(first.refreshToken);
		expect(second.accessToken).not.toBe(first.accessToken);

		// Reuse of the consumed token: refused, and mapped as permanent.
		const reuse = await rejection(refresh(server, first.refreshToken ?? ''));
		expect(reuse.code).toBe('revoked');
		expect(reuse.serverCode).toBe('invalid_grant');
		expect(reuse.status).toBe(400);
		// The whole grant went with it: the rotated, never-used token fails too.
		const after = await rejection(refresh(server, second.refreshToken ?? ''));
		expect(after.code).toBe('revoked');
		expect(after.serverCode).toBe('invalid_grant');
		expect(refreshEvents(server)).toEqual([
			{outcome: 'success', grantType: 'refresh_token'},
			{outcome: 'error', grantType: 'refresh_token', error: 'invalid_grant'},
			{outcome: 'error', grantType: 'refresh_token', error: 'invalid_grant'},
		]);
	});

	it('refreshCredential: 10 concurrent callers make exactly one refresh and all get its token', async () => {
		const server = await start();
		const tokens = await signIn(server);
		const {provider, config, calls} = testProvider(server);
		const {file, entry, other} = await seedFile(tokens, Date.now());

		// Ten callers, each with its own store as separate processes would have, one file.
		const outcomes = await Promise.all(
			Array.from({length: 10}, async () =>
				refreshCredential(
					{
						store: createAuthStore({file}),
						config,
						fetch: globalThis.fetch,
						now: Date.now,
					},
					provider,
				),
			),
		);

		expect(calls).toHaveLength(1);
		expect(refreshEvents(server)).toEqual([
			{outcome: 'success', grantType: 'refresh_token'},
		]);
		expect(outcomes.filter(outcome => outcome.refreshed)).toHaveLength(1);
		const rotated = calls[0]?.received;
		expect(rotated?.refreshToken).toEqual(expect.any(String));
		expect(rotated?.refreshToken).not.toBe(tokens.refreshToken);
		for (const outcome of outcomes) {
			expect(outcome.credential.access).toBe(rotated?.accessToken);
			expect(outcome.credential.refresh).toBe(rotated?.refreshToken);
		}

		// On disk: the rotated pair, every other field and entry as it was.
		const stored = await readFile(file);
		expect(stored[PROVIDER_ID]).toEqual({
			...entry,
			access: rotated?.accessToken,
			refresh: rotated?.refreshToken,
			expires: expect.any(Number),
		});
		expect(stored[PROVIDER_ID]?.['expires']).toBeGreaterThan(
			Date.now() + 30 * 60_000,
		);
		expect(stored['other']).toEqual(other);

		// No reuse happened, so the grant is alive: the stored refresh token works once more.
		const again = await refresh(
			server,
			String(stored[PROVIDER_ID]?.['refresh']),
		);
		expect(again.accessToken).toEqual(expect.any(String));
		expect(server.serverErrors).toEqual([]);
	});

	it('a revoked grant (invalid_grant) records needsLogin on the entry and keeps every field', async () => {
		const server = await start();
		const tokens = await signIn(server);
		const {provider, config, calls} = testProvider(server);
		const now = Date.now();
		const {file, entry, other} = await seedFile(tokens, now);

		// RFC 7009: revoking the refresh token; oidc-provider revokes its grant with it.
		const as = {
			issuer: server.issuer,
			revocation_endpoint: server.endpoints.revocation,
		};
		const client = {client_id: server.clientId};
		const response = await oauth.revocationRequest(
			as,
			client,
			oauth.None(),
			tokens.refreshToken ?? '',
			{[oauth.allowInsecureRequests]: true},
		);
		await oauth.processRevocationResponse(response);

		const deps = {
			store: createAuthStore({file}),
			config,
			fetch: globalThis.fetch,
			now: () => now,
		};
		const error = await rejection(refreshCredential(deps, provider));
		expect(error.code).toBe('needs-login');
		expect(error.serverCode).toBe('invalid_grant');
		expect(error.message).toMatch(/pi-auth login oidc-conformance/);
		expect(calls).toHaveLength(1);

		const stored = await readFile(file);
		// cli-contract.md: the reason and time are added; nothing is deleted or blanked.
		expect(stored[PROVIDER_ID]).toEqual({
			...entry,
			needsLogin: {reason: 'invalid_grant', at: now},
		});
		expect(stored['other']).toEqual(other);

		// Recorded, so the next caller is told at once and the server is not asked again.
		const requests = server.grants.length;
		const next = await rejection(refreshCredential(deps, provider));
		expect(next.code).toBe('needs-login');
		expect(calls).toHaveLength(1);
		expect(server.grants).toHaveLength(requests);
	});
});
