/*
The Anthropic fake's token endpoint (docs/providers.md "Anthropic"): JSON bodies only, `state` and the
authorize request's exact redirect_uri in the code exchange, no `scope` on refresh, and rotating
single-use refresh tokens whose reuse revokes the family.

Public API: createAnthropicToken({now, grants, flow, settings}) → {handle, issue}.
*/
import {isRecord} from '../credentials/credential.js';
import type {createAuthorizeFlow} from './authorize-flow.js';
import {type FakeRequest, jsonResponse} from './fake-http.js';
import type {Grant, Grants} from './grants.js';
import {randomToken} from './tokens.js';

export const ANTHROPIC_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';

export type AnthropicTokenSettings = {
	accessTtlSeconds: number;
	/** Refresh responses without refresh_token (pi #9369); the old one then stays valid. */
	omitRefreshToken: boolean;
	email: string;
};

const oauthError = (status: number, error: string, description: string) =>
	jsonResponse(status, {error, error_description: description});

export const createAnthropicToken = (deps: {
	now: () => number;
	grants: Grants;
	flow: ReturnType<typeof createAuthorizeFlow>;
	settings: AnthropicTokenSettings;
}) => {
	const {now, grants, flow, settings} = deps;

	/** A token response; the access token is registered for the usage endpoint. */
	const issue = (grant: Grant, refreshToken: string | undefined) => {
		const access = randomToken('sk-ant-oat01-', 70);
		const expiresIn = settings.accessTtlSeconds;
		grants.addAccess(grant, access, now() + expiresIn * 1000);
		return {
			token_type: 'Bearer',
			access_token: access,
			...(refreshToken ? {refresh_token: refreshToken} : {}),
			expires_in: expiresIn,
			scope: grant.scopes.join(' '),
			organization: {uuid: 'org-fake-0001', name: 'Fake Org'},
			account: {uuid: 'acct-fake-0001', email_address: grant.email},
		};
	};

	const exchange = (body: Record<string, unknown>) => {
		const text = (name: string) =>
			typeof body[name] === 'string' ? body[name] : '';
		const redeemed = flow.redeem({
			code: text('code'),
			clientId: text('client_id'),
			redirectUri: text('redirect_uri'),
			verifier: text('code_verifier'),
		});
		if (!redeemed.ok) {
			return oauthError(400, redeemed.error, redeemed.description);
		}

		// Anthropic wants the authorize request's state in the token request too (docs/providers.md).
		if (text('state') !== redeemed.record.state) {
			return oauthError(400, 'invalid_request', 'state does not match.');
		}

		const grant = grants.start({
			scopes: redeemed.record.scopes,
			email: settings.email,
			subject: {},
		});
		return jsonResponse(200, issue(grant, grants.issueRefresh(grant)));
	};

	const refresh = (body: Record<string, unknown>) => {
		// docs/providers.md: a `scope` on refresh gets invalid_scope.
		if ('scope' in body) {
			return oauthError(400, 'invalid_scope', 'scope is not allowed here.');
		}

		const token =
			typeof body['refresh_token'] === 'string' ? body['refresh_token'] : '';
		const used = grants.useRefresh(token);
		if (used.kind === 'reused') {
			return oauthError(
				400,
				'invalid_grant',
				'Refresh token reused; the grant is revoked.',
			);
		}

		if (used.kind !== 'ok') {
			return oauthError(400, 'invalid_grant', 'Invalid refresh token.');
		}

		if (settings.omitRefreshToken) {
			grants.restore(token);
			return jsonResponse(200, issue(used.grant, undefined));
		}

		return jsonResponse(
			200,
			issue(used.grant, grants.issueRefresh(used.grant)),
		);
	};

	const handle = (request: FakeRequest) => {
		// docs/providers.md: JSON body only; a form body is refused.
		if (request.bodyType !== 'json' || !isRecord(request.json)) {
			return oauthError(
				400,
				'invalid_request',
				'The request body must be JSON.',
			);
		}

		const body = request.json;
		if (body['client_id'] !== ANTHROPIC_CLIENT_ID) {
			return oauthError(400, 'invalid_client', 'Unknown client_id.');
		}

		switch (body['grant_type']) {
			case 'authorization_code':
				return exchange(body);
			case 'refresh_token':
				return refresh(body);
			default:
				return oauthError(
					400,
					'unsupported_grant_type',
					'Unsupported grant_type.',
				);
		}
	};

	return {handle, issue};
};
