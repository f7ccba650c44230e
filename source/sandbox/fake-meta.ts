/*
A fake of Meta's sign-in (docs/providers.md "Meta"): RFC 8628 at auth.meta.com (trailing-slash paths,
form bodies, no scope) giving an identity token, and the Muse key endpoint that mints a Model API
key with it (JSON body, Bearer identity token, `x-api-version: 1.0.0`). Meta's token endpoint
answers a refresh_token grant with 404, as the real one does.

Public API: startFakeMeta(options?) → FakeMeta:
- endpoints {deviceCode, token, key}; devicePage.
- approveDevice / denyDevice / expireDevice(userCode).
- issueIdentity() → an identity token as a finished device flow gives.
- revoke(identityToken): the key endpoint then answers 401.
- settings (mutable): deviceInterval (5), deviceExpiresIn (900), autoApproveDeviceMs, actionUrl
  (when set, the key endpoint answers `{action_url}` instead of a key).
- refreshGrants(): how many refresh_token grants reached the token endpoint (must stay 0).
- secrets(); plus FakeServer's log, counters, fail() and close().
*/
import {isRecord} from '../credentials/credential.js';
import {
	type DeviceControls,
	deviceControls,
	refuseClient,
} from './device-fake.js';
import {type FakeRequest, jsonResponse} from './fake-http.js';
import {type FakeServer, startFakeServer} from './fake-server.js';
import {createGrants} from './grants.js';
import {
	DEVICE_GRANT,
	type DeviceSettings,
	createRfc8628Device,
	oauthError,
} from './rfc8628-device.js';
import {randomToken} from './tokens.js';

export const META_CLIENT_ID = '1031625952748946';
const PATHS = {
	deviceCode: '/oidc/device/authorization/',
	token: '/oidc/device/token/',
	key: '/muse-code/key',
};
const PAGE = '/device';
const DAY_MS = 24 * 3_600_000;

export type FakeMetaSettings = DeviceSettings & {
	actionUrl?: string | undefined;
};

export type FakeMetaOptions = Partial<FakeMetaSettings> & {now?: () => number};

export type FakeMeta = FakeServer &
	DeviceControls & {
		endpoints: Record<keyof typeof PATHS, string>;
		settings: FakeMetaSettings;
		issueIdentity: () => string;
		revoke: (token: string) => boolean;
		refreshGrants: () => number;
		secrets: () => string[];
	};

const apiError = (status: number, message: string) =>
	jsonResponse(status, {error: {message, type: 'invalid_request'}});

export const startFakeMeta = async (
	options: FakeMetaOptions = {},
): Promise<FakeMeta> => {
	const {now = Date.now} = options;
	const settings: FakeMetaSettings = {
		deviceInterval: options.deviceInterval ?? 5,
		deviceExpiresIn: options.deviceExpiresIn ?? 900,
		autoApproveDeviceMs: options.autoApproveDeviceMs,
		actionUrl: options.actionUrl,
	};
	// Identity tokens are not renewable (docs/providers.md); keys are minted from them.
	const identities = createGrants({now, refreshPrefix: 'unused_'});
	const keys = createGrants({now, refreshPrefix: 'unused_'});
	const device = createRfc8628Device({pagePath: PAGE, now, settings});
	let refreshGrants = 0;

	const issueIdentity = () => {
		const grant = identities.start({
			scopes: [],
			email: 'muse-user@example.com',
			subject: {},
		});
		const token = randomToken('meta-id-', 32);
		identities.addAccess(grant, token, Number.POSITIVE_INFINITY);
		return token;
	};

	const deviceCode = (request: FakeRequest) => {
		const refused = refuseClient(request, META_CLIENT_ID);
		if (refused) return refused;

		return device.start(request);
	};

	const token = (request: FakeRequest) => {
		if (request.form['grant_type'] === 'refresh_token') {
			// docs/providers.md: the auth server answers refresh_token grants with 404.
			refreshGrants++;
			return jsonResponse(404, {error: 'not_found'});
		}

		const refused = refuseClient(request, META_CLIENT_ID);
		if (refused) return refused;

		if (request.form['grant_type'] !== DEVICE_GRANT) {
			return oauthError(400, 'unsupported_grant_type', 'Unsupported grant.');
		}

		return device.pollDevice(request.form, () =>
			jsonResponse(200, {
				access_token: issueIdentity(),
				token_type: 'Bearer',
				expires_in: 60 * 24 * 3600,
			}),
		);
	};

	const key = (request: FakeRequest) => {
		if (request.headers['x-api-version'] !== '1.0.0') {
			return apiError(400, 'Missing or unsupported x-api-version header.');
		}

		if (request.bodyType !== 'json' || !isRecord(request.json)) {
			return apiError(415, 'Expected a JSON body.');
		}

		const auth = /^Bearer (\S+)$/.exec(
			String(request.headers.authorization ?? ''),
		);
		const checked = identities.checkAccess(auth?.[1] ?? '');
		if (checked.kind !== 'ok') {
			return apiError(401, 'Invalid or expired identity token.');
		}

		if (settings.actionUrl) {
			return jsonResponse(200, {action_url: settings.actionUrl});
		}

		const minted = randomToken('meta-key-', 32);
		keys.addAccess(checked.grant, minted, now() + DAY_MS);
		return jsonResponse(200, {api_key: minted});
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
			{name: 'key', method: 'POST', path: PATHS.key, handle: key},
		],
	});
	return {
		...server,
		endpoints: {
			deviceCode: server.url(PATHS.deviceCode),
			token: server.url(PATHS.token),
			key: server.url(PATHS.key),
		},
		settings,
		...deviceControls(server.url(PAGE), device),
		issueIdentity,
		revoke: identities.revoke,
		refreshGrants: () => refreshGrants,
		secrets: () => [...identities.secrets(), ...keys.secrets()],
	};
};
