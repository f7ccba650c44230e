/*
The device half of the Codex fake (docs/providers.md "OpenAI Codex", device flow): not RFC 8628 but
OpenAI's own endpoints, with JSON bodies, a string `interval`, "pending" spelled HTTP 403, and a
success that hands the client an authorization code plus the PKCE verifier the server chose, to be
exchanged at `token` with the literal redirect_uri https://auth.openai.com/deviceauth/callback.

Public API: createCodexDevice(options) → {routes, expire(userCode)}. Approval goes through the
`deviceVerification` page, as a person's would.
*/
import {randomBytes} from 'node:crypto';
import {isRecord} from '../credentials/credential.js';
import type {CodeRecord} from './authorize-flow.js';
import {type FakeRequest, htmlResponse, jsonResponse} from './fake-http.js';
import type {Route} from './fake-server.js';
import {formPage} from './html.js';
import {decideOnCode} from './rfc8628-device.js';
import {BoundedMap, autoApprove, randomToken, s256} from './tokens.js';

export const CODEX_DEVICE_REDIRECT_URI =
	'https://auth.openai.com/deviceauth/callback';
// docs/providers.md: the client gives up after 15 minutes; the code lives as long.
const DEVICE_LIFETIME_MS = 15 * 60_000;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

type Device = {
	id: string;
	userCode: string;
	status: 'pending' | 'approved' | 'denied';
	issuedAt: number;
	expiresAt: number;
};

export type CodexDeviceOptions = {
	clientId: string;
	scopes: readonly string[];
	paths: {userCode: string; token: string; verification: string};
	now: () => number;
	interval: () => string;
	/** The demo's stand-in for a person: approve a code this long after it was issued. */
	autoApproveMs: () => number | undefined;
	/** Registers the code the device flow hands out (authorize-flow's addCode). */
	addCode: (record: CodeRecord) => string;
};

// OpenAI's error shape: {error: {code, message}} (errorCode() in http-failure.ts reads `code`).
const openaiError = (status: number, code: string, message: string) =>
	jsonResponse(status, {error: {code, message, type: 'invalid_request_error'}});

const userCode = () => {
	const letters = [...randomBytes(9)].map(
		byte => ALPHABET[byte % ALPHABET.length],
	);
	return `${letters.slice(0, 4).join('')}-${letters.slice(4, 9).join('')}`;
};

export const createCodexDevice = (options: CodexDeviceOptions) => {
	const {now} = options;
	const byId = new BoundedMap<string, Device>(1000);
	const byCode = new BoundedMap<string, Device>(1000);
	const find = (code: string) =>
		byCode.get(code.trim().toUpperCase().replace(/\s/g, ''));

	const start = (request: FakeRequest) => {
		if (request.bodyType !== 'json' || !isRecord(request.json)) {
			return openaiError(400, 'invalid_request', 'The body must be JSON.');
		}

		if (request.json['client_id'] !== options.clientId) {
			return openaiError(400, 'invalid_client', 'Unknown client_id.');
		}

		const device: Device = {
			id: randomToken('deviceauth_', 18),
			userCode: userCode(),
			status: 'pending',
			issuedAt: now(),
			expiresAt: now() + DEVICE_LIFETIME_MS,
		};
		byId.set(device.id, device);
		byCode.set(device.userCode, device);
		return jsonResponse(200, {
			device_auth_id: device.id,
			user_code: device.userCode,
			// docs/providers.md: the interval arrives as a string.
			interval: options.interval(),
			expires_at: new Date(device.expiresAt).toISOString(),
		});
	};

	const poll = (request: FakeRequest) => {
		const body = isRecord(request.json) ? request.json : {};
		const device = byId.get(String(body['device_auth_id'] ?? ''));
		if (request.bodyType !== 'json' || !device) {
			return openaiError(
				400,
				'invalid_request',
				'Unknown device authorization.',
			);
		}

		if (body['user_code'] !== device.userCode) {
			return openaiError(400, 'invalid_request', 'user_code does not match.');
		}

		/*
		docs/providers.md documents only "pending" (403/404). For denial and expiry the fake answers with
		RFC 8628's codes in OpenAI's error shape and a status that is neither: the Codex CLI aborts on
		anything but 403/404, so a client that treats every 4xx as pending would poll in vain.
		*/
		if (now() >= device.expiresAt) {
			return openaiError(400, 'expired_token', 'The device code has expired.');
		}

		if (device.status === 'denied') {
			return openaiError(400, 'access_denied', 'The sign-in was denied.');
		}

		autoApprove(device, options.autoApproveMs(), now());

		if (device.status === 'pending') {
			return openaiError(
				403,
				'deviceauth_authorization_pending',
				'Authorization is pending.',
			);
		}

		byId.delete(device.id);
		byCode.delete(device.userCode);
		const verifier = randomToken('', 32);
		const challenge = s256(verifier);
		const code = options.addCode({
			clientId: options.clientId,
			redirectUri: CODEX_DEVICE_REDIRECT_URI,
			challenge,
			state: '',
			scopes: options.scopes,
			expiresAt: now() + 10 * 60_000,
		});
		return jsonResponse(200, {
			authorization_code: code,
			code_challenge: challenge,
			code_verifier: verifier,
		});
	};

	const showPage = () =>
		htmlResponse(
			200,
			formPage(
				'Connect a device',
				'<p>Enter the code shown in your terminal.</p>',
				{
					action: options.paths.verification,
					input: {name: 'user_code', label: 'Code'},
					buttons: [
						{name: 'decision', value: 'approve', label: 'Continue'},
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
		);

	const routes: Route[] = [
		{
			name: 'deviceUserCode',
			method: 'POST',
			path: options.paths.userCode,
			handle: start,
		},
		{
			name: 'deviceToken',
			method: 'POST',
			path: options.paths.token,
			handle: poll,
		},
		{
			name: 'deviceVerification',
			method: 'GET',
			path: options.paths.verification,
			handle: showPage,
		},
		{
			name: 'deviceVerification',
			method: 'POST',
			path: options.paths.verification,
			handle: decide,
		},
	];
	return {
		routes,
		/** Makes a device code expire now (the server then answers expired_token). */
		expire(code: string): boolean {
			const device = find(code);
			if (device) device.expiresAt = now();
			return device !== undefined;
		},
	};
};
