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
		const calls = await waitForCalls(recorder, 1);
		expect(calls.map(call => call.args)).toEqual([
			['https://github.com/login/device'],
		]);
	});

	/** pi-auth's environment with secrets in it, as a user's shell has. */
	const withSecrets = (extra: NodeJS.ProcessEnv) => ({
		PATH: process.env['PATH'],
		HOME: '/home/someone',
		LANG: 'C.UTF-8',
		LC_TIME: 'C',
		XDG_RUNTIME_DIR: '/run/user/1000',
		ANTHROPIC_API_KEY: 'sk-ant-api03-NOT-FOR-BROWSERS',
		ANTHROPIC_OAUTH_TOKEN: 'sk-ant-oat01-NOT-FOR-BROWSERS',
		COPILOT_GITHUB_TOKEN: 'ghu_NOT_FOR_BROWSERS',
		OPENAI_API_KEY: 'sk-proj-NOT-FOR-BROWSERS',
		PI_AUTH_LOGIN_TIMEOUT: '10m',
		NODE_OPTIONS: '--require /tmp/not-for-browsers.js',
		...extra,
	});

	const expectMinimal = (env: Record<string, string>) => {
		expect(JSON.stringify(env)).not.toContain('NOT-FOR-BROWSERS');
		expect(JSON.stringify(env)).not.toContain('NOT_FOR_BROWSERS');
		expect(
			Object.keys(env).filter(name => /^PI_AUTH_|NODE_OPTIONS/.test(name)),
		).toEqual([]);
		expect(env).toMatchObject({
			HOME: '/home/someone',
			LANG: 'C.UTF-8',
			LC_TIME: 'C',
			XDG_RUNTIME_DIR: '/run/user/1000',
		});
	};

	it('gives PI_AUTH_BROWSER a minimal environment: no API keys, tokens or PI_AUTH_ settings', async () => {
		const recorder = await makeRecorder();
		const env = withSecrets({PI_AUTH_BROWSER: recorder.command});
		expect(await openBrowser('https://github.com/login/device', env)).toBe(
			true,
		);
		const [call] = await waitForCalls(recorder, 1);
		expectMinimal(call!.env);
	});

	it.runIf(process.platform === 'linux')(
		'gives the browser `open` starts (through xdg-open and $BROWSER) the same minimal environment',
		async () => {
			const recorder = await makeRecorder();
			// No display: xdg-open goes straight to $BROWSER.
			const env = withSecrets({BROWSER: recorder.command});
			expect(await openBrowser('https://github.com/login/device', env)).toBe(
				true,
			);
			const [call] = await waitForCalls(recorder, 1);
			expect(call!.args).toEqual(['https://github.com/login/device']);
			expectMinimal(call!.env);
		},
	);
});
