/*
The authorization-code + PKCE half shared by the Anthropic and Codex fakes (docs/providers.md, "Shared
building blocks"; RFC 6749 §4.1, RFC 7636): the authorize page with Approve and Deny forms, the
single-use codes it issues, and their redemption with the S256 verifier check.

Public API: createAuthorizeFlow(options) → {routes, addCode, redeem}.
- routes: GET/POST on `path` (the `authorize` endpoint), plus the page that shows `code#state` when
  `showCode` is set (Anthropic's paste-only redirect URI).
- addCode(record): a code issued some other way (the Codex device flow).
- redeem({code, clientId, redirectUri, verifier}): checks and consumes a code.
*/
import {escapeHtml, formPage, messagePage, page} from './html.js';
import {type FakeRequest, htmlResponse, redirectResponse} from './fake-http.js';
import type {Route} from './fake-server.js';
import {BoundedMap, randomToken, s256} from './tokens.js';

export type CodeRecord = {
	clientId: string;
	redirectUri: string;
	challenge: string;
	state: string;
	scopes: readonly string[];
	expiresAt: number;
};

export type Redemption =
	| {ok: true; record: CodeRecord}
	| {ok: false; error: string; description: string};

export type AuthorizeFlowOptions = {
	/** Shown on the page: "<clientName> wants access". */
	clientName: string;
	clientId: string;
	/** The scopes the client may ask for. */
	scopes: readonly string[];
	path: string;
	now: () => number;
	redirectAllowed: (uri: string) => boolean;
	/** Anthropic's page rejects short states (docs/providers.md). */
	minStateLength: number;
	/** A redirect URI whose page the fake shows itself, displaying `code#state` to copy. */
	showCode?: {redirectUri: string; path: string};
	/** A provider's own parameter checks (a problem sentence, or undefined when all is well). */
	checkExtra?: (query: URLSearchParams) => string | undefined;
	/**
	A dynamic client (Sign in with ChatGPT): each approval issues a client id, sent back in the
	callback as `client_id` and required at the token endpoint instead of the registered one.
	*/
	issueClientId?: () => string;
};

// RFC 6749 §4.1.2: codes live at most 10 minutes.
const CODE_LIFETIME_MS = 10 * 60_000;
const CHALLENGE = /^[A-Za-z\d_-]{43}$/;

const refuse = (message: string) =>
	htmlResponse(400, messagePage('Invalid sign-in request', message));

const withParams = (base: string, params: Record<string, string>) => {
	const url = new URL(base);
	for (const [key, value] of Object.entries(params)) {
		url.searchParams.set(key, value);
	}

	return url.href;
};

