/*
Opening the browser (engine/browser.ts) with PI_AUTH_BROWSER pointing at a recorder: a node script
that appends the arguments it was started with to a file. Only https:// (and loopback http://)
URLs are ever handed over, always as the last argument.
*/
import {describe, expect, it} from 'vitest';
import {openBrowser} from '../../source/engine/browser.js';
import {makeRecorder, waitForCalls} from '../helpers/browser-recorder.js';

describe('openBrowser', () => {
	it('refuses anything but https:// and loopback http://, and passes the URL last', async () => {
		const recorder = await makeRecorder();
		const env = {PI_AUTH_BROWSER: recorder.command, PATH: process.env['PATH']};
		for (const bad of [
			'-oProxyCommand=touch /tmp/pwned',
			'--help',
			'file:///etc/passwd',
			'javascript:alert(1)',
			'http://example.com/login/device',
		]) {
			expect(await openBrowser(bad, env)).toBe(false);
		}

		expect(await openBrowser('https://github.com/login/device', env)).toBe(
			true,
		);
		// The refused ones were never started: only the good call is recorded.
		expect(await waitForCalls(recorder, 1)).toEqual([
			['https://github.com/login/device'],
		]);
	});
});
