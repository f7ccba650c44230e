/*
Hostile device-flow numbers (issue 11, item 7): a GitHub device start answering `interval` and
`expires_in` of 1e10 overflowed setTimeout, which Node then fires after 1 ms: 761 polls a second.
Against a small server that says so and then answers every poll with authorization_pending.
*/
import fs from 'node:fs/promises';
import {afterEach, describe, expect, it} from 'vitest';
import {parseConfig} from '../../source/config.js';
import {startDeviceLogin} from '../../source/engine/login.js';
import {githubCopilot} from '../../source/providers/github-copilot.js';
import {
	type LocalServer,
	json,
	readBody,
	startServer,
} from '../oauth/local-server.js';
import {setupSandbox} from './sandbox-cli.js';

const servers: LocalServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

const hostileGithub = async (numbers: Record<string, unknown>) => {
	let polls = 0;
	const server = await startServer(async (request, response) => {
		await readBody(request);
		if (request.url === '/login/device/code') {
			json(response, 200, {
				device_code: 'device-code-1',
				user_code: 'ABCD-EFGH',
				verification_uri: `http://127.0.0.1:${server.port}/login/device`,
				...numbers,
			});
			return;
		}

		polls++;
		json(response, 200, {error: 'authorization_pending'});
	});
	servers.push(server);
	return {
		server,
		polls: () => polls,
		endpoints: {
			deviceCode: `${server.url}/login/device/code`,
			accessToken: `${server.url}/login/oauth/access_token`,
		},
	};
};

describe('device-flow numbers a server makes up', () => {
	it('an interval of 1e10 s polls once, then waits (at most a minute), not 761 times a second', async () => {
		// A lifetime longer still, so the unbounded poller would not simply wait it out.
		const hostile = await hostileGithub({interval: 1e10, expires_in: 1e11});
		const setup = await setupSandbox();
		const config = JSON.parse(await fs.readFile(setup.configFile, 'utf8')) as {
			providers: Record<string, {endpoints: Record<string, string>}>;
		};
		Object.assign(
			config.providers['github-copilot']!.endpoints,
			hostile.endpoints,
		);
		await fs.writeFile(setup.configFile, JSON.stringify(config));
		setup.env['PI_AUTH_LOGIN_TIMEOUT'] = '2s';
		const result = await setup.run([
			'login',
			'github-copilot',
			'--method',
			'device',
		]);
		expect(hostile.polls()).toBe(1);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(
			/Gave up waiting for the sign-in after 2 seconds/,
		);
	});

	it.each([
		[{interval: 1e10, expires_in: 1e10}, 1800],
		[{interval: '-3', expires_in: 'Infinity'}, 900],
		[{interval: 5, expires_in: 7200}, 1800],
	])('%j: the code is said to expire within %i s', async (numbers, seconds) => {
		const hostile = await hostileGithub(numbers);
		const now = 1_000_000;
		const login = await startDeviceLogin(
			{
				config: parseConfig(
					JSON.stringify({
						providers: {'github-copilot': {endpoints: hostile.endpoints}},
					}),
					'pi-auth.json',
				),
				fetch: globalThis.fetch,
				now: () => now,
			},
			githubCopilot,
		);
		expect(login.expiresAt - now).toBe(seconds * 1000);
	});
});
