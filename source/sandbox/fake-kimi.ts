/*
A fake of Kimi Code's sign-in (docs/providers.md "Kimi Code"): RFC 8628 with form bodies and no scope,
verification_uri_complete in the device answer, 15-minute access tokens, and a refresh token that
is replaced on every refresh (single use: a reused one is invalid_grant and ends the grant).

Public API: startFakeKimi(options?) → FakeKimi:
- endpoints {deviceCode, token}; devicePage.
- approveDevice / denyDevice / expireDevice(userCode).
- issueGrant() → {access, refresh}; revoke(token) (refresh then → 401, as Kimi answers a dead
  grant).
- settings (mutable): deviceInterval (5), deviceExpiresIn (900), sendInterval (true; false omits
  it), autoApproveDeviceMs, accessTtlSeconds (900), incomplete (a field every reply then lacks:
  'access_token' | 'refresh_token' | 'expires_in', or undefined), incompleteAs ('missing' or
  'empty': the field sent as '' or 0).
- secrets(); plus FakeServer's log, counters, fail() and close().
*/
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

export const KIMI_CLIENT_ID = '17e5f671-d194-4dfb-9706-5516cb48c098';
const PATHS = {
	deviceCode: '/api/oauth/device_authorization',
	token: '/api/oauth/token',
};
const PAGE = '/code/authorize_device';

export type FakeKimiSettings = DeviceSettings & {
	sendInterval: boolean;
	accessTtlSeconds: number;
	incomplete?: 'access_token' | 'refresh_token' | 'expires_in' | undefined;
	/** How `incomplete` is incomplete: the field left out, or sent empty ('' or 0). */
	incompleteAs: 'missing' | 'empty';
};

export type FakeKimiOptions = Partial<FakeKimiSettings> & {now?: () => number};

export type FakeKimi = FakeServer &
	DeviceControls & {
		endpoints: Record<keyof typeof PATHS, string>;
		settings: FakeKimiSettings;
		issueGrant: () => {access: string; refresh: string};
		revoke: (token: string) => boolean;
		secrets: () => string[];
	};

export const startFakeKimi = async (
	options: FakeKimiOptions = {},
): Promise<FakeKimi> => {
	const {now = Date.now} = options;
	const settings: FakeKimiSettings = {
		deviceInterval: options.deviceInterval ?? 5,
		deviceExpiresIn: options.deviceExpiresIn ?? 900,
		sendInterval: options.sendInterval ?? true,
		autoApproveDeviceMs: options.autoApproveDeviceMs,
		accessTtlSeconds: options.accessTtlSeconds ?? 900,
		incomplete: options.incomplete,
		incompleteAs: options.incompleteAs ?? 'missing',
	};
	const grants = createGrants({now, refreshPrefix: 'kimi-rt-'});
	const device = createRfc8628Device({
		pagePath: PAGE,
		now,
		settings,
		sendInterval: () => settings.sendInterval,
	});
	const newGrant = () =>
		grants.start({scopes: [], email: 'kimi-user@example.com', subject: {}});

	const tokens = (grant: Grant) => {
		const access = randomToken('kimi-at-', 32);
		grants.addAccess(grant, access, now() + settings.accessTtlSeconds * 1000);
		return {
			access_token: access,
			refresh_token: grants.issueRefresh(grant),
			expires_in: settings.accessTtlSeconds,
			token_type: 'Bearer',
			scope: '',
		};
	};

	const issue = (grant: Grant) => {
		const body: Record<string, unknown> = tokens(grant);
		const field = settings.incomplete;
		if (field && settings.incompleteAs === 'missing') delete body[field];
		else if (field) body[field] = field === 'expires_in' ? 0 : '';
		return jsonResponse(200, body);
	};

	const deviceCode = (request: FakeRequest) => {
		const refused = refuseClient(request, KIMI_CLIENT_ID);
		if (refused) return refused;

		return device.start(request);
	};

	const token = (request: FakeRequest) => {
		const refused = refuseClient(request, KIMI_CLIENT_ID);
		if (refused) return refused;
		const {form} = request;

		switch (form['grant_type']) {
			case DEVICE_GRANT:
				return device.pollDevice(form, () => issue(newGrant()));
			case 'refresh_token':
				return rotateRefresh(
					grants,
					form['refresh_token'] ?? '',
					issue,
					// A revoked grant: Kimi answers 401 (docs/providers.md lists 401/403 as permanent).
					oauthError(401, 'unauthorized', 'The grant was revoked.'),
				);

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
			const body = tokens(newGrant());
			return {access: body.access_token, refresh: body.refresh_token};
		},
		revoke: grants.revoke,
		secrets: grants.secrets,
	};
};