export const createAuthorizeFlow = (options: AuthorizeFlowOptions) => {
	const {clientId, now, showCode} = options;
	const pending = new BoundedMap<string, CodeRecord>(1000);
	const codes = new BoundedMap<string, CodeRecord>(1000);

	/** Everything the real pages check before showing a consent screen. */
	const validate = (query: URLSearchParams): CodeRecord | string => {
		const get = (name: string) => query.get(name) ?? '';
		if (get('client_id') !== clientId) return 'Unknown client_id.';
		const redirectUri = get('redirect_uri');
		if (!options.redirectAllowed(redirectUri)) {
			return 'This redirect_uri is not registered for the client.';
		}

		if (get('response_type') !== 'code') return 'response_type must be code.';
		if (get('code_challenge_method') !== 'S256') {
			return 'code_challenge_method must be S256.';
		}

		if (!CHALLENGE.test(get('code_challenge'))) {
			return 'code_challenge must be a base64url SHA-256 (43 characters).';
		}

		const extra = options.checkExtra?.(query);
		if (extra) return extra;
		const state = get('state');
		if (state.length < options.minStateLength) {
			return `state is too short (at least ${options.minStateLength} characters).`;
		}

		const scopes = get('scope').split(' ').filter(Boolean);
		const unknown = scopes.filter(scope => !options.scopes.includes(scope));
		if (scopes.length === 0 || unknown.length > 0) {
			return `Invalid scope: ${unknown.join(' ') || '(none)'}.`;
		}

		return {
			clientId,
			redirectUri,
			challenge: get('code_challenge'),
			state,
			scopes,
			expiresAt: 0,
		};
	};

	const show = (request: FakeRequest) => {
		const checked = validate(request.url.searchParams);
		if (typeof checked === 'string') return refuse(checked);
		const id = randomToken('req-', 12);
		pending.set(id, checked);
		const scopes = checked.scopes
			.map(scope => `<li>${escapeHtml(scope)}</li>`)
			.join('');
		return htmlResponse(
			200,
			formPage(
				'Authorize access',
				`<p><strong>${escapeHtml(options.clientName)}</strong> (${escapeHtml(clientId)}) wants access to your account:</p><ul>${scopes}</ul>`,
				{
					action: options.path,
					hidden: {request: id},
					buttons: [
						{name: 'decision', value: 'approve', label: 'Approve'},
						{name: 'decision', value: 'deny', label: 'Deny'},
					],
				},
			),
		);
	};

	const decide = (request: FakeRequest) => {
		const id = request.form['request'] ?? '';
		const record = pending.get(id);
		if (!record) return refuse('This sign-in page has expired. Start again.');
		pending.delete(id);
		let params: Record<string, string>;
		if (request.form['decision'] === 'approve') {
			const code = randomToken('code-', 24);
			const issued = options.issueClientId?.();
			codes.set(code, {
				...record,
				...(issued ? {clientId: issued} : {}),
				expiresAt: now() + CODE_LIFETIME_MS,
			});
			params = {
				code,
				state: record.state,
				...(issued ? {client_id: issued} : {}),
			};
		} else {
			params = {
				error: 'access_denied',
				error_description: 'The user denied access.',
				state: record.state,
			};
		}

		// The paste-only URI lands on a page that shows the code instead of calling anything back.
		const target =
			showCode && record.redirectUri === showCode.redirectUri
				? new URL(showCode.path, request.url).href
				: record.redirectUri;
		return redirectResponse(withParams(target, params));
	};

	const showCodePage = (request: FakeRequest) => {
		const query = request.url.searchParams;
		const code = query.get('code');
		if (code === null) {
			return htmlResponse(
				200,
				messagePage('Access denied', 'Access was not granted.'),
			);
		}

		return htmlResponse(
			200,
			page(
				'Paste this code',
				`<p>Copy this code and paste it into the terminal:</p><p><code id="code">${escapeHtml(`${code}#${query.get('state') ?? ''}`)}</code></p>`,
			),
		);
	};

	const routes: Route[] = [
		{name: 'authorize', method: 'GET', path: options.path, handle: show},
		{name: 'authorize', method: 'POST', path: options.path, handle: decide},
		...(showCode
			? [
					{
						name: 'codePage',
						method: 'GET' as const,
						path: showCode.path,
						handle: showCodePage,
					},
				]
			: []),
	];

	return {
		routes,
		addCode(record: CodeRecord): string {
			const code = randomToken('code-', 24);
			codes.set(code, record);
			return code;
		},
		redeem(input: {
			code: string;
			clientId: string;
			redirectUri: string;
			verifier: string;
		}): Redemption {
			const record = codes.get(input.code);
			const fail = (description: string): Redemption => ({
				ok: false,
				error: 'invalid_grant',
				description,
			});
			if (!record) return fail('Unknown or already used authorization code.');
			// RFC 6749 §4.1.2: a code is used once, whatever the outcome.
			codes.delete(input.code);
			if (now() >= record.expiresAt) return fail('The code has expired.');
			if (input.clientId !== record.clientId) {
				return {
					ok: false,
					error: 'invalid_client',
					description: 'Wrong client_id.',
				};
			}

			// pi #2169, #2185: the exchange must repeat the authorize request's redirect_uri.
			if (input.redirectUri !== record.redirectUri) {
				return fail('redirect_uri does not match the authorize request.');
			}

			if (s256(input.verifier) !== record.challenge) {
				return fail('PKCE verification failed.');
			}

			return {ok: true, record};
		},
	};
};
