import {PiAuthError} from '../errors.js';
import {safeServerCode} from './http-failure.js';

export type PastedCode = {
	code: string;
	state?: string;
	/** The query parameters of a pasted URL or query string, when PasteRules.requiredParams asked. */
	params?: Record<string, string>;
};

/** Stricter rules for providers whose callback carries more than a code (ChatGPT's client_id). */
export type PasteRules = {
	/** Only a whole callback URL is accepted, and its origin and path must be this one's. */
	wholeUrl?: string;
	/** Parameters the pasted URL must carry besides the code; asking also returns `params`. */
	requiredParams?: readonly string[];
};

/*
Terminals wrap a paste in bracketed-paste markers (ESC[200~ … ESC[201~) and ink-text-input keeps
them (docs/testing.md); a hard-wrapped URL copied from a terminal carries line breaks. Both are removed
anywhere in the input. The ESC is optional because some inputs swallow it and keep `[200~`.
*/
const PASTE_MARKERS = /\u001B?\[20[01]~/g;
const LINE_BREAKS = /[\r\n]/g;

/*
RFC 6749 §4.1.2 allows any VSCHAR in a code; real codes (Anthropic, OpenAI, oidc-provider) are
base64url-like and 30+ characters. A bare paste must look like that, so a stray "y" or "quit"
typed at the prompt is refused before it reaches a token endpoint.
*/
const BARE_CODE = /^[A-Za-z0-9\-._~+/=]{8,4096}$/;
// A code taken from a URL or query was explicitly labelled `code=`: only refuse what no code contains.
const LABELLED_CODE = /^[\u0021-\u007E]{1,4096}$/;
const URL_LIKE = /^[a-z][a-z\d+.-]*:\/\//i;

type Parsed = PastedCode & {error?: string; serverCode?: string};

const invalid = (message: string, serverCode?: string): PiAuthError =>
	new PiAuthError('paste-invalid', message, serverCode ? {serverCode} : {});

const clean = (input: string): string =>
	input.replace(PASTE_MARKERS, '').replace(LINE_BREAKS, '').trim();

/** The query of a pasted URL, or its fragment when the query has nothing for us. */
const paramsOfUrl = (text: string): URLSearchParams => {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw invalid(
			'The pasted address could not be read. Copy the whole address from the browser and paste it again.',
		);
	}

	const query = url.searchParams;
	if (query.has('code') || query.has('error')) return query;
	return new URLSearchParams(url.hash.slice(1));
};

/** `?code=…&state=…`, `code=…`, or `/callback?code=…` (a URL missing its origin). */
const paramsOfQuery = (text: string): URLSearchParams => {
	const withoutFragment = text.split('#', 1)[0] ?? '';
	const question = withoutFragment.indexOf('?');
	return new URLSearchParams(
		question === -1 ? withoutFragment : withoutFragment.slice(question + 1),
	);
};

const fromParams = (params: URLSearchParams): Parsed => {
	/*
	A redirect carries one state and at most one code. Two of either is a crafted link (one value
	for this check, another for whoever reads the other): refused, as the callback server does.
	*/
	if (params.getAll('state').length > 1 || params.getAll('code').length > 1) {
		throw invalid(
			'The pasted address has two states or two codes in it, which no sign-in page sends. Copy the address from the browser again and paste it.',
		);
	}

	const error = params.get('error');
	const code = params.get('code');
	const state = params.get('state') ?? undefined;
	if (error !== null) {
		const serverCode = safeServerCode(error);
		return {code: '', state, ...(serverCode ? {serverCode} : {}), error};
	}

	if (code === null || !LABELLED_CODE.test(code)) {
		throw invalid(
			'The pasted text has no sign-in code in it. Paste the code, or the whole address the browser ended on.',
		);
	}

	const all = Object.fromEntries(params);
	return state === undefined ? {code, params: all} : {code, state, params: all};
};

/** PasteRules.wholeUrl: the same origin and path as the redirect URI the authorize request named. */
const checkWholeUrl = (text: string, expected: string): void => {
	let url: URL | undefined;
	try {
		url = URL_LIKE.test(text) ? new URL(text) : undefined;
	} catch {}

	const want = new URL(expected);
	if (url?.origin !== want.origin || url.pathname !== want.pathname) {
		throw invalid(
			`Paste the whole address the browser ended on: it starts with ${want.origin}${want.pathname}.`,
		);
	}
};

const parse = (text: string): Parsed => {
	if (URL_LIKE.test(text)) return fromParams(paramsOfUrl(text));
	if (/(?:^|[?&])(?:code|error)=/.test(text) || text.startsWith('?')) {
		return fromParams(paramsOfQuery(text));
	}

	// Anthropic's paste-only page shows `code#state` (docs/providers.md).
	const hash = text.indexOf('#');
	const code = hash === -1 ? text : text.slice(0, hash);
	const state = hash === -1 ? '' : text.slice(hash + 1);
	if (!BARE_CODE.test(code) || (state !== '' && !BARE_CODE.test(state))) {
		throw invalid(
			"That doesn't look like a sign-in code. Copy the code (or the whole address) from the browser and paste it again.",
		);
	}

	return state === '' ? {code} : {code, state};
};

/**
Reads what the user pasted after signing in: a full redirect URL, a query string with `code=`,
`code#state`, or a bare code. Throws PiAuthError only: 'paste-invalid', 'state-mismatch' (the state
differs from `expectedState`, i.e. a link from an earlier attempt), or 'access-denied'. A missing
state is accepted; a present one must match. Messages never repeat the pasted text, which may be a
secret.
*/
export const parsePaste = (
	input: string,
	expectedState?: string,
	rules: PasteRules = {},
): PastedCode => {
	const text = clean(input);
	if (text === '') {
		throw invalid(
			'Nothing was pasted. Paste the code or the whole address from the browser.',
		);
	}

	if (/\s/.test(text)) {
		throw invalid(
			'The pasted text contains spaces, so it is not a sign-in code. Copy just the code or the address and paste it again.',
		);
	}

	if (rules.wholeUrl !== undefined) checkWholeUrl(text, rules.wholeUrl);
	const parsed = parse(text);
	// State first (as RFC 6749 §10.12 and oauth4webapi do): an error from a stale attempt is stale too.
	if (
		parsed.state !== undefined &&
		expectedState !== undefined &&
		parsed.state !== expectedState
	) {
		throw new PiAuthError(
			'state-mismatch',
			'The pasted code belongs to a different sign-in attempt. Use the link shown for this attempt and paste the new code.',
		);
	}

	if (parsed.error !== undefined) {
		const options = parsed.serverCode ? {serverCode: parsed.serverCode} : {};
		if (parsed.error === 'access_denied') {
			throw new PiAuthError(
				'access-denied',
				'Access was denied in the browser. Start the sign-in again and approve access.',
				options,
			);
		}

		throw invalid(
			`The browser page reported an error${parsed.serverCode ? ` (${parsed.serverCode})` : ''}. Start the sign-in again.`,
			parsed.serverCode,
		);
	}

	const {requiredParams} = rules;
	const missing = (requiredParams ?? []).filter(name => !parsed.params?.[name]);
	if (missing.length > 0) {
		throw invalid(
			`The pasted address lacks ${missing.join(', ')}. Copy the whole address the browser ended on, from the address bar, and paste it again.`,
		);
	}

	return {
		code: parsed.code,
		...(parsed.state === undefined ? {} : {state: parsed.state}),
		...(requiredParams && parsed.params ? {params: parsed.params} : {}),
	};
};
