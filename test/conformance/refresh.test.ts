/*
Rotating refresh tokens against oidc-provider (RFC 6749 §6, OAuth 2.0 Security BCP §4.14.2): every
refresh rotates, a reused refresh token revokes the whole grant. That is the behaviour that logs
users out when two processes refresh at once (docs/providers.md), so the engine's single locked refresh
path (engine/refresh.ts refreshCredential) is run here against the real thing, with a real credential
file. The refresh itself is the shipped one: http.ts postToken with a form body, read by
token-response.ts readTokenResponse, as openai-codex.ts refreshes (shipped-steps.ts).
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {Config} from '../../source/config.js';
import {createAuthStore} from '../../source/credentials/store.js';
import {refreshCredential} from '../../source/engine/refresh.js';
import type {TokenResponse} from '../../source/providers/token-response.js';
import type {Provider} from '../../source/providers/types.js';
import {type OidcServer, startOidcServer} from '../helpers/oidc.js';
import {makeTempDir} from '../helpers/temp-dir.js';
import {
	expectNoSecrets,
	refreshGrant,
	rejection,
	signIn,
} from './shipped-steps.js';

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

const refreshEvents = (server: OidcServer) =>
	server.grants.filter(event => event.grantType === 'refresh_token');

/**
A provider adapter as small as an RFC-following provider can be: its refresh is the shipped
postToken + readTokenResponse at whatever token endpoint the engine hands it, keeping the old refresh
token when none comes back (as every adapter does). Each call is recorded.
*/
const testProvider = (server: OidcServer) => {
	const calls: Array<{sent: string; received?: TokenResponse}> = [];
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
			const tokens = await refreshGrant(server, credential.refresh, {
				fetch: context.fetch,
				url: context.endpoints['token'] ?? '',
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

/** RFC 7009 revocation of a refresh token; oidc-provider revokes its grant with it. Test setup only. */
const revoke = async (server: OidcServer, token: string) => {
	const response = await fetch(server.endpoints.revocation, {
		method: 'POST',
		headers: {'content-type': 'application/x-www-form-urlencoded'},
		body: new URLSearchParams({
			token,
			token_type_hint: 'refresh_token',
			client_id: server.clientId,
		}).toString(),
		signal: AbortSignal.timeout(10_000),
	});
	await response.text();
	// RFC 7009 §2.2: 200 whether or not the token was known.
	expect(response.status).toBe(200);
};

/** A credential file holding an expiring entry for the test provider, plus fields to keep. */
const seedFile = async (tokens: TokenResponse, now: number) => {
	const directory = await makeTempDir();
	const file = path.join(directory, 'auth.json');
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
		const second = await refreshGrant(server, first.refreshToken ?? '');
		expect(second.refreshToken).toEqual(expect.any(String));
		expect(second.refreshToken).not.toBe(first.refreshToken);
		expect(second.accessToken).not.toBe(first.accessToken);

		// Reuse of the consumed token: refused, and mapped as permanent.
		const reuse = await rejection(
			refreshGrant(server, first.refreshToken ?? ''),
		);
		expect(reuse.code).toBe('revoked');
		expect(reuse.serverCode).toBe('invalid_grant');
		expect(reuse.status).toBe(400);
		expectNoSecrets(reuse, [first.refreshToken ?? '']);
		// The whole grant went with it: the rotated, never-used token fails too.
		const after = await rejection(
			refreshGrant(server, second.refreshToken ?? ''),
		);
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
		const again = await refreshGrant(
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

		await revoke(server, tokens.refreshToken ?? '');

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
		expectNoSecrets(error, [tokens.accessToken, tokens.refreshToken ?? '']);
		expect(calls).toHaveLength(1);

		const stored = await readFile(file);
		// docs/contract.md: the reason and time are added; nothing is deleted or blanked.
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
