/*
The authorization-code + PKCE toolkit (RFC 6749 §4.1, RFC 7636, RFC 9207) against a real
authorization server: oidc-provider, driven by the helper's user agent. Nothing here is mocked: the
code, the state, the `iss` and the tokens all come from the server.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {PiAuthError, isTransient} from '../../source/errors.js';
import {
	buildAuthorizeUrl,
	randomState,
} from '../../source/oauth/authorize-url.js';
import {
	type CallbackServer,
	startCallbackServer,
} from '../../source/oauth/callback-server.js';
import {getJson} from '../../source/oauth/http.js';
import {parsePaste} from '../../source/oauth/paste.js';
import {type Pkce, createPkce} from '../../source/oauth/pkce.js';
import {
	authorizationCodeGrant,
	refreshTokenGrant,
} from '../../source/oauth/rfc.js';
import {
	type OidcServer,
	createUserAgent,
	startOidcServer,
} from '../helpers/oidc.js';

const opened: Array<OidcServer | CallbackServer> = [];

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

const rejection = async (promise: Promise<unknown>): Promise<PiAuthError> => {
	const error = await promise.then(
		() => new Error('expected a rejection'),
		(error: unknown) => error,
	);
	expect(error).toBeInstanceOf(PiAuthError);
	return error as PiAuthError;
};

/** Whether `promise` is still pending once the event loop had a chance to settle it. */
const isPending = async (promise: Promise<unknown>): Promise<boolean> => {
	let settled = false;
	promise.then(
		() => (settled = true),
		() => (settled = true),
	);
	await new Promise(resolve => setImmediate(resolve));
	return !settled;
};

type Attempt = {
	server: OidcServer;
	pkce: Pkce;
	state: string;
	callback: CallbackServer;
	redirectUri: string;
	url: string;
};

/** What a provider adapter does before opening the browser: PKCE, state, callback server, URL. */
const begin = async (
	options: {callbackState?: string} = {},
): Promise<Attempt> => {
	const server = await startOidcServer();
	opened.push(server);
	const pkce = createPkce();
	const state = randomState(32, 'base64url');
	const callback = await startCallbackServer({
		ports: [0],
		path: '/callback',
		expectedState: options.callbackState ?? state,
	});
	opened.push(callback);
	expect(callback.port).toBeGreaterThan(0);
	const redirectUri = server.redirectUri(callback.port!);
	const url = buildAuthorizeUrl(server.endpoints.authorize, {
		response_type: 'code',
		client_id: server.clientId,
		redirect_uri: redirectUri,
		scope: server.scope,
		code_challenge: pkce.challenge,
		code_challenge_method: pkce.method,
		state,
	});
	return {server, pkce, state, callback, redirectUri, url};
};

const grant = (
	attempt: Attempt,
	input: {
		code: string;
		codeVerifier?: string;
		callbackParams?: URLSearchParams;
	},
) =>
	authorizationCodeGrant({
		fetch: globalThis.fetch,
		clientId: attempt.server.clientId,
		tokenEndpoint: attempt.server.endpoints.token,
		code: input.code,
		codeVerifier: input.codeVerifier ?? attempt.pkce.verifier,
		redirectUri: attempt.redirectUri,
		expectedState: attempt.state,
		...(input.callbackParams ? {callbackParams: input.callbackParams} : {}),
	});

/** The browser part: sign in, consent, land on the callback server; then the code it received. */
const signIn = async (attempt: Attempt) => {
	const {delivered} = await createUserAgent(attempt.server.issuer).authorize(
		attempt.url,
	);
	expect(delivered?.status).toBe(200);
	expect(delivered?.body).toContain('you can close this tab');
	return attempt.callback.result;
};

const userinfo = async (server: OidcServer, accessToken: string) =>
	getJson({
		fetch: globalThis.fetch,
		url: `${server.issuer}/me`,
		headers: {authorization: `Bearer ${accessToken}`},
	});

