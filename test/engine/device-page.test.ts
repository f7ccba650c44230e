/*
The device page a provider names (RFC 8628 `verification_uri`) goes to the screen and to the browser
command (issue 11, item 4). GitHub's device start is relayed through a small server that replaces
the page: anything but an https:// page on the provider's own host (http:// for the loopback fakes)
is refused with a clear message, never printed, never opened.
*/
import fs from 'node:fs/promises';
import {afterEach, describe, expect, it} from 'vitest';
import {makeRecorder, waitForCalls} from '../helpers/browser-recorder.js';
import {startCli} from '../helpers/cli.js';
import {
	type LocalServer,
	json,
	readBody,
	startServer,
} from '../oauth/local-server.js';
import {CODE_LINE, type Setup, setupSandbox} from './sandbox-cli.js';

const servers: LocalServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

/** Points GitHub's device start at a relay that names `page` (or keeps the fake's when undefined). */
const relayDevicePage = async (setup: Setup, page?: string) => {
	const {github} = setup.sandbox;
	const relay = await startServer(async (request, response) => {
		const answer = await fetch(github.endpoints.deviceCode, {
			method: 'POST',
			headers: {
				'content-type': String(request.headers['content-type']),
				accept: String(request.headers.accept),
			},
			body: await readBody(request),
		});
		const body = (await answer.json()) as Record<string, unknown>;
		json(
			response,
			200,
			page === undefined ? body : {...body, verification_uri: page},
		);
	});
	servers.push(relay);
	const config = JSON.parse(await fs.readFile(setup.configFile, 'utf8')) as {
		providers: Record<string, {endpoints: Record<string, string>}>;
	};
	config.providers['github-copilot']!.endpoints['deviceCode'] =
		`${relay.url}/login/device/code`;
	await fs.writeFile(setup.configFile, JSON.stringify(config));
};

describe('the device page a provider names', () => {
	it.each([
		['an option for the browser command', '-oProxyCommand=touch /tmp/pwned'],
		['a file', 'file:///etc/passwd'],
		['a script', 'javascript:alert(1)'],
		['plain http to another host', 'http://github.com.evil.test/login/device'],
		['https on another host', 'https://evil.test/login/device'],
	])('refuses %s: not shown, not opened', async (_what, page) => {
		const setup = await setupSandbox();
		await relayDevicePage(setup, page);
		const recorder = await makeRecorder();
		setup.env['PI_AUTH_BROWSER'] = recorder.command;
		const result = await setup.run([
			'login',
			'github-copilot',
			'--method',
			'device',
		]);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(
			/GitHub Copilot named a sign-in page that is not an https:\/\/ address on its own host, so pi-auth will not show or open it\. Start the sign-in again/,
		);
		expect(result.stderr).not.toContain('Enter code');
		expect(result.stderr).not.toContain(page.slice(0, 12));
		expect(await recorder.calls()).toEqual([]);
	});

	it('shows and opens the provider’s own page, as the last argument of the browser command', async () => {
		const setup = await setupSandbox();
		await relayDevicePage(setup);
		const recorder = await makeRecorder();
		setup.env['PI_AUTH_BROWSER'] = recorder.command;
		const cli = startCli(
			[
				...['login', 'github-copilot', '--method', 'device'],
				...['--auth-file', setup.authFile, '--config', setup.configFile],
			],
			{env: setup.env},
		);
		const [, code, page] = await cli.waitFor('stderr', CODE_LINE);
		expect(page).toBe(setup.sandbox.github.devicePage);
		const calls = await waitForCalls(recorder, 1);
		expect(calls.map(call => call.args)).toEqual([[page]]);
		await setup.sandbox.github.approveDevice(code!);
		expect((await cli.result).code).toBe(0);
	});
});
