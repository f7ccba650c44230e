/*
The device half of the GitHub fake (docs/providers.md "GitHub Copilot"): RFC 8628 with GitHub's
departures. Form-encoded requests; JSON answers only to `Accept: application/json` (form-encoded
otherwise); and every outcome of a token poll, pending and slow_down included, comes with HTTP 200
and an `error` field instead of RFC 8628's 400. Polling sooner than the interval gets slow_down and
a 5 s longer interval for good, as GitHub does.

Public API: GITHUB_CLIENT_ID; createGithubDevice(options) → {routes, expire(userCode)}. Approval
goes through the device page (`paths.page`), as a person's would.
*/
import {randomBytes} from 'node:crypto';
import {
	type FakeRequest,
	formResponse,
	htmlResponse,
	jsonResponse,
} from './fake-http.js';
import type {Route} from './fake-server.js';
import {formPage, messagePage} from './html.js';
import {DEVICE_GRANT, decideOnCode, userCode} from './rfc8628-device.js';
import {BoundedMap, autoApprove} from './tokens.js';

export const GITHUB_CLIENT_ID = 'Iv1.b507a08c87ecfe98';
// GitHub's user codes: eight consonants in two groups.

type Device = {
	deviceCode: string;
	userCode: string;
	status: 'pending' | 'approved' | 'denied';
	issuedAt: number;
	expiresAt: number;
	intervalMs: number;
	lastPollAt?: number;
};

export type GithubDeviceOptions = {
	paths: {deviceCode: string; accessToken: string; page: string};
	now: () => number;
	settings: {
		deviceInterval: number;
		deviceExpiresIn: number;
		/** The demo's stand-in for a person: approve a code this long after it was issued. */
		autoApproveDeviceMs?: number | undefined;
	};
	/** Issues the GitHub token a finished device flow hands out. */
	issueToken: () => string;
};

/** GitHub answers JSON only when asked with Accept: application/json. */
const answer = (request: FakeRequest, body: Record<string, string | number>) =>
	String(request.headers.accept ?? '').includes('application/json')
		? jsonResponse(200, body)
		: formResponse(
				200,
				Object.fromEntries(
					Object.entries(body).map(([key, value]) => [key, String(value)]),
				),
			);

export const createGithubDevice = (options: GithubDeviceOptions) => {
	const {now, settings, paths} = options;
	const devices = new BoundedMap<string, Device>(1000);
	const byUserCode = new BoundedMap<string, Device>(1000);
	const find = (code: string) => byUserCode.get(code.trim().toUpperCase());

	const start = (request: FakeRequest) => {
		if (
			request.bodyType !== 'form' ||
			request.form['client_id'] !== GITHUB_CLIENT_ID
		) {
			return answer(request, {error: 'incorrect_client_credentials'});
		}

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
		return answer(request, {
			device_code: device.deviceCode,
			user_code: device.userCode,
			verification_uri: new URL(paths.page, request.url).href,
			expires_in: settings.deviceExpiresIn,
			interval: settings.deviceInterval,
		});
	};

	const poll = (request: FakeRequest) => {
		const {form} = request;
		if (request.bodyType !== 'form' || form['client_id'] !== GITHUB_CLIENT_ID) {
			return answer(request, {error: 'incorrect_client_credentials'});
		}

		if (form['grant_type'] !== DEVICE_GRANT) {
			return answer(request, {error: 'unsupported_grant_type'});
		}

		const device = devices.get(form['device_code'] ?? '');
		if (!device) return answer(request, {error: 'incorrect_device_code'});
		const at = now();
		if (at >= device.expiresAt)
			return answer(request, {error: 'expired_token'});
		if (device.status === 'denied') {
			return answer(request, {error: 'access_denied'});
		}

		const tooSoon =
			device.lastPollAt !== undefined &&
			at - device.lastPollAt < device.intervalMs;
		device.lastPollAt = at;
		if (tooSoon) {
			// RFC 8628 §3.5 as GitHub does it: 5 s more, and the new interval in the answer.
			device.intervalMs += 5000;
			return answer(request, {
				error: 'slow_down',
				interval: device.intervalMs / 1000,
			});
		}

		autoApprove(device, settings.autoApproveDeviceMs, at);

		if (device.status === 'pending') {
			return answer(request, {error: 'authorization_pending'});
		}

		devices.delete(device.deviceCode);
		byUserCode.delete(device.userCode);
		return answer(request, {
			access_token: options.issueToken(),
			token_type: 'bearer',
			scope: 'read:user',
		});
	};

	const showPage = () =>
		htmlResponse(
			200,
			formPage(
				'Device activation',
				'<p>Enter the code displayed on your device.</p>',
				{
					action: paths.page,
					input: {name: 'user_code', label: 'Code'},
					buttons: [
						{name: 'decision', value: 'approve', label: 'Authorize'},
						{name: 'decision', value: 'deny', label: 'Cancel'},
					],
				},
			),
		);

	const decide = (request: FakeRequest) =>
		decideOnCode(
			find(request.form['user_code'] ?? ''),
			request.form['decision'],
			now(),
			messagePage(
				'Congratulations, you are all set!',
				'Your device is now connected.',
			),
		);

	const routes: Route[] = [
		{name: 'deviceCode', method: 'POST', path: paths.deviceCode, handle: start},
		{
			name: 'accessToken',
			method: 'POST',
			path: paths.accessToken,
			handle: poll,
		},
		{name: 'devicePage', method: 'GET', path: paths.page, handle: showPage},
		{name: 'devicePage', method: 'POST', path: paths.page, handle: decide},
	];
	return {
		routes,
		/** Makes a device code expire now (polls then answer expired_token). */
		expire(code: string): boolean {
			const device = find(code);
			if (device) device.expiresAt = now();
			return device !== undefined;
		},
	};
};
