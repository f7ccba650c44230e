/*
The token-endpoint calls pi-auth's provider adapters make, pointed at oidc-provider: http.ts postToken
with a form body (RFC 6749 §4.1.3, §6), read by token-response.ts readTokenResponse. The bodies are the
ones openai-codex.ts sends for its code exchange and refresh (docs/providers.md), with the test client's id.
No RFC library sits in between: what passes here is what users run.
*/
import {expect} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {
	buildAuthorizeUrl,
	randomState,
} from '../../source/oauth/authorize-url.js';
import {type Fetch, postToken} from '../../source/oauth/http.js';
import {parsePaste} from '../../source/oauth/paste.js';
import {type Pkce, createPkce} from '../../source/oauth/pkce.js';
import {
	type TokenResponse,
	readTokenResponse,
} from '../../source/providers/token-response.js';
import {type OidcServer, createUserAgent} from '../helpers/oidc.js';

export type CallOptions = {
	fetch?: Fetch;
	/** The token endpoint; default the server's (a Provider gets it from the engine's context). */
	url?: string;
	signal?: AbortSignal;
};

/** One form-encoded token request, read the tolerant way the adapters read it. */
export const tokenRequest = async (
	server: OidcServer,
	body: Record<string, string>,
	options: CallOptions = {},
): Promise<TokenResponse> =>
	readTokenResponse(
		await postToken({
			fetch: options.fetch ?? globalThis.fetch,
			url: options.url ?? server.endpoints.token,
			encoding: 'form',
			body,
			...(options.signal ? {signal: options.signal} : {}),
		}),
	);

/** openai-codex.ts `exchange`: RFC 6749 §4.1.3 with the RFC 7636 §4.5 code_verifier. */
export const exchangeCode = async (
	server: OidcServer,
	input: {code: string; verifier: string; redirectUri: string},
): Promise<TokenResponse> =>
	tokenRequest(server, {
		grant_type: 'authorization_code',
		client_id: server.clientId,
		code: input.code,
		code_verifier: input.verifier,
		redirect_uri: input.redirectUri,
	});

/** openai-codex.ts `refresh`: RFC 6749 §6 without `scope` (Anthropic refuses one, docs/providers.md). */
export const refreshGrant = async (
	server: OidcServer,
	refreshToken: string,
	options: CallOptions = {},
): Promise<TokenResponse> =>
	tokenRequest(
		server,
		{
			grant_type: 'refresh_token',
			refresh_token: refreshToken,
			client_id: server.clientId,
		},
		options,
	);

/** The authorize URL an adapter builds: S256 PKCE and a state (openai-codex.ts, minus its extras). */
export const authorizeUrlFor = (
	server: OidcServer,
	input: {pkce: Pkce; state: string; redirectUri: string},
): string =>
	buildAuthorizeUrl(server.endpoints.authorize, {
		response_type: 'code',
		client_id: server.clientId,
		redirect_uri: input.redirectUri,
		scope: server.scope,
		code_challenge: input.pkce.challenge,
		code_challenge_method: input.pkce.method,
		state: input.state,
	});

/**
A complete sign-in without a callback server: the redirect is read from the Location header (never
loaded), pasted through parsePaste, and the code exchanged. For tests that need a grant to work on.
*/
export const signIn = async (server: OidcServer): Promise<TokenResponse> => {
	const pkce = createPkce();
	const state = randomState(32, 'base64url');
	const redirectUri = server.redirectUri(9);
	const {redirect} = await createUserAgent(server.issuer).authorize(
		authorizeUrlFor(server, {pkce, state, redirectUri}),
		{deliver: false},
	);
	const {code} = parsePaste(redirect.href, state);
	return exchangeCode(server, {code, verifier: pkce.verifier, redirectUri});
};

export {rejection} from '../helpers/failure.js';

/** docs/architecture.md "House style": secrets never appear in an error, its cause or its serialised fields. */
export const expectNoSecrets = (
	error: PiAuthError,
	secrets: readonly string[],
): void => {
	const cause = error.cause as Error | undefined;
	const texts = [
		error.message,
		String(cause?.message),
		JSON.stringify({...error, message: error.message}),
	];
	for (const secret of secrets) {
		expect(secret.length).toBeGreaterThan(8);
		for (const text of texts) expect(text).not.toContain(secret);
	}
};

/** Settles with `promise`, or fails after `ms` naming what did not happen: a bound, not a sleep. */
export const within = async <T>(
	promise: Promise<T>,
	ms: number,
	what: string,
): Promise<T> => {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => {
			reject(new Error(`${what} did not happen within ${ms} ms`));
		}, ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
};
