/*
A fake of OpenRouter's sign-in (docs/providers.md "OpenRouter"): an authorize page that takes only
callback_url and an S256 challenge (no client id, scope or state) and sends the browser back with a
code; a keys endpoint that takes JSON `{code, code_verifier, code_challenge_method}` and answers
with a permanent API key. OpenRouter's error shape is `{"error": {"code": <status>, "message"}}`.

Public API: startFakeOpenrouter(options?) → FakeOpenrouter:
- endpoints {authorize, keys}.
- approve(authorizeUrl) → the callback URL with the code; deny(authorizeUrl) → with an error.
- keys(): the API keys issued so far (a key stays valid after pi-auth signs out).
- secrets(); plus FakeServer's log, counters, fail() and close().
*/
import {isRecord} from '../credentials/credential.js';
import {approveAuthorize, denyAuthorize} from './browser.js';
import {
	type FakeRequest,
	htmlResponse,
	jsonResponse,
	redirectResponse,
} from './fake-http.js';
import {type FakeServer, startFakeServer} from './fake-server.js';
import {formPage, messagePage} from './html.js';
import {BoundedMap, randomToken, s256} from './tokens.js';

const PATHS = {authorize: '/auth', keys: '/api/v1/auth/keys'};
const CODE_LIFETIME_MS = 10 * 60_000;
const CHALLENGE = /^[A-Za-z\d_-]{43}$/;
// Loopback callbacks only (the fake is no open redirector); OpenRouter also accepts https sites.
const CALLBACK = /^http:\/\/(?:127\.0\.0\.1|localhost):\d{1,5}\/\S*$/;

export type FakeOpenrouter = FakeServer & {
	endpoints: Record<keyof typeof PATHS, string>;
	approve: (authorizeUrl: string) => Promise<string>;
	deny: (authorizeUrl: string) => Promise<string>;
	keys: () => string[];
	secrets: () => string[];
};

const apiError = (status: number, message: string) =>
	jsonResponse(status, {error: {code: status, message}});

export const startFakeOpenrouter = async (
	options: {now?: () => number} = {},
): Promise<FakeOpenrouter> => {
	const {now = Date.now} = options;
	const pending = new BoundedMap<string, {callback: string; challenge: string}>(
		1000,
	);
	const codes = new BoundedMap<string, {challenge: string; expiresAt: number}>(
		1000,
	);
	const issued: string[] = [];

	const show = (request: FakeRequest) => {
		const query = request.url.searchParams;
		const callback = query.get('callback_url') ?? '';
		const challenge = query.get('code_challenge') ?? '';
		const problem = !CALLBACK.test(callback)
			? 'callback_url must be a loopback http URL.'
			: query.get('code_challenge_method') !== 'S256'
				? 'code_challenge_method must be S256.'
				: !CHALLENGE.test(challenge)
					? 'code_challenge must be a base64url SHA-256.'
					: undefined;
		if (problem) {
			return htmlResponse(400, messagePage('Invalid sign-in request', problem));
		}

		const id = randomToken('req-', 12);
		pending.set(id, {callback, challenge});
		return htmlResponse(
			200,
			formPage(
				'Authorize pi-auth',
				'<p>pi-auth wants to create an API key in your OpenRouter account.</p>',
				{
					action: PATHS.authorize,
					hidden: {request: id},
					buttons: [
						{name: 'decision', value: 'approve', label: 'Authorize'},
						{name: 'decision', value: 'deny', label: 'Cancel'},
					],
				},
			),
		);
	};

	const decide = (request: FakeRequest) => {
		const record = pending.get(request.form['request'] ?? '');
		if (!record) {
			return htmlResponse(400, messagePage('Expired', 'Start again.'));
		}

		pending.delete(request.form['request'] ?? '');
		const target = new URL(record.callback);
		if (request.form['decision'] === 'approve') {
			const code = randomToken('or-code-', 24);
			codes.set(code, {
				challenge: record.challenge,
				expiresAt: now() + CODE_LIFETIME_MS,
			});
			target.searchParams.set('code', code);
		} else {
			target.searchParams.set('error', 'access_denied');
		}

		return redirectResponse(target.href);
	};

	const keys = (request: FakeRequest) => {
		// docs/providers.md: the exchange is JSON.
		if (request.bodyType !== 'json' || !isRecord(request.json)) {
			return apiError(400, 'Expected a JSON body.');
		}

		const {code, code_verifier: verifier} = request.json;
		const method = request.json['code_challenge_method'];
		const record = typeof code === 'string' ? codes.get(code) : undefined;
		if (!record) return apiError(403, 'Invalid code.');
		codes.delete(code as string);
		if (now() >= record.expiresAt)
			return apiError(403, 'The code has expired.');
		if (method !== 'S256' || typeof verifier !== 'string') {
			return apiError(
				400,
				'code_verifier and code_challenge_method are required.',
			);
		}

		if (s256(verifier) !== record.challenge) {
			return apiError(403, 'PKCE verification failed.');
		}

		const key = randomToken('sk-or-v1-', 32);
		issued.push(key);
		if (issued.length > 1000) issued.shift();
		return jsonResponse(200, {key, user_id: 'user_fake_0001'});
	};

	const server = await startFakeServer({
		routes: [
			{name: 'authorize', method: 'GET', path: PATHS.authorize, handle: show},
			{
				name: 'authorize',
				method: 'POST',
				path: PATHS.authorize,
				handle: decide,
			},
			{name: 'keys', method: 'POST', path: PATHS.keys, handle: keys},
		],
	});
	return {
		...server,
		endpoints: {
			authorize: server.url(PATHS.authorize),
			keys: server.url(PATHS.keys),
		},
		approve: approveAuthorize,
		deny: denyAuthorize,
		keys: () => [...issued],
		secrets: () => [...issued],
	};
};
