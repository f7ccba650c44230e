/*
A scripted browser for the fakes' own pages: it loads a page, fills in and submits its form, and
reads where the fake sends it, over real HTTP, without following redirects (the callback server
belongs to the caller, who decides whether and how to open the redirect).

Public API: submitPage(pageUrl, decision, inputs?) → PageAnswer; pageMessage(answer);
approveAuthorize(url) / denyAuthorize(url) for the authorize pages of authorize-flow.ts.
*/
import {PiAuthError} from '../errors.js';
import {readForms, readMarked} from './html.js';

export type PageAnswer = {
	status: number;
	/** The Location of a redirect, absolute. */
	location?: string;
	html: string;
};

const visit = async (url: string, init?: RequestInit): Promise<PageAnswer> => {
	const response = await fetch(url, {...init, redirect: 'manual'});
	const location = response.headers.get('location');
	return {
		status: response.status,
		...(location ? {location: new URL(location, url).href} : {}),
		html: await response.text(),
	};
};

/** The one-sentence message of a fake's page, if it has one. */
export const pageMessage = (answer: PageAnswer): string =>
	readMarked(answer.html, 'message') ?? `HTTP ${answer.status}`;

/**
Loads `pageUrl`, picks its form with a button of value `decision` (e.g. approve, deny), types
`inputs` into its text fields, submits it as a browser would (form-encoded POST with the hidden
fields and the pressed button), and returns the answer. A page that refuses to load throws.
*/
export const submitPage = async (
	pageUrl: string,
	decision: string,
	inputs: Record<string, string> = {},
): Promise<PageAnswer> => {
	const first = await visit(pageUrl);
	if (first.status !== 200) {
		throw new PiAuthError(
			'bad-response',
			`The page refused the request (HTTP ${first.status}): ${pageMessage(first)}`,
			{status: first.status},
		);
	}

	const form = readForms(first.html).find(candidate =>
		candidate.buttons.some(button => button.value === decision),
	);
	const button = form?.buttons.find(candidate => candidate.value === decision);
	if (!form || !button) {
		throw new PiAuthError(
			'bad-response',
			`The page has no "${decision}" button.`,
		);
	}

	const body = new URLSearchParams(form.fields);
	for (const name of form.textInputs) body.set(name, inputs[name] ?? '');
	body.set(button.name, button.value);
	return visit(new URL(form.action, pageUrl).href, {
		method: 'POST',
		headers: {'content-type': 'application/x-www-form-urlencoded'},
		body: body.toString(),
	});
};

const redirected = (answer: PageAnswer): string => {
	if (answer.status !== 302 || !answer.location) {
		throw new PiAuthError(
			'bad-response',
			`The page did not redirect (HTTP ${answer.status}): ${pageMessage(answer)}`,
			{status: answer.status},
		);
	}

	return answer.location;
};

/**
Approves an authorize page. Resolves to the redirect Location (the callback URL with `code` and
`state`), or, where the redirect lands on the fake's own paste page (Anthropic's paste-only URI),
to the `code#state` text that page shows.
*/
export const approveAuthorize = async (
	authorizeUrl: string,
): Promise<string> => {
	const location = redirected(await submitPage(authorizeUrl, 'approve'));
	if (new URL(location).origin !== new URL(authorizeUrl).origin)
		return location;
	const shown = await visit(location);
	const text = readMarked(shown.html, 'code');
	if (!text) {
		throw new PiAuthError('bad-response', 'The code page shows no code.');
	}

	return text;
};

/** Denies an authorize page; resolves to the redirect Location carrying `error=access_denied`. */
export const denyAuthorize = async (authorizeUrl: string): Promise<string> =>
	redirected(await submitPage(authorizeUrl, 'deny'));
