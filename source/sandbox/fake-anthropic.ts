/*
A fake of Anthropic's Claude Pro/Max sign-in (docs/providers.md "Anthropic") and usage endpoint
(docs/usage.md), quirks included, on one 127.0.0.1 origin.

Public API: startFakeAnthropic(options?) → FakeAnthropic:
- endpoints {authorize, token, usage}: the URLs to put in pi-auth's config file.
- approve(authorizeUrl) → the callback URL with code and state, or for the paste-only redirect URI
  the `code#state` text the page shows; deny(authorizeUrl) → the redirect URL with access_denied.
- issueGrant({scopes?, email?}) → {access, refresh, expiresIn}: tokens as a sign-in would give.
- issueSetupToken() → an inference-only `sk-ant-oat01-…` token (the usage endpoint answers 403).
- revoke(token): revokes the family of a refresh or access token (refresh then → invalid_grant).
- settings (mutable): accessTtlSeconds, omitRefreshToken, email, usage (the usage body, or
  undefined for a default computed from the clock).
- secrets(): every token issued; plus FakeServer's log, counters, fail() and close().
Options: the settings, and `now` (the clock for expiry).
*/
import {
	ANTHROPIC_CLIENT_ID,
	type AnthropicTokenSettings,
	createAnthropicToken,
} from './anthropic-token.js';
import {createAuthorizeFlow} from './authorize-flow.js';
import {approveAuthorize, denyAuthorize} from './browser.js';
import {type FakeRequest, jsonResponse} from './fake-http.js';
import {type FakeServer, startFakeServer} from './fake-server.js';
import {createGrants} from './grants.js';
import {randomToken} from './tokens.js';
import {defaultAnthropicUsage} from './usage-bodies.js';

export {ANTHROPIC_CLIENT_ID} from './anthropic-token.js';
export const ANTHROPIC_SCOPES = [
	'org:create_api_key',
	'user:profile',
	'user:inference',
	'user:sessions:claude_code',
	'user:mcp_servers',
	'user:file_upload',
] as const;
export const ANTHROPIC_PASTE_REDIRECT_URI =
	'https://platform.claude.com/oauth/code/callback';
const USAGE_BETA = 'oauth-2025-04-20';
const YEAR_MS = 365 * 24 * 3_600_000;
const PATHS = {
	authorize: '/oauth/authorize',
	token: '/v1/oauth/token',
	usage: '/api/oauth/usage',
};

export type FakeAnthropicSettings = AnthropicTokenSettings & {usage: unknown};

export type FakeAnthropicOptions = Partial<FakeAnthropicSettings> & {
	now?: () => number;
};

export type FakeAnthropic = FakeServer & {
	endpoints: Record<keyof typeof PATHS, string>;
	settings: FakeAnthropicSettings;
	approve: (authorizeUrl: string) => Promise<string>;
	deny: (authorizeUrl: string) => Promise<string>;
	issueGrant: (input?: {scopes?: readonly string[]; email?: string}) => {
		access: string;
		refresh: string;
		expiresIn: number;
	};
	issueSetupToken: () => string;
	revoke: (token: string) => boolean;
	secrets: () => string[];
};

// The API's own error shape, as the usage endpoint sends it.
const apiError = (status: number, type: string, message: string) =>
	jsonResponse(status, {type: 'error', error: {type, message}});

export const startFakeAnthropic = async (
	options: FakeAnthropicOptions = {},
): Promise<FakeAnthropic> => {
	const {now = Date.now} = options;
	const settings: FakeAnthropicSettings = {
		accessTtlSeconds: options.accessTtlSeconds ?? 8 * 3600,
		omitRefreshToken: options.omitRefreshToken ?? false,
		email: options.email ?? 'claude-user@example.com',
		usage: options.usage,
	};
	const grants = createGrants({now, refreshPrefix: 'sk-ant-ort01-'});
	const flow = createAuthorizeFlow({
		clientName: 'Claude Code',
		clientId: ANTHROPIC_CLIENT_ID,
		scopes: ANTHROPIC_SCOPES,
		path: PATHS.authorize,
		now,
		// Any localhost port (pi listens on 53692, tests on a free one), or the paste-only URI.
		redirectAllowed: uri =>
			uri === ANTHROPIC_PASTE_REDIRECT_URI ||
			/^http:\/\/localhost:\d{1,5}\/callback$/.test(uri),
		// The real page rejects short states; any 43 characters pass, verifier or not (docs/providers.md).
		minStateLength: 43,
		showCode: {
			redirectUri: ANTHROPIC_PASTE_REDIRECT_URI,
			path: '/oauth/code/callback',
		},
	});
	const token = createAnthropicToken({now, grants, flow, settings});

	const usage = (request: FakeRequest) => {
		const auth = /^Bearer (\S+)$/.exec(
			String(request.headers.authorization ?? ''),
		);
		const betas = String(request.headers['anthropic-beta'] ?? '')
			.split(',')
			.map(beta => beta.trim());
		if (!auth?.[1]) {
			return apiError(401, 'authentication_error', 'Missing bearer token.');
		}

		// docs/usage.md: OAuth tokens are accepted only with this beta header.
		if (!betas.includes(USAGE_BETA)) {
			return apiError(
				401,
				'authentication_error',
				'OAuth authentication is currently not supported.',
			);
		}

		const checked = grants.checkAccess(auth[1]);
		if (checked.kind !== 'ok') {
			return apiError(
				401,
				'authentication_error',
				`The access token is ${checked.kind === 'unknown' ? 'invalid' : checked.kind}.`,
			);
		}

		// docs/usage.md: it needs user:profile, which setup tokens lack.
		if (!checked.grant.scopes.includes('user:profile')) {
			return apiError(
				403,
				'permission_error',
				'OAuth token does not meet scope requirement user:profile.',
			);
		}

		return jsonResponse(200, settings.usage ?? defaultAnthropicUsage(now()));
	};

	const server = await startFakeServer({
		routes: [
			...flow.routes,
			{name: 'token', method: 'POST', path: PATHS.token, handle: token.handle},
			{name: 'usage', method: 'GET', path: PATHS.usage, handle: usage},
		],
	});
	return {
		...server,
		endpoints: {
			authorize: server.url(PATHS.authorize),
			token: server.url(PATHS.token),
			usage: server.url(PATHS.usage),
		},
		settings,
		approve: approveAuthorize,
		deny: denyAuthorize,
		issueGrant(input = {}) {
			const grant = grants.start({
				scopes: input.scopes ?? ANTHROPIC_SCOPES,
				email: input.email ?? settings.email,
				subject: {},
			});
			const body = token.issue(grant, grants.issueRefresh(grant));
			return {
				access: body.access_token,
				refresh: body.refresh_token ?? '',
				expiresIn: body.expires_in,
			};
		},
		issueSetupToken() {
			// docs/providers.md: `claude setup-token` gives a one-year, inference-only token.
			const grant = grants.start({
				scopes: ['user:inference'],
				email: settings.email,
				subject: {},
			});
			const access = randomToken('sk-ant-oat01-', 66);
			grants.addAccess(grant, access, now() + YEAR_MS);
			return access;
		},
		revoke: grants.revoke,
		secrets: grants.secrets,
	};
};
