/*
A fake Radius gateway (docs/providers.md "Radius"): discovery at GET /v1/oauth naming the authorize
page; the page (PKCE, client `pi-gateway`, redirect http://127.0.0.1:<port>/oauth/callback,
`handoff=url`, a UUID state); the device endpoint POST /v1/oauth/device; and one form-encoded token
endpoint POST /v1/oauth/token for the code, the device code and single-use refresh tokens.

Public API: startFakeRadius(options?) → FakeRadius:
- gateway: the base URL to put in the config file's `gateway` endpoint; endpoints {gateway}.
- approve(authorizeUrl) / deny(authorizeUrl) → the callback URL.
- approveDevice / denyDevice / expireDevice(userCode); devicePage.
- issueGrant() → {access, refresh}; revoke(token).
- settings (mutable): deviceInterval (5), deviceExpiresIn (600), autoApproveDeviceMs,
  accessTtlSeconds (3600), discovery (a replacement discovery body, e.g. one without the field).
- secrets(); plus FakeServer's log, counters, fail() and close().
*/
import {createAuthorizeFlow} from './authorize-flow.js';
import {approveAuthorize, denyAuthorize} from './browser.js';
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

export const RADIUS_CLIENT_ID = 'pi-gateway';
export const RADIUS_SCOPES = ['gateway', 'offline_access'];
const PATHS = {
	discovery: '/v1/oauth',
	authorize: '/oauth/authorize',
	device: '/v1/oauth/device',
	token: '/v1/oauth/token',
};
const PAGE = '/device';

export type FakeRadiusSettings = DeviceSettings & {
	accessTtlSeconds: number;
	discovery?: unknown;
};

export type FakeRadiusOptions = Partial<FakeRadiusSettings> & {
	now?: () => number;
};

export type FakeRadius = FakeServer &
	DeviceControls & {
		gateway: string;
		endpoints: {gateway: string};
		settings: FakeRadiusSettings;
		approve: (authorizeUrl: string) => Promise<string>;
		deny: (authorizeUrl: string) => Promise<string>;
		issueGrant: () => {access: string; refresh: string};
		revoke: (token: string) => boolean;
		secrets: () => string[];
	};

export const startFakeRadius = async (
	options: FakeRadiusOptions = {},
): Promise<FakeRadius> => {
	const {now = Date.now} = options;
	const settings: FakeRadiusSettings = {
		deviceInterval: options.deviceInterval ?? 5,
		deviceExpiresIn: options.deviceExpiresIn ?? 600,
		autoApproveDeviceMs: options.autoApproveDeviceMs,
		accessTtlSeconds: options.accessTtlSeconds ?? 3600,
		discovery: options.discovery,
	};
	const grants = createGrants({now, refreshPrefix: 'radius-rt-'});
	const flow = createAuthorizeFlow({
		clientName: 'pi',
		clientId: RADIUS_CLIENT_ID,
		scopes: RADIUS_SCOPES,
		path: PATHS.authorize,
		now,
		// docs/providers.md: http://127.0.0.1:1456/oauth/callback (any port here, for tests).
		redirectAllowed: uri =>
			/^http:\/\/127\.0\.0\.1:\d{1,5}\/oauth\/callback$/.test(uri),
		// A UUID.
		minStateLength: 36,
		checkExtra: query =>
			query.get('handoff') === 'url' ? undefined : 'handoff must be url.',
	});
	const device = createRfc8628Device({pagePath: PAGE, now, settings});
	const newGrant = () =>
		grants.start({
			scopes: RADIUS_SCOPES,
			email: 'radius-user@example.com',
			subject: {},
		});

	const tokens = (grant: Grant) => {
		const access = randomToken('radius-at-', 32);
		grants.addAccess(grant, access, now() + settings.accessTtlSeconds * 1000);
		return {
			access_token: access,
			refresh_token: grants.issueRefresh(grant),
			expires_in: settings.accessTtlSeconds,
			token_type: 'Bearer',
			scope: grant.scopes.join(' '),
		};
	};

	const issue = (grant: Grant) => jsonResponse(200, tokens(grant));

	const discovery = (request: FakeRequest) =>
		jsonResponse(
			200,
			settings.discovery ?? {
				authorizationEndpoint: new URL(PATHS.authorize, request.url).href,
			},
		);

	const deviceStart = (request: FakeRequest) => {
		const refused = refuseClient(request, RADIUS_CLIENT_ID);
		if (refused) return refused;

		if (request.form['scope'] !== RADIUS_SCOPES.join(' ')) {
			return oauthError(400, 'invalid_scope', 'Unexpected scope.');
		}

		return device.start(request);
	};

	const token = (request: FakeRequest) => {
		const refused = refuseClient(request, RADIUS_CLIENT_ID);
		if (refused) return refused;
		const {form} = request;
		switch (form['grant_type']) {
			case 'authorization_code': {
				const redeemed = flow.redeem({
					code: form['code'] ?? '',
					clientId: RADIUS_CLIENT_ID,
					redirectUri: form['redirect_uri'] ?? '',
					verifier: form['code_verifier'] ?? '',
				});
				return redeemed.ok
					? issue(newGrant())
					: oauthError(400, redeemed.error, redeemed.description);
			}

			case DEVICE_GRANT:
				return device.pollDevice(form, () => issue(newGrant()));
			case 'refresh_token':
				return rotateRefresh(grants, form['refresh_token'] ?? '', issue);
			default:
				return oauthError(400, 'unsupported_grant_type', 'Unsupported grant.');
		}
	};

	const server = await startFakeServer({
		routes: [
			...flow.routes,
			...device.routes,
			{
				name: 'discovery',
				method: 'GET',
				path: PATHS.discovery,
				handle: discovery,
			},
			{name: 'device', method: 'POST', path: PATHS.device, handle: deviceStart},
			{name: 'token', method: 'POST', path: PATHS.token, handle: token},
		],
	});
	return {
		...server,
		gateway: server.origin,
		endpoints: {gateway: server.origin},
		settings,
		approve: approveAuthorize,
		deny: denyAuthorize,
		...deviceControls(server.url(PAGE), device),
		issueGrant() {
			const body = tokens(newGrant());
			return {access: body.access_token, refresh: body.refresh_token};
		},
		revoke: grants.revoke,
		secrets: grants.secrets,
	};
};
