/*
The HTTP vocabulary of the fakes: the parsed request a handler gets, the response it returns, the
builders for those responses, and what a queued Fault answers instead.

Public API: types FakeRequest, FakeResponse, Fault; jsonResponse, htmlResponse, formResponse,
textResponse, redirectResponse, faultResponse; readBody (capped), parseBody.
*/
import {
	type IncomingHttpHeaders,
	type IncomingMessage,
	STATUS_CODES,
} from 'node:http';
import {escapeHtml, page} from './html.js';

export type FakeRequest = {
	/** The route's name: an endpoint name of docs/providers.md, or a page name. */
	name: string;
	method: string;
	url: URL;
	headers: IncomingHttpHeaders;
	/** How the body was sent: JSON, a form, nothing, or something else. */
	bodyType: 'json' | 'form' | 'none' | 'other';
	/** The parsed JSON body (undefined when not JSON or not parseable). */
	json: unknown;
	/** The parsed form body (empty unless bodyType is 'form'). */
	form: Record<string, string>;
};

export type FakeResponse = {
	status: number;
	body: string;
	contentType: string;
	headers?: Record<string, string>;
};

/** A queued failure for an endpoint; it replaces the handler's answer unless only timing is set. */
export type Fault = {
	/** HTTP status of the failure (default 400 when `error` is given, 502 with `html`). */
	status?: number;
	/** RFC 6749 §5.2 error code for the JSON body `{error, error_description}`. */
	error?: string;
	/** An exact JSON body instead of `{error, …}` (e.g. OpenAI's `{error: {code, message}}`). */
	body?: unknown;
	/** A Retry-After header value (e.g. '7'). */
	retryAfter?: string;
	/** An HTML error page, as a CDN or proxy in front of the provider sends. */
	html?: boolean;
	/** Never answer; the connection stays open until the client gives up or close(). */
	hang?: boolean;
	/** Wait this long before answering. */
	delayMs?: number;
	/** Send the answer one byte at a time, this many ms apart. */
	dripMs?: number;
	/** How many requests this fault applies to (default 1). */
	count?: number;
};

// Requests to a fake are small; 64 KB bounds what a confused client can make it hold.
const MAX_BODY_BYTES = 64 * 1024;

export const jsonResponse = (
	status: number,
	value: unknown,
	headers?: Record<string, string>,
): FakeResponse => ({
	status,
	body: JSON.stringify(value),
	contentType: 'application/json; charset=utf-8',
	...(headers ? {headers} : {}),
});

export const htmlResponse = (status: number, body: string): FakeResponse => ({
	status,
	body,
	contentType: 'text/html; charset=utf-8',
});

export const formResponse = (
	status: number,
	value: Record<string, string>,
): FakeResponse => ({
	status,
	body: new URLSearchParams(value).toString(),
	contentType: 'application/x-www-form-urlencoded; charset=utf-8',
});

export const textResponse = (status: number, text: string): FakeResponse => ({
	status,
	body: text,
	contentType: 'text/plain; charset=utf-8',
});

export const redirectResponse = (location: string): FakeResponse => ({
	status: 302,
	body: '',
	contentType: 'text/plain; charset=utf-8',
	headers: {location},
});

export const faultResponse = (fault: Fault): FakeResponse | undefined => {
	const {error, body, html, retryAfter} = fault;
	if (fault.status === undefined && !error && body === undefined && !html) {
		return undefined;
	}

	const status = fault.status ?? (html ? 502 : 400);
	const reason = STATUS_CODES[status] ?? 'Error';
	const response = html
		? htmlResponse(
				status,
				page(`${status} ${reason}`, `<p>${escapeHtml(reason)}</p>`),
			)
		: jsonResponse(
				status,
				body ?? {
					error:
						error ??
						(status === 429
							? 'rate_limit_exceeded'
							: status >= 500
								? 'server_error'
								: 'invalid_request'),
					error_description: reason,
				},
			);
	return retryAfter === undefined
		? response
		: {...response, headers: {'retry-after': retryAfter}};
};

export const readBody = async (
	request: IncomingMessage,
): Promise<string | null> => {
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of request) {
		total += (chunk as Buffer).length;
		if (total > MAX_BODY_BYTES) return null;
		chunks.push(chunk as Buffer);
	}

	return Buffer.concat(chunks).toString('utf8');
};

export const parseBody = (
	contentType: string,
	text: string,
): Pick<FakeRequest, 'bodyType' | 'json' | 'form'> => {
	if (text === '') return {bodyType: 'none', json: undefined, form: {}};
	if (contentType.startsWith('application/json')) {
		try {
			return {bodyType: 'json', json: JSON.parse(text) as unknown, form: {}};
		} catch {
			return {bodyType: 'json', json: undefined, form: {}};
		}
	}

	if (contentType.startsWith('application/x-www-form-urlencoded')) {
		const form = Object.fromEntries(new URLSearchParams(text));
		return {bodyType: 'form', json: undefined, form};
	}

	return {bodyType: 'other', json: undefined, form: {}};
};
