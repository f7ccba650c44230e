/*
The Codex fake's token endpoint (docs/providers.md "OpenAI Codex"): form bodies only, PKCE checked,
JWT access and id tokens carrying the ChatGPT account id and email, and single-use refresh tokens:
reuse answers 401 `{"error": {"code": "refresh_token_reused", …}}` and revokes the family.

Public API: CODEX_CLIENT_ID, CODEX_SCOPES; createCodexToken({now, grants, flow, settings}) →
{handle, issue}.
*/
import {randomBytes} from 'node:crypto';
import type {createAuthorizeFlow} from './authorize-flow.js';
import {type FakeRequest, jsonResponse} from './fake-http.js';
import type {Grant, Grants} from './grants.js';

export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const CODEX_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const ISSUER = 'https://auth.openai.com';
const AUTH_CLAIM = 'https://api.openai.com/auth';
const PROFILE_CLAIM = 'https://api.openai.com/profile';

export type CodexTokenSettings = {
	accessTtlSeconds: number;
	email: string;
	accountId: string;
	planType: string;
	/** Refresh responses without refresh_token; the old one then stays valid. */
	omitRefreshToken: boolean;
	/** Tokens without chatgpt_account_id (docs/providers.md: sign-in must then fail). */
	omitAccountId: boolean;
};

const part = (value: unknown) =>
	Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT-shaped token. The signature is random bytes: pi-auth only decodes the payload. */
const jwt = (payload: Record<string, unknown>) =>
	`${part({alg: 'RS256', typ: 'JWT', kid: 'fake'})}.${part(payload)}.${randomBytes(32).toString('base64url')}`;

const oauthError = (status: number, error: string, description: string) =>
	jsonResponse(status, {error, error_description: description});

// OpenAI's error shape; errorCode() in http-failure.ts reads `error.code`.
const openaiError = (status: number, code: string, message: string) =>
	jsonResponse(status, {
		error: {message, type: 'invalid_request_error', param: null, code},
	});

export const createCodexToken = (deps: {
	now: () => number;
	grants: Grants;
	flow: ReturnType<typeof createAuthorizeFlow>;
	settings: CodexTokenSettings;
}) => {
	const {now, grants, flow, settings} = deps;

	const issue = (grant: Grant, rotate: boolean) => {
		const iat = Math.floor(now() / 1000);
		const exp = iat + settings.accessTtlSeconds;
		const auth = {
			...(settings.omitAccountId
				? {}
				: {chatgpt_account_id: grant.subject['accountId']}),
			chatgpt_plan_type: settings.planType,
			chatgpt_user_id: 'user-fake-0001',
		};
		const common = {iss: ISSUER, sub: 'auth0|fake-0001', iat};
		const access = jwt({
			...common,
			aud: ['https://api.openai.com/v1'],
			client_id: CODEX_CLIENT_ID,
			exp,
			jti: randomBytes(12).toString('hex'),
			scp: grant.scopes,
			[AUTH_CLAIM]: auth,
			[PROFILE_CLAIM]: {email: grant.email, email_verified: true},
		});
		grants.addAccess(grant, access, exp * 1000);
		return {
			id_token: jwt({
				...common,
				aud: CODEX_CLIENT_ID,
				exp: iat + 3600,
				email: grant.email,
				email_verified: true,
				[AUTH_CLAIM]: auth,
			}),
			access_token: access,
			...(rotate ? {refresh_token: grants.issueRefresh(grant)} : {}),
			expires_in: settings.accessTtlSeconds,
			token_type: 'Bearer',
			scope: grant.scopes.join(' '),
		};
	};

	const refresh = (token: string) => {
		const used = grants.useRefresh(token);
		switch (used.kind) {
			case 'ok': {
				if (settings.omitRefreshToken) grants.restore(token);
				return jsonResponse(200, issue(used.grant, !settings.omitRefreshToken));
			}

			case 'reused':
				return openaiError(
					401,
					'refresh_token_reused',
					'Your refresh token has already been used to generate a new access token. Please try signing in again.',
				);
			case 'revoked':
				return openaiError(
					401,
					'refresh_token_invalidated',
					'Your refresh token has been invalidated. Please try signing in again.',
				);
			case 'unknown':
				return oauthError(400, 'invalid_grant', 'Invalid refresh token.');
		}
	};

	const handle = (request: FakeRequest) => {
		// docs/providers.md: form-encoded only.
		if (request.bodyType !== 'form') {
			return oauthError(
				400,
				'invalid_request',
				'The body must be application/x-www-form-urlencoded.',
			);
		}

		const {form} = request;
		if (form['client_id'] !== CODEX_CLIENT_ID) {
			return oauthError(400, 'invalid_client', 'Unknown client_id.');
		}

		if (form['grant_type'] === 'refresh_token') {
			return refresh(form['refresh_token'] ?? '');
		}

		if (form['grant_type'] !== 'authorization_code') {
			return oauthError(
				400,
				'unsupported_grant_type',
				'Unsupported grant_type.',
			);
		}

		const redeemed = flow.redeem({
			code: form['code'] ?? '',
			clientId: form['client_id'],
			redirectUri: form['redirect_uri'] ?? '',
			verifier: form['code_verifier'] ?? '',
		});
		if (!redeemed.ok) {
			return oauthError(400, redeemed.error, redeemed.description);
		}

		const grant = grants.start({
			scopes: redeemed.record.scopes,
			email: settings.email,
			subject: {accountId: settings.accountId},
		});
		return jsonResponse(200, issue(grant, true));
	};

	return {handle, issue};
};
