/*
A fake of OpenAI's ChatGPT/Codex sign-in (docs/providers.md "OpenAI Codex"), browser and device flows,
and of the wham usage endpoint (docs/usage.md), on one 127.0.0.1 origin.

Public API: startFakeCodex(options?) → FakeCodex:
- endpoints {authorize, token, deviceUserCode, deviceToken, deviceVerification, usage}.
- approve(authorizeUrl) → the callback URL with code and state; deny(authorizeUrl) → the callback
  URL with access_denied.
- approveDevice(userCode) / denyDevice(userCode): through the deviceVerification page;
  expireDevice(userCode): the code expires now.
- issueGrant({email?, accountId?}) → {access, refresh, idToken, expiresIn, accountId}.
- revoke(token): revokes the family of a refresh or access token (→ refresh_token_invalidated).
- settings (mutable): accessTtlSeconds, deviceInterval (a string, default "5"), autoApproveDeviceMs
  (the demo's stand-in for a person; off by default), email, accountId,
  planType, omitRefreshToken, omitAccountId (tokens without the account claim), usage.
- secrets(); plus FakeServer's log, counters, fail() and close().
Options: the settings, and `now` (the clock for expiry).
*/
import {PiAuthError} from '../errors.js';
import {createAuthorizeFlow} from './authorize-flow.js';
import {
	approveAuthorize,
	denyAuthorize,
	pageMessage,
	submitPage,
} from './browser.js';
import {createCodexDevice} from './codex-device.js';
import {
	CODEX_CLIENT_ID,
	CODEX_SCOPES,
	type CodexTokenSettings,
	createCodexToken,
} from './codex-token.js';
import {type FakeRequest, jsonResponse} from './fake-http.js';
import {type FakeServer, startFakeServer} from './fake-server.js';
import {createGrants} from './grants.js';
import {defaultCodexUsage} from './usage-bodies.js';

export {CODEX_CLIENT_ID} from './codex-token.js';
const PATHS = {
	authorize: '/oauth/authorize',
	token: '/oauth/token',
	deviceUserCode: '/api/accounts/deviceauth/usercode',
	deviceToken: '/api/accounts/deviceauth/token',
	deviceVerification: '/codex/device',
	usage: '/backend-api/wham/usage',
};

export type FakeCodexSettings = CodexTokenSettings & {
	deviceInterval: string;
	/** A demo aid, off by default: device codes count as approved this long after issue. */
	autoApproveDeviceMs?: number | undefined;
	usage: unknown;
};

export type FakeCodexOptions = Partial<FakeCodexSettings> & {
	now?: () => number;
};

export type FakeCodex = FakeServer & {
	endpoints: Record<keyof typeof PATHS, string>;
	settings: FakeCodexSettings;
	approve: (authorizeUrl: string) => Promise<string>;
	deny: (authorizeUrl: string) => Promise<string>;
	approveDevice: (userCode: string) => Promise<void>;
	denyDevice: (userCode: string) => Promise<void>;
	expireDevice: (userCode: string) => boolean;
	issueGrant: (input?: {email?: string; accountId?: string}) => {
		access: string;
		refresh: string;
		idToken: string;
		expiresIn: number;
		accountId: string;
	};
	revoke: (token: string) => boolean;
	secrets: () => string[];
};

export const startFakeCodex = async (
	options: FakeCodexOptions = {},
): Promise<FakeCodex> => {
	const {now = Date.now} = options;
	const settings: FakeCodexSettings = {
		accessTtlSeconds: options.accessTtlSeconds ?? 10 * 24 * 3600,
		deviceInterval: options.deviceInterval ?? '5',
		email: options.email ?? 'codex-user@example.com',
		accountId: options.accountId ?? 'acct-fake-codex-0001',
		planType: options.planType ?? 'plus',
		omitRefreshToken: options.omitRefreshToken ?? false,
		omitAccountId: options.omitAccountId ?? false,
		usage: options.usage,
		autoApproveDeviceMs: options.autoApproveDeviceMs,
	};
	const grants = createGrants({now, refreshPrefix: 'rt_'});
	const flow = createAuthorizeFlow({
		clientName: 'Codex CLI',
		clientId: CODEX_CLIENT_ID,
		scopes: CODEX_SCOPES,
		path: PATHS.authorize,
		now,
		// docs/providers.md: localhost, path /auth/callback (1455 or 1457 for real; any port here).
		redirectAllowed: uri =>
			/^http:\/\/localhost:\d{1,5}\/auth\/callback$/.test(uri),
		minStateLength: 1,
	});
	const token = createCodexToken({now, grants, flow, settings});
	const device = createCodexDevice({
		clientId: CODEX_CLIENT_ID,
		scopes: CODEX_SCOPES,
		paths: {
			userCode: PATHS.deviceUserCode,
			token: PATHS.deviceToken,
			verification: PATHS.deviceVerification,
		},
		now,
		interval: () => settings.deviceInterval,
		autoApproveMs: () => settings.autoApproveDeviceMs,
		addCode: flow.addCode,
	});

	const usage = (request: FakeRequest) => {
		const auth = /^Bearer (\S+)$/.exec(
			String(request.headers.authorization ?? ''),
		);
		const checked = grants.checkAccess(auth?.[1] ?? '');
		if (checked.kind !== 'ok') {
			return jsonResponse(401, {
				detail: 'Could not validate your credentials.',
			});
		}

		// docs/usage.md: the account id travels as a header and must be the token's.
		const account = request.headers['chatgpt-account-id'];
		if (account !== checked.grant.subject['accountId']) {
			return jsonResponse(403, {
				detail: 'ChatGPT-Account-Id is missing or does not match the token.',
			});
		}

		return jsonResponse(
			200,
			settings.usage ?? defaultCodexUsage(now(), settings.planType),
		);
	};

	const server = await startFakeServer({
		routes: [
			...flow.routes,
			...device.routes,
			{name: 'token', method: 'POST', path: PATHS.token, handle: token.handle},
			{name: 'usage', method: 'GET', path: PATHS.usage, handle: usage},
		],
	});
	const endpoints = Object.fromEntries(
		Object.entries(PATHS).map(([name, path]) => [name, server.url(path)]),
	) as FakeCodex['endpoints'];
	const decideDevice = async (code: string, decision: string) => {
		const answer = await submitPage(endpoints.deviceVerification, decision, {
			user_code: code,
		});
		if (answer.status !== 200) {
			throw new PiAuthError(
				'bad-response',
				`The device page refused the code: ${pageMessage(answer)}`,
			);
		}
	};

	return {
		...server,
		endpoints,
		settings,
		approve: approveAuthorize,
		deny: denyAuthorize,
		approveDevice: async code => decideDevice(code, 'approve'),
		denyDevice: async code => decideDevice(code, 'deny'),
		expireDevice: device.expire,
		issueGrant(input = {}) {
			const accountId = input.accountId ?? settings.accountId;
			const grant = grants.start({
				scopes: CODEX_SCOPES,
				email: input.email ?? settings.email,
				subject: {accountId},
			});
			const body = token.issue(grant, true);
			return {
				access: body.access_token,
				refresh: body.refresh_token ?? '',
				idToken: body.id_token,
				expiresIn: body.expires_in,
				accountId,
			};
		},
		revoke: grants.revoke,
		secrets: grants.secrets,
	};
};