describe('authorization code + PKCE against oidc-provider', () => {
	it('signs in through the callback server and exchanges the code, checking RFC 9207 iss', async () => {
		const attempt = await begin();
		const {server, state} = attempt;
		const result = await signIn(attempt);
		// RFC 9207 §2: the server names itself in the redirect; the callback server passes it on.
		expect(result).toEqual({
			code: expect.any(String),
			state,
			iss: server.issuer,
		});

		const tokens = await grant(attempt, {
			code: result.code,
			callbackParams: new URLSearchParams({
				code: result.code,
				state: result.state,
				iss: result.iss ?? '',
			}),
		});
		expect(tokens.accessToken).toEqual(expect.any(String));
		expect(tokens.refreshToken).toEqual(expect.any(String));
		expect(tokens.idToken).toEqual(expect.any(String));
		expect(tokens.expiresIn).toBe(3600);
		expect(server.grants).toEqual([
			{outcome: 'success', grantType: 'authorization_code'},
		]);
		// The token is real: the server accepts it at its userinfo endpoint.
		expect(await userinfo(server, tokens.accessToken)).toMatchObject({
			sub: 'conformance-user',
		});
		expect(server.serverErrors).toEqual([]);
	});

	it('refuses a callback whose iss names another issuer, before any token request (RFC 9207 §2.4)', async () => {
		const attempt = await begin();
		const {server} = attempt;
		const result = await signIn(attempt);
		const forged = new URLSearchParams({
			code: result.code,
			state: result.state,
			iss: 'http://127.0.0.1:1/',
		});
		const error = await rejection(
			grant(attempt, {code: result.code, callbackParams: forged}),
		);
		expect(error.code).toBe('bad-response');
		expect(error.message).toMatch(/wrong issuer or state/);
		expect(server.grants).toEqual([]);

		// The genuine iss still works: the refusal was about the issuer alone.
		const tokens = await grant(attempt, {
			code: result.code,
			callbackParams: new URLSearchParams({
				code: result.code,
				state: result.state,
				iss: server.issuer,
			}),
		});
		expect(tokens.accessToken).toEqual(expect.any(String));
	});

	it('refuses callback params whose state belongs to another attempt, before any token request', async () => {
		const attempt = await begin();
		const {server} = attempt;
		const result = await signIn(attempt);
		const error = await rejection(
			grant(attempt, {
				code: result.code,
				callbackParams: new URLSearchParams({
					code: result.code,
					state: randomState(32, 'base64url'),
					iss: server.issuer,
				}),
			}),
		);
		expect(error.code).toBe('bad-response');
		expect(server.grants).toEqual([]);
	});

	it('redeems a pasted code (bare or code#state) with the expected state given', async () => {
		const attempt = await begin();
		const {server, state} = attempt;
		const {redirect} = await createUserAgent(server.issuer).authorize(
			attempt.url,
			{deliver: false},
		);
		const code = redirect.searchParams.get('code') ?? '';
		// What a user copies from Anthropic's paste page: `code#state`; parsePaste checks the state.
		const pasted = parsePaste(`${code}#${state}`, state);
		expect(pasted).toEqual({code, state});
		// A bare code has no state left to check: the grant must not demand one (rfc.ts fix).
		const tokens = await grant(attempt, {code: pasted.code});
		expect(tokens.accessToken).toEqual(expect.any(String));
		expect(server.grants).toEqual([
			{outcome: 'success', grantType: 'authorization_code'},
		]);
	});

	it('refuses a wrong code_verifier (RFC 7636 §4.6) with invalid_grant, mapped to a PiAuthError', async () => {
		const attempt = await begin();
		const {server} = attempt;
		const {code} = await signIn(attempt);
		const wrong = createPkce().verifier;
		const error = await rejection(grant(attempt, {code, codeVerifier: wrong}));
		// invalid_grant is RFC 6749 §5.2's code for a bad verifier; http-failure.ts reads it as a
		// sign-in the server no longer accepts: permanent (no retry loop), and "Sign in again".
		expect(error.code).toBe('revoked');
		expect(error.serverCode).toBe('invalid_grant');
		expect(error.status).toBe(400);
		expect(isTransient(error)).toBe(false);
		expect(error.message).toMatch(/Sign in again/);
		for (const secret of [code, wrong, attempt.pkce.verifier]) {
			expect(error.message).not.toContain(secret);
			expect(String((error.cause as Error | undefined)?.message)).not.toContain(
				secret,
			);
		}

		expect(server.grants).toEqual([
			{
				outcome: 'error',
				grantType: 'authorization_code',
				error: 'invalid_grant',
			},
		]);
		// The right verifier still redeems the code: the refusal was the PKCE check, nothing else.
		const tokens = await grant(attempt, {code});
		expect(tokens.accessToken).toEqual(expect.any(String));
	});

	it('refuses a reused code (RFC 6749 §4.1.2) and the server revokes what the code gave', async () => {
		const attempt = await begin();
		const {server} = attempt;
		const {code} = await signIn(attempt);
		const first = await grant(attempt, {code});
		const error = await rejection(grant(attempt, {code}));
		expect(error.code).toBe('revoked');
		expect(error.serverCode).toBe('invalid_grant');
		// RFC 6749 §4.1.2: tokens issued from a code used twice SHOULD be revoked — and they are.
		const refresh = await rejection(
			refreshTokenGrant({
				fetch: globalThis.fetch,
				clientId: server.clientId,
				tokenEndpoint: server.endpoints.token,
				refreshToken: first.refreshToken ?? '',
			}),
		);
		expect(refresh.serverCode).toBe('invalid_grant');
		expect(server.grants.map(event => event.outcome)).toEqual([
			'success',
			'error',
			'error',
		]);
	});

	it('a redirect from another attempt (state mismatch) is refused by the callback server and by parsePaste', async () => {
		// The callback server waits for a different attempt's state: the real redirect is stale to it.
		const attempt = await begin({callbackState: randomState(32, 'base64url')});
		const {server, state, callback} = attempt;
		const {redirect, delivered} = await createUserAgent(
			server.issuer,
		).authorize(attempt.url);
		expect(redirect.searchParams.get('state')).toBe(state);
		expect(redirect.searchParams.get('iss')).toBe(server.issuer);
		// RFC 6749 §10.12: the browser is told the link is out of date, and the server keeps waiting.
		expect(delivered?.status).toBe(400);
		expect(delivered?.body).toMatch(/out of date/);
		expect(await isPending(callback.result)).toBe(true);

		// The same address pasted into a prompt that expects another state is refused too…
		const other = randomState(32, 'base64url');
		const code = redirect.searchParams.get('code') ?? '';
		for (const pasted of [redirect.href, redirect.search, `${code}#${state}`]) {
			let thrown: unknown;
			try {
				parsePaste(pasted, other);
			} catch (error) {
				thrown = error;
			}

			expect(thrown).toBeInstanceOf(PiAuthError);
			expect((thrown as PiAuthError).code).toBe('state-mismatch');
		}

		// …while the right state accepts it, and that code is genuine: it redeems.
		expect(parsePaste(redirect.href, state)).toEqual({code, state});
		const tokens = await grant(attempt, {code});
		expect(tokens.accessToken).toEqual(expect.any(String));
		await callback.close();
		expect((await rejection(callback.result)).code).toBe('aborted');
	});

	it('a sign-in cancelled in the browser reaches the callback server as access-denied', async () => {
		const attempt = await begin();
		const {server, callback} = attempt;
		const {redirect, delivered} = await createUserAgent(
			server.issuer,
		).authorize(attempt.url, {deny: true});
		expect(redirect.searchParams.get('error')).toBe('access_denied');
		expect(delivered?.status).toBe(200);
		const error = await rejection(callback.result);
		expect(error.code).toBe('access-denied');
		expect(error.serverCode).toBe('access_denied');
		expect(server.grants).toEqual([]);
	});
});
