/*
The browser sign-in as pi-auth ships it (engine/login.ts, openai-codex.ts) against a real authorization
server, oidc-provider, driven by the helper's user agent. Only shipped code on the client side:
pkce.ts createPkce, authorize-url.ts buildAuthorizeUrl and randomState, callback-server.ts
startCallbackServer, race.ts raceForCode (callback against pastes), paste.ts parsePaste, then the code
exchange through http.ts postToken (form body, RFC 6749 §4.1.3) and token-response.ts
readTokenResponse (shipped-steps.ts). Nothing is mocked: code, state and tokens come from the server.

What these tests do not claim, because no shipped code does it:
- RFC 9207 `iss` checking. oidc-provider puts `iss` on every redirect; the callback server drops it,
  since nothing could compare it with an issuer: the providers publish no metadata naming one, and a
  pasted code has none. The mix-up defence pi-auth has is the per-attempt `state` that the callback
  server and the paste prompt both enforce (RFC 6749 §10.12), proven below.
- ID token validation. readTokenResponse reads `id_token` only as an unverified label (docs/providers.md:
  parsers must tolerate what these undocumented endpoints send).
*/
import {afterEach, describe, expect, it} from 'vitest';
import {PiAuthError, isTransient} from '../../source/errors.js';
import {randomState} from '../../source/oauth/authorize-url.js';
import {
	type CallbackServer,
	startCallbackServer,
} from '../../source/oauth/callback-server.js';
import {getJson} from '../../source/oauth/http.js';
import {type Pkce, createPkce} from '../../source/oauth/pkce.js';
import {createPasteQueue, raceForCode} from '../../source/oauth/race.js';
import {
	type OidcServer,
	createUserAgent,
	startOidcServer,
} from '../helpers/oidc.js';
import {canConnect} from '../oauth/local-server.js';
import {
	authorizeUrlFor,
	exchangeCode,
	expectNoSecrets,
	refreshGrant,
	rejection,
	within,
} from './shipped-steps.js';

const opened: Array<OidcServer | CallbackServer> = [];

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

const start = async () => {
	const server = await startOidcServer();
	opened.push(server);
	return server;
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
	pkce: Pkce;
	state: string;
	callback: CallbackServer;
	redirectUri: string;
	url: string;
};

/** What engine/login.ts does before opening the browser: PKCE, state, callback server, URL. */
const begin = async (server: OidcServer): Promise<Attempt> => {
	const pkce = createPkce();
	const state = randomState(32, 'base64url');
	const callback = await startCallbackServer({
		ports: [0],
		path: '/callback',
		expectedState: state,
	});
	opened.push(callback);
	expect(callback.port).toBeGreaterThan(0);
	const redirectUri = server.redirectUri(callback.port!);
	const url = authorizeUrlFor(server, {pkce, state, redirectUri});
	return {pkce, state, callback, redirectUri, url};
};

/** The race engine/login.ts runs, with a paste queue the test types into. */
const race = (attempt: Attempt) => {
	const pastes = createPasteQueue();
	const refused: PiAuthError[] = [];
	let heard = () => {};
	const onRejectedPaste = (error: PiAuthError) => {
		refused.push(error);
		heard();
	};

	const outcome = raceForCode({
		callback: attempt.callback,
		pastes,
		expectedState: attempt.state,
		onRejectedPaste,
	});
	outcome.catch(() => undefined);
	/** Resolves once `count` pastes in all have been refused; fails at once if the race ends first. */
	const refusals = async (count: number) =>
		within(
			new Promise<PiAuthError[]>((resolve, reject) => {
				heard = () => {
					if (refused.length >= count) resolve([...refused]);
				};

				heard();
				outcome.then(
					result => {
						reject(
							new Error(
								`the race ended via ${result.via} after ${refused.length} of ${count} refusals`,
							),
						);
					},
					(error: unknown) => {
						reject(error);
					},
				);
			}),
			5000,
			`${count} refused pastes`,
		);
	return {outcome, pastes, refusals};
};

/** The browser part: sign in, consent, land on the callback server. */
const browse = async (server: OidcServer, url: string) => {
	const {delivered} = await createUserAgent(server.issuer).authorize(url);
	expect(delivered?.status).toBe(200);
	expect(delivered?.body).toContain('you can close this tab');
};

/** A sign-in whose code came back through the callback server, not yet exchanged. */
const codeFromCallback = async (server: OidcServer) => {
	const attempt = await begin(server);
	const {outcome} = race(attempt);
	await browse(server, attempt.url);
	const {code} = await outcome;
	return {attempt, code};
};

