/*
Terminal escape injection (issue 11, item 3): provider answers and credential files carrying
control characters. An email with `ESC ] 52 ; c ; …` once put a command on the clipboard of whoever
ran `pi-auth status`. Whatever the providers or the file say, no C0/C1 control or DEL reaches
stdout, stderr or the credential file; the visible text around them still does.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {CliResult} from '../helpers/cli.js';
import {
	type LocalServer,
	json,
	readBody,
	startServer,
} from '../oauth/local-server.js';
import {CODE_LINE, URL_LINE, type Setup, setupSandbox} from './sandbox-cli.js';

/** OSC 52 (clipboard), BEL, a C1 CSI, DEL and a line break, around visible text. */
const HOSTILE = 'x\u001B]52;c;cm0gLXJmIH4=\u0007\u009B2J\u007F\r\nz';
const DEFUSED = 'x]52;c;cm0gLXJmIH4=2Jz';
// C0 but the line feed pi-auth ends its own lines with, DEL, C1.
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/;

const servers: LocalServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

/** stdout and stderr hold no control but the line breaks pi-auth writes itself. */
const expectClean = (result: CliResult) => {
	expect(result.stdout).not.toMatch(CONTROL);
	expect(result.stderr).not.toMatch(CONTROL);
};

const overrideEndpoints = async (
	setup: Setup,
	provider: string,
	endpoints: Record<string, string>,
) => {
	const config = JSON.parse(await fs.readFile(setup.configFile, 'utf8')) as {
		providers: Record<string, {endpoints: Record<string, string>}>;
	};
	Object.assign(config.providers[provider]!.endpoints, endpoints);
	await fs.writeFile(setup.configFile, JSON.stringify(config));
};

