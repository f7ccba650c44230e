/*
A fake of xAI's sign-in (docs/providers.md "xAI"): RFC 8628 with form bodies, on one 127.0.0.1 origin.
Strict where docs/providers.md is: the client id, the exact scope, `referrer` and `Accept:
application/json` on the device request; single-use rotating refresh tokens.

Public API: startFakeXai(options?) → FakeXai:
- endpoints {deviceCode, token}; devicePage (the verification_uri).
- approveDevice(userCode) / denyDevice(userCode) through the page; expireDevice(userCode).
- issueGrant() → {access, refresh}: tokens as a finished sign-in gives.
- revoke(token): revokes a grant (refresh then → invalid_grant).
- settings (mutable): deviceInterval (s, 5), deviceExpiresIn (s, 900), autoApproveDeviceMs,
  accessTtlSeconds (3600), omitExpiresIn (replies without expires_in), omitRefreshOnRefresh
  (refresh replies without refresh_token; the old one stays valid), verificationUri (an override,
  e.g. an http:// page the client must refuse), email.
- secrets(); plus FakeServer's log, counters, fail() and close().
*/
import {randomBytes} from 'node:crypto';
import {
	type DeviceControls,
	deviceControls,
	refuseClient,
	rotateRefresh,
} from './device-fake.js';
import {type FakeRequest, jsonResponse} from './fake-http.js';
import {type FakeServer, startFakeServer} from './fake-server.js';
import {type Grant, createGrants} from './grants.js';
import {
	DEVICE_GRANT,
	type DeviceSettings,
	createRfc8628Device,
	oauthError,
} from './rfc8628-device.js';
import {randomToken} from './tokens.js';

export const XAI_CLIENT_ID = 'b1a00492-073a-47ea-816f-4c329264a828';
export const XAI_SCOPE =
	'openid profile email offline_access grok-cli:access api:access';
const PATHS = {deviceCode: '/oauth2/device/code', token: '/oauth2/token'};
const PAGE = '/device';

export type FakeXaiSettings = DeviceSettings & {
	accessTtlSeconds: number;
	omitExpiresIn: boolean;
	omitRefreshOnRefresh: boolean;
	verificationUri?: string | undefined;
	email: string;
};

export type FakeXaiOptions = Partial<FakeXaiSettings> & {now?: () => number};

export type FakeXai = FakeServer &
	DeviceControls & {
		endpoints: Record<keyof typeof PATHS, string>;
		settings: FakeXaiSettings;
		issueGrant: () => {access: string; refresh: string};
		revoke: (token: string) => boolean;
		secrets: () => string[];
	};

const part = (value: unknown) =>
	Buffer.from(JSON.stringify(value)).toString('base64url');

export const startFakeXai = async (
	options: FakeXaiOptions = {},
): Promise<FakeXai> => {
	const {now = Date.now} = options;
	const settings: FakeXaiSettings = {
		deviceInterval: options.deviceInterval ?? 5,
		deviceExpiresIn: options.deviceExpiresIn ?? 900,
		autoApproveDeviceMs: options.autoApproveDeviceMs,
		accessTtlSeconds: options.accessTtlSeconds ?? 3600,
		omitExpiresIn: options.omitExpiresIn ?? false,
		omitRefreshOnRefresh: options.omitRefreshOnRefresh ?? false,
		verificationUri: options.verificationUri,
		email: options.email ?? 'grok-user@example.com',
	};
	const grants = createGrants({now, refreshPrefix: 'xai-rt-'});
	const device = createRfc8628Device({
		pagePath: PAGE,
		now,
		settings,
		verificationUri: () => settings.verificationUri,
	});

	const issue = (grant: Grant, rotate: boolean) => {
		const access = randomToken('xai-at-', 32);
		grants.addAccess(grant, access, now() + settings.accessTtlSeconds * 1000);
		return jsonResponse(200, {
			access_token: access,
			token_type: 'Bearer',
			...(rotate ? {refresh_token: grants.issueRefresh(grant)} : {}),
			...(settings.omitExpiresIn
				? {}
				: {expires_in: settings.accessTtlSeconds}),
			id_token: `${part({alg: 'none'})}.${part({email: grant.email, iss: 'https://auth.x.ai'})}.${randomBytes(8).toString('base64url')}`,
			scope: grant.scopes.join(' '),
		});
	};

	const newGrant = () =>
		grants.start({
			scopes: XAI_SCOPE.split(' '),
			email: settings.email,
			subject: {},
		});

	const deviceCode = (request: FakeRequest) => {
		if (request.bodyType !== 'form') {
			return oauthError(400, 'invalid_request', 'Expected a form body.');
		}

		// docs/providers.md: xAI's device request carries Accept: application/json.
		if (!String(request.headers.accept ?? '').includes('application/json')) {
			return oauthError(
				406,
				'invalid_request',
				'Accept: application/json is required.',
			);
		}

		const {form} = request;
		if (form['client_id'] !== XAI_CLIENT_ID) {
			return oauthError(401, 'invalid_client', 'Unknown client_id.');
		}

		if (form['scope'] !== XAI_SCOPE) {
			return oauthError(400, 'invalid_scope', 'Unexpected scope.');
		}

		if (!form['referrer']) {
			return oauthError(400, 'invalid_request', 'referrer is required.');
		}

		return device.start(request);
	};

	const token = (request: FakeRequest) => {
		const refused = refuseClient(request, XAI_CLIENT_ID);
		if (refused) return refused;
		const {form} = request;

		switch (form['grant_type']) {
			case DEVICE_GRANT:
				return device.pollDevice(form, () => issue(newGrant(), true));
			case 'refresh_token':
				return rotateRefresh(grants, form['refresh_token'] ?? '', grant => {
					if (settings.omitRefreshOnRefresh) {
						grants.restore(form['refresh_token'] ?? '');
					}

					return issue(grant, !settings.omitRefreshOnRefresh);
				});
			default:
				return oauthError(400, 'unsupported_grant_type', 'Unsupported grant.');
		}
	};

	const server = await startFakeServer({
		routes: [
			...device.routes,
			{
				name: 'deviceCode',
				method: 'POST',
				path: PATHS.deviceCode,
				handle: deviceCode,
			},
			{name: 'token', method: 'POST', path: PATHS.token, handle: token},
		],
	});
	return {
		...server,
		endpoints: {
			deviceCode: server.url(PATHS.deviceCode),
			token: server.url(PATHS.token),
		},
		settings,
		...deviceControls(server.url(PAGE), device),
		issueGrant() {
			const grant = newGrant();
			const access = randomToken('xai-at-', 32);
			grants.addAccess(grant, access, now() + settings.accessTtlSeconds * 1000);
			return {access, refresh: grants.issueRefresh(grant)};
		},
		revoke: grants.revoke,
		secrets: grants.secrets,
	};
};
