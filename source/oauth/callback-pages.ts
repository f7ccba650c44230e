import type {ServerResponse} from 'node:http';

/*
What the callback server (callback-server.ts) answers a browser: constant pages, with headers that
let the page load nothing and leak nothing.
*/
const page = (title: string, text: string): string =>
	`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
	`<body style="font-family:system-ui,sans-serif;margin:4em auto;max-width:32em">` +
	`<h1>${title}</h1><p>${text}</p></body></html>`;

// Nothing from the request is ever echoed: pages are constants.
export const PAGES = {
	success: page(
		'Signed in',
		'Signed in — you can close this tab and return to the terminal.',
	),
	stale: page(
		'Link out of date',
		'This sign-in link is out of date. Return to the terminal and open the newest link it shows.',
	),
	noCode: page(
		'No code',
		'This page was opened without a sign-in code. Return to the terminal and start again.',
	),
	denied: page(
		'Sign-in cancelled',
		'Access was not granted. Return to the terminal to try again.',
	),
	failed: page(
		'Sign-in failed',
		'The sign-in did not complete. Return to the terminal to try again.',
	),
	done: page('Already signed in', 'You can close this tab.'),
};

export const send = (
	response: ServerResponse,
	status: number,
	body: string,
	type: 'html' | 'plain' = 'html',
	onFlushed?: () => void,
): void => {
	response.writeHead(status, {
		'content-type': `text/${type}; charset=utf-8`,
		'cache-control': 'no-store',
		// The page must load nothing and leak nothing: the URL that brought the browser holds the code.
		'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
		'referrer-policy': 'no-referrer',
		'x-content-type-options': 'nosniff',
	});
	response.end(body, onFlushed);
};