describe('provider text with control characters', () => {
	it('an Anthropic account email: defused in the login output, the file and status', async () => {
		const setup = await setupSandbox({
			sandbox: {anthropic: {email: `eve${HOSTILE}@example.com`}},
		});
		const {anthropic} = setup.sandbox;
		const cli = setup.start(['login', 'anthropic', '--method', 'oauth']);
		const [, url] = await cli.waitFor('stderr', URL_LINE);
		cli.write(`${await anthropic.approve(url!)}\n`);
		const login = await cli.result;
		expect(login.code).toBe(0);
		expectClean(login);
		expect(login.stderr).toContain(`as eve${DEFUSED}@example.com`);
		expect((await setup.readAuth()).anthropic?.['account']).toBe(
			`eve${DEFUSED}@example.com`,
		);
		expect(await setup.rawAuth()).not.toMatch(CONTROL);

		for (const args of [['status'], ['status', '--json']]) {
			const result = await setup.run(args);
			expect(result.code).toBe(0);
			expectClean(result);
			expect(result.stdout).toContain(`eve${DEFUSED}@example.com`);
		}
	});

	it('a GitHub device code, login and plan: defused on stderr, in the file and in status --usage', async () => {
		const setup = await setupSandbox({
			sandbox: {github: {login: `octo${HOSTILE}`, copilotPlan: HOSTILE}},
		});
		const {github} = setup.sandbox;
		// GitHub's device start, relayed with a hostile suffix on the user code it shows.
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
			json(response, 200, {
				...body,
				user_code: `${body['user_code']}${HOSTILE}`,
			});
		});
		servers.push(relay);
		await overrideEndpoints(setup, 'github-copilot', {
			deviceCode: `${relay.url}/login/device/code`,
		});
		const cli = setup.start(['login', 'github-copilot', '--method', 'device']);
		const [, shown] = await cli.waitFor('stderr', CODE_LINE);
		expect(shown!.slice(0, 9)).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
		expect(shown!.slice(9)).toBe(DEFUSED);
		await github.approveDevice(shown!.slice(0, 9));
		const login = await cli.result;
		expect(login.code).toBe(0);
		expectClean(login);
		expect(login.stderr).toContain(`as octo${DEFUSED}`);
		expect(await setup.rawAuth()).not.toMatch(CONTROL);

		const status = await setup.run(['status', '--usage']);
		expect(status.code).toBe(0);
		expectClean(status);
		expect(status.stdout).toContain(`octo${DEFUSED}`);
		expectClean(await setup.run(['status', '--usage', '--json']));
	});

	it('a Codex device code: shown defused, sent back in each poll exactly as given', async () => {
		const setup = await setupSandbox();
		const polls: unknown[] = [];
		const device = await startServer(async (request, response) => {
			const body = JSON.parse(await readBody(request)) as Record<
				string,
				unknown
			>;
			if (request.url === '/usercode') {
				json(response, 200, {
					device_auth_id: 'deviceauth_1',
					user_code: `ABCD${HOSTILE}`,
					interval: '0.05',
				});
				return;
			}

			polls.push(body['user_code']);
			json(response, 400, {
				error: {code: 'expired_token', message: `gone${HOSTILE}`},
				error_description: HOSTILE,
			});
		});
		servers.push(device);
		await overrideEndpoints(setup, 'openai-codex', {
			deviceUserCode: `${device.url}/usercode`,
			deviceToken: `${device.url}/token`,
		});
		const result = await setup.run([
			'login',
			'openai-codex',
			'--method',
			'device',
		]);
		expect(result.code).toBe(1);
		expectClean(result);
		expect(result.stderr).toContain(`Enter code ABCD${DEFUSED} at`);
		expect(result.stderr).toMatch(/sign-in code has expired/);
		expect(polls).toEqual([`ABCD${HOSTILE}`]);
	});

	it('a token error with a hostile code and error_description: nothing of them is printed raw', async () => {
		const setup = await setupSandbox();
		const grant = setup.sandbox.anthropic.issueGrant();
		await setup.writeAuth({
			anthropic: {
				type: 'oauth',
				access: grant.access,
				refresh: grant.refresh,
				expires: Date.now() - 60_000,
			},
		});
		setup.sandbox.anthropic.fail('token', {
			status: 400,
			body: {error: `invalid_grant${HOSTILE}`, error_description: HOSTILE},
		});
		for (const args of [
			['refresh', 'anthropic', '--force'],
			['refresh', 'anthropic', '--force', '--json'],
		]) {
			const result = await setup.run(args);
			expect(result.code).toBe(1);
			expectClean(result);
			setup.sandbox.anthropic.fail('token', {
				status: 400,
				body: {error: `invalid_grant${HOSTILE}`, error_description: HOSTILE},
			});
		}
	});
});

describe('a credential file another tool wrote with control characters', () => {
	it('status, status --json and token print none of them', async () => {
		const setup = await setupSandbox();
		const grant = setup.sandbox.anthropic.issueGrant();
		await setup.writeAuth({
			anthropic: {
				type: 'oauth',
				access: grant.access,
				refresh: grant.refresh,
				expires: Date.now() + 3_600_000,
				account: `eve${HOSTILE}`,
			},
			'openai-codex': {
				type: 'oauth',
				access: 'a',
				refresh: 'r',
				expires: Date.now() + 3_600_000,
				needsLogin: {reason: `revoked${HOSTILE}`, at: 1},
			},
		});
		for (const args of [['status'], ['status', '--json']]) {
			const result = await setup.run(args);
			expect(result.code).toBe(0);
			expectClean(result);
			expect(result.stdout).toContain(`eve${DEFUSED}`);
		}

		const token = await setup.run(['token', 'openai-codex']);
		expect(token.code).toBe(1);
		expectClean(token);
	});

	it('a file that does not parse is named without the controls it holds', async () => {
		const setup = await setupSandbox();
		await fs.mkdir(path.dirname(setup.authFile), {recursive: true});
		await fs.writeFile(setup.authFile, `{"a": 1}\u001B]52;c;eA==\u0007\u009B`);
		const result = await setup.run(['status']);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/not valid JSON/);
		expectClean(result);
	});
});