const userinfo = async (server: OidcServer, accessToken: string) =>
	getJson({
		fetch: globalThis.fetch,
		url: `${server.issuer}/me`,
		headers: {authorization: `Bearer ${accessToken}`},
	});

describe('authorization code + PKCE against oidc-provider, shipped toolkit', () => {
	it('the callback wins the race and its code redeems with a form-encoded token request', async () => {
		const server = await start();
		const attempt = await begin(server);
		const {outcome} = race(attempt);
		await browse(server, attempt.url);
		const result = await outcome;
		// `iss` (RFC 9207) is dropped; see the header for why nothing checks it.
		expect(result).toEqual({
			code: expect.any(String),
			state: attempt.state,
			via: 'callback',
		});
		// raceForCode closes the callback server once it has an answer.
		expect(await canConnect(attempt.callback.port!)).toBe(false);

		const tokens = await exchangeCode(server, {
			code: result.code,
			verifier: attempt.pkce.verifier,
			redirectUri: attempt.redirectUri,
		});
		expect(tokens).toMatchObject({
			accessToken: expect.any(String),
			refreshToken: expect.any(String),
			idToken: expect.any(String),
			expiresIn: 3600,
		});
		expect(server.grants).toEqual([
			{outcome: 'success', grantType: 'authorization_code'},
		]);
		// The token is real: the server accepts it at its userinfo endpoint.
		expect(await userinfo(server, tokens.accessToken)).toMatchObject({
			sub: 'conformance-user',
		});
		expect(server.serverErrors).toEqual([]);
	});

	it('a paste wins the race while the callback server listens: URL, query, code#state and bare code all redeem', async () => {
		const server = await start();
		const kinds = ['url', 'query', 'code#state', 'bare'] as const;
		for (const kind of kinds) {
			const attempt = await begin(server);
			const {outcome, pastes, refusals} = race(attempt);
			// The browser shows the address but never reaches the callback server (e.g. a remote shell).
			const {redirect} = await createUserAgent(server.issuer).authorize(
				attempt.url,
				{deliver: false},
			);
			const code = redirect.searchParams.get('code') ?? '';
			// A stray answer at the prompt is refused before it reaches a token endpoint; the race goes on.
			pastes.push('y');
			const [junk] = await refusals(1);
			expect(junk?.code).toBe('paste-invalid');
			expect(await isPending(outcome)).toBe(true);

			const pasted = {
				url: redirect.href,
				query: redirect.search,
				'code#state': `${code}#${attempt.state}`,
				bare: code,
			}[kind];
			pastes.push(pasted);
			expect(await outcome).toEqual({
				code,
				...(kind === 'bare' ? {} : {state: attempt.state}),
				via: 'paste',
			});
			expect((await rejection(attempt.callback.result)).code).toBe('aborted');

			// The exchange uses the authorize request's redirect_uri, pasted or not (pi #2169, #2185).
			const tokens = await exchangeCode(server, {
				code,
				verifier: attempt.pkce.verifier,
				redirectUri: attempt.redirectUri,
			});
			expect(tokens.accessToken).toEqual(expect.any(String));
		}

		expect(server.grants).toEqual(
			kinds.map(() => ({outcome: 'success', grantType: 'authorization_code'})),
		);
	});

	it('a wrong code_verifier (RFC 7636 §4.6) is refused with invalid_grant, mapped to revoked, no secret shown', async () => {
		const server = await start();
		const {attempt, code} = await codeFromCallback(server);
		const wrong = createPkce().verifier;
		const error = await rejection(
			exchangeCode(server, {
				code,
				verifier: wrong,
				redirectUri: attempt.redirectUri,
			}),
		);
		// invalid_grant is RFC 6749 §5.2's code for a bad verifier; http-failure.ts reads it as a
		// sign-in the server no longer accepts: permanent (no retry loop), and "Sign in again".
		expect(error.code).toBe('revoked');
		expect(error.serverCode).toBe('invalid_grant');
		expect(error.status).toBe(400);
		expect(isTransient(error)).toBe(false);
		expect(error.message).toMatch(/Sign in again/);
		expectNoSecrets(error, [code, wrong, attempt.pkce.verifier]);
		expect(server.grants).toEqual([
			{
				outcome: 'error',
				grantType: 'authorization_code',
				error: 'invalid_grant',
			},
		]);

		// The right verifier still redeems the code: the refusal was the PKCE check, nothing else.
		const tokens = await exchangeCode(server, {
			code,
			verifier: attempt.pkce.verifier,
			redirectUri: attempt.redirectUri,
		});
		expect(tokens.accessToken).toEqual(expect.any(String));
	});

	it('a reused code (RFC 6749 §4.1.2) is refused, and the server revokes what the code gave', async () => {
		const server = await start();
		const {attempt, code} = await codeFromCallback(server);
		const input = {
			code,
			verifier: attempt.pkce.verifier,
			redirectUri: attempt.redirectUri,
		};
		const first = await exchangeCode(server, input);
		const error = await rejection(exchangeCode(server, input));
		expect(error.code).toBe('revoked');
		expect(error.serverCode).toBe('invalid_grant');
		expectNoSecrets(error, [code, attempt.pkce.verifier]);

		// RFC 6749 §4.1.2: tokens issued from a code used twice SHOULD be revoked — and they are.
		const refresh = await rejection(
			refreshGrant(server, first.refreshToken ?? ''),
		);
		expect(refresh.code).toBe('revoked');
		expect(refresh.serverCode).toBe('invalid_grant');
		expectNoSecrets(refresh, [first.refreshToken ?? '']);
		expect(server.grants.map(event => event.outcome)).toEqual([
			'success',
			'error',
			'error',
		]);
	});

	it('an earlier attempt’s redirect (state mismatch) is refused by the callback server and at the paste prompt, before any token request', async () => {
		const server = await start();
		const current = await begin(server);
		const {outcome, pastes, refusals} = race(current);
		/*
		An earlier attempt's link, opened late: its own PKCE and state, the same registered port (the
		product reuses fixed callback ports), so its redirect lands on the current callback server.
		*/
		const earlier = {pkce: createPkce(), state: randomState(32, 'base64url')};
		const {redirect, delivered} = await createUserAgent(
			server.issuer,
		).authorize(
			authorizeUrlFor(server, {...earlier, redirectUri: current.redirectUri}),
		);
		expect(redirect.searchParams.get('state')).toBe(earlier.state);
		// RFC 6749 §10.12: the browser is told the link is out of date, and the race keeps waiting.
		expect(delivered?.status).toBe(400);
		expect(delivered?.body).toMatch(/out of date/);
		expect(await isPending(outcome)).toBe(true);

		// The same answer pasted, in every form that carries a state, is refused too.
		const code = redirect.searchParams.get('code') ?? '';
		pastes.push(redirect.href);
		pastes.push(redirect.search);
		pastes.push(`${code}#${earlier.state}`);
		const refused = await refusals(3);
		expect(refused.map(error => error.code)).toEqual([
			'state-mismatch',
			'state-mismatch',
			'state-mismatch',
		]);
		for (const error of refused) expectNoSecrets(error, [code]);
		expect(await isPending(outcome)).toBe(true);
		expect(server.grants).toEqual([]);

		// The current attempt still completes through its callback.
		await browse(server, current.url);
		const result = await outcome;
		expect(result).toMatchObject({state: current.state, via: 'callback'});
		await exchangeCode(server, {
			code: result.code,
			verifier: current.pkce.verifier,
			redirectUri: current.redirectUri,
		});
		// And the refused code was genuine: the refusal was about the state alone.
		const stale = await exchangeCode(server, {
			code,
			verifier: earlier.pkce.verifier,
			redirectUri: current.redirectUri,
		});
		expect(stale.accessToken).toEqual(expect.any(String));
		expect(server.grants).toEqual([
			{outcome: 'success', grantType: 'authorization_code'},
			{outcome: 'success', grantType: 'authorization_code'},
		]);
	});

	it('a sign-in cancelled in the browser: a pasted denial is refused as access-denied, a delivered one ends the race', async () => {
		const server = await start();
		const attempt = await begin(server);
		const {outcome, pastes, refusals} = race(attempt);
		const {redirect} = await createUserAgent(server.issuer).authorize(
			attempt.url,
			{deny: true, deliver: false},
		);
		expect(redirect.searchParams.get('error')).toBe('access_denied');

		// Pasted: refused and reported, while the browser may still reach the callback server.
		pastes.push(redirect.href);
		const [pasted] = await refusals(1);
		expect(pasted?.code).toBe('access-denied');
		expect(pasted?.serverCode).toBe('access_denied');
		expect(await isPending(outcome)).toBe(true);

		// Delivered to the callback server: the race ends with the denial.
		const page = await fetch(redirect, {signal: AbortSignal.timeout(10_000)});
		expect(page.status).toBe(200);
		await page.text();
		const error = await rejection(outcome);
		expect(error.code).toBe('access-denied');
		expect(error.serverCode).toBe('access_denied');
		expect(server.grants).toEqual([]);
	});
});
