import {afterEach} from 'vitest';

/** What a fake answered: status, headers, the raw text and the parsed JSON (if it was JSON). */
export type Answer = {
	status: number;
	headers: Headers;
	text: string;
	json: Record<string, unknown>;
};

const read = async (response: Response): Promise<Answer> => {
	const text = await response.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {}

	return {status: response.status, headers: response.headers, text, json};
};

export const postJson = async (
	url: string,
	body: unknown,
	headers: Record<string, string> = {},
): Promise<Answer> =>
	read(
		await fetch(url, {
			method: 'POST',
			headers: {'content-type': 'application/json', ...headers},
			body: JSON.stringify(body),
		}),
	);

export const postForm = async (
	url: string,
	body: Record<string, string>,
	headers: Record<string, string> = {accept: 'application/json'},
): Promise<Answer> =>
	read(
		await fetch(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				...headers,
			},
			body: new URLSearchParams(body).toString(),
		}),
	);

export const get = async (
	url: string,
	headers: Record<string, string> = {},
): Promise<Answer> => read(await fetch(url, {headers, redirect: 'manual'}));

/** Closes what a test opened, after it, whatever happened. */
const opened: Array<{close: () => Promise<void>}> = [];
export const track = <T extends {close: () => Promise<void>}>(server: T): T => {
	opened.push(server);
	return server;
};

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async server => server.close()));
});

/** A settable clock for expiry tests: starts at a fixed time, moves only when told. */
export const manualClock = (start = Date.UTC(2026, 5, 1, 12)) => {
	let time = start;
	return {
		now: () => time,
		advance(ms: number) {
			time += ms;
		},
	};
};

/** The query parameters of a redirect Location. */
export const paramsOf = (location: string) =>
	Object.fromEntries(new URL(location).searchParams);
