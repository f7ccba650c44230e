/*
The demo's stand-in browser, for machines with no browser (SSH, CI, no display): `npm run demo`
points PI_AUTH_BROWSER at it, so pi-auth "opens" sign-in links here. It does what a person does in
a real browser on a fake's authorize page: waits a moment, presses Approve, and follows the
redirect to pi-auth's localhost callback. Device pages it leaves alone: there the sandbox approves
the code by itself (sandbox.ts `autoApproveDeviceMs`). Only 127.0.0.1 and localhost are visited.

Run as: node dist/sandbox/stand-in-browser.mjs <url>
*/
import {setTimeout as sleep} from 'node:timers/promises';
import {isLoopbackUrl} from '../oauth/loopback.js';
import {approveAuthorize} from './browser.js';

/** Long enough to see the wizard waiting for the browser, short enough not to bore. */
const THINKING_MS = 2500;

const url = process.argv[2] ?? '';
// Every fake's authorize page: …/authorize, and OpenRouter's /auth.
const AUTHORIZE_PAGE = /\/(?:authorize|auth)$/;
if (isLoopbackUrl(url) && AUTHORIZE_PAGE.test(new URL(url).pathname)) {
	await sleep(THINKING_MS);
	const location = await approveAuthorize(url);
	// The callback URL (pi-auth's own server): loading it is what hands the code over.
	if (isLoopbackUrl(location)) {
		await fetch(location, {signal: AbortSignal.timeout(10_000)});
	}
}
