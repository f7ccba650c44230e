/*
The RFC 8628 half shared by the xAI, Kimi, Meta and Radius fakes: the §3.1 device authorization
endpoint, the §3.4 device_code grant at the token endpoint, and the §3.3 verification page where a
person approves or denies. Unlike GitHub (github-device.ts), these answer §3.5 errors as the RFC
says: HTTP 400 with `{"error": …}`. Polling sooner than the interval gets slow_down and 5 s more
for good (§3.5). Each fake checks its own request details (client id, scope, headers, encoding)
before handing the request here.

Public API: createRfc8628Device(options) → {start, pollDevice, routes, decide, expire};
DEVICE_GRANT, userCode() and decideOnCode(), which the GitHub and Codex fakes use too.
*/
import {randomBytes} from 'node:crypto';
import {
	type FakeRequest,
	type FakeResponse,
	htmlResponse,
	jsonResponse,
} from './fake-http.js';
import type {Route} from './fake-server.js';
import {formPage, messagePage} from './html.js';
import {BoundedMap, autoApprove} from './tokens.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const LETTERS = 'BCDFGHJKLMNPQRSTVWXZ';

export type Device = {
	deviceCode: string;
	userCode: string;
	status: 'pending' | 'approved' | 'denied';
	issuedAt: number;
	expiresAt: number;
	intervalMs: number;
	lastPollAt?: number;
};

export type DeviceSettings = {
	/** Seconds; what the device response says and what polling is held to. */
	deviceInterval: number;
	deviceExpiresIn: number;
	/** The demo's stand-in for a person: codes count as approved this long after issue. */
	autoApproveDeviceMs?: number | undefined;
};

export type Rfc8628Options = {
	/** The verification page's path on the fake's origin. */
	pagePath: string;
	now: () => number;
	settings: DeviceSettings;
	/** Omit `interval` from the device response (the client must then wait 5 s). */
	sendInterval?: () => boolean;
	/** Override the verification_uri (a test of a client's URL checks); default the page. */
	verificationUri?: () => string | undefined;
};

export const oauthError = (
	status: number,
	error: string,
	description: string,
): FakeResponse =>
	jsonResponse(status, {error, error_description: description});

/** `BCDF-GHJK`: eight consonants, as GitHub's and most RFC 8628 servers' codes look. */
export const userCode = () => {
	const letters = [...randomBytes(8)]
		.map(byte => LETTERS[byte % LETTERS.length])
		.join('');
	return `${letters.slice(0, 4)}-${letters.slice(4)}`;
};

/**
The verification page's answer to a person's decision on a code (§3.3): an unknown or expired code
is refused; otherwise the device is approved or denied. `connected` is the provider's own words.
*/
export const decideOnCode = (
	device: {status: string; expiresAt: number} | undefined,
	decision: string | undefined,
	now: number,
	connected = messagePage('Device connected', 'Return to your terminal.'),
): FakeResponse => {
	if (!device || now >= device.expiresAt) {
		return htmlResponse(
			400,
			messagePage('Unknown code', 'That code is unknown or has expired.'),
		);
	}

	const approved = decision === 'approve';
	device.status = approved ? 'approved' : 'denied';
	return htmlResponse(
		200,
		approved
			? connected
			: messagePage('Access denied', 'The device was not connected.'),
	);
};

export const createRfc8628Device = (options: Rfc8628Options) => {
	const {now, settings} = options;
	const devices = new BoundedMap<string, Device>(1000);
	const byUserCode = new BoundedMap<string, Device>(1000);
	const find = (code: string) =>
		byUserCode.get(code.trim().toUpperCase().replace(/\s/g, ''));

	/** §3.2: a new device code, with the page and the page pre-filled (verification_uri_complete). */
	const start = (request: FakeRequest, extra: Record<string, unknown> = {}) => {
		const device: Device = {
			deviceCode: randomBytes(20).toString('hex'),
			userCode: userCode(),
			status: 'pending',
			issuedAt: now(),
			expiresAt: now() + settings.deviceExpiresIn * 1000,
			intervalMs: settings.deviceInterval * 1000,
		};
		devices.set(device.deviceCode, device);
		byUserCode.set(device.userCode, device);
		const page =
			options.verificationUri?.() ??
			new URL(options.pagePath, request.url).href;
		const complete = new URL(page);
		complete.searchParams.set('user_code', device.userCode);
		return jsonResponse(200, {
			device_code: device.deviceCode,
			user_code: device.userCode,
			verification_uri: page,
			verification_uri_complete: complete.href,
			expires_in: settings.deviceExpiresIn,
			...((options.sendInterval?.() ?? true)
				? {interval: settings.deviceInterval}
				: {}),
			...extra,
		});
	};

	/**
	§3.4–3.5 for one device_code grant request whose client the caller has already checked.
	`issue` makes the success body once the person approved.
	*/
	const pollDevice = (
		form: Record<string, string>,
		issue: (device: Device) => FakeResponse,
	): FakeResponse => {
		const device = devices.get(form['device_code'] ?? '');
		if (!device) {
			return oauthError(400, 'invalid_grant', 'Unknown device_code.');
		}

		const at = now();
		if (at >= device.expiresAt) {
			return oauthError(400, 'expired_token', 'The device code has expired.');
		}

		if (device.status === 'denied') {
			return oauthError(400, 'access_denied', 'The user denied the request.');
		}

		const tooSoon =
			device.lastPollAt !== undefined &&
			at - device.lastPollAt < device.intervalMs;
		device.lastPollAt = at;
		if (tooSoon) {
			device.intervalMs += 5000;
			return oauthError(400, 'slow_down', 'Polling too fast.');
		}

		autoApprove(device, settings.autoApproveDeviceMs, at);
		if (device.status === 'pending') {
			return oauthError(
				400,
				'authorization_pending',
				'The user has not yet approved the request.',
			);
		}

		devices.delete(device.deviceCode);
		byUserCode.delete(device.userCode);
		return issue(device);
	};

	const showPage = (request: FakeRequest) =>
		htmlResponse(
			200,
			formPage(
				'Connect a device',
				`<p>Enter the code shown in your terminal${request.url.searchParams.get('user_code') ? ' (filled in for you)' : ''}.</p>`,
				{
					action: options.pagePath,
					hidden: request.url.searchParams.get('user_code')
						? {user_code: request.url.searchParams.get('user_code') ?? ''}
						: {},
					...(request.url.searchParams.get('user_code')
						? {}
						: {input: {name: 'user_code', label: 'Code'}}),
					buttons: [
						{name: 'decision', value: 'approve', label: 'Approve'},
						{name: 'decision', value: 'deny', label: 'Deny'},
					],
				},
			),
		);

	const decide = (request: FakeRequest) =>
		decideOnCode(
			find(request.form['user_code'] ?? ''),
			request.form['decision'],
			now(),
		);

	const routes: Route[] = [
		{
			name: 'devicePage',
			method: 'GET',
			path: options.pagePath,
			handle: showPage,
		},
		{
			name: 'devicePage',
			method: 'POST',
			path: options.pagePath,
			handle: decide,
		},
	];
	return {
		start,
		pollDevice,
		routes,
		/** Makes a device code expire now (polls then answer expired_token). */
		expire(code: string): boolean {
			const device = find(code);
			if (device) device.expiresAt = now();
			return device !== undefined;
		},
	};
};
