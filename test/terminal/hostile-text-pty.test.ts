/*
Terminal escape injection (issue 11, item 3) on a real terminal: provider answers and a credential
file carrying OSC 52, C1 CSI and DEL. The wizard and the panel show the visible text; none of the
control characters reaches the pseudo-terminal. Ink itself writes ESC sequences (colours, OSC 8
links, synchronized updates), so the check is for what it never writes: OSC 52, any C1 control, DEL.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {
	type Sandbox,
	type SandboxOptions,
	startSandbox,
} from '../../source/sandbox/sandbox.js';
import {cleanEnv} from '../helpers/cli.js';
import {spawnPty} from '../helpers/pty.js';
import {makeTempDir} from '../helpers/temp-dir.js';
import {
	type LocalServer,
	json,
	readBody,
	startServer,
} from '../oauth/local-server.js';

const HOSTILE = 'x\u001B]52;c;cm0gLXJmIH4=\u0007\u009B2J\u007F\r\nz';
const DEFUSED = 'x]52;c;cm0gLXJmIH4=2Jz';

const opened: Array<{close: () => Promise<void>}> = [];
afterEach(async () => {
	await Promise.all(opened.splice(0).map(async item => item.close()));
});

const expectNoInjection = (raw: string) => {
	expect(raw).not.toContain('\u001B]52');
	expect(raw).not.toMatch(/[\u007F-\u009F]/);
};

const world = async (options: SandboxOptions = {}) => {
	const sandbox: Sandbox = await startSandbox({
		...options,
		github: {deviceInterval: 0.05, ...options.github},
	});
	opened.push(sandbox);
	const home = await makeTempDir();
	const file = path.join(home, 'oauth.json');
	const configFile = path.join(home, 'pi-auth.json');
	const config = structuredClone(sandbox.config);
	const writeConfig = async () =>
		fs.writeFile(configFile, JSON.stringify(config));
	await writeConfig();
	const start = (args: string[]) => {
		const session = spawnPty(
			[...args, '--no-browser', '--config', configFile, '--auth-file', file],
			{env: cleanEnv(home), rows: 40},
		);
		return session;
	};

	return {sandbox, file, config, writeConfig, start};
};

describe('provider text with control characters, in a real terminal', () => {
	it('the wizard shows an Anthropic account email defused', async () => {
		const {sandbox, start} = await world({
			anthropic: {email: `eve${HOSTILE}@example.com`},
		});
		const session = start(['login', 'anthropic', '--method', 'oauth']);
		const screen = await session.waitFor(
			/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+state=\S+/,
		);
		const url = /http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+/.exec(
			screen,
		)![0];
		await fetch(await sandbox.anthropic.approve(url));
		await session.waitFor(`Account   eve${DEFUSED}@example.com`);
		session.write('q');
		expect(await session.exited()).toBe(0);
		expectNoInjection(session.raw());
	});

	it('the wizard shows a GitHub device code defused', async () => {
		const {sandbox, config, writeConfig, start} = await world();
		const relay: LocalServer = await startServer(async (request, response) => {
			const answer = await fetch(sandbox.github.endpoints.deviceCode, {
				method: 'POST',
				headers: {
					'content-type': String(request.headers['content-type']),
					accept: String(request.headers.accept),
				},
				body: await readBody(request),
			});
			const body = (await answer.json()) as Record<string, unknown>;
			json(response, 200, {...body, user_code: `AB${HOSTILE}`});
		});
		opened.push(relay);
		config.providers['github-copilot'].endpoints['deviceCode'] =
			`${relay.url}/login/device/code`;
		await writeConfig();
		const session = start(['login', 'github-copilot']);
		await session.waitFor('GitHub Enterprise host?');
		session.write('\r');
		await session.waitFor([...`AB${DEFUSED}`].join(' '));
		expectNoInjection(session.raw());
	});

	it('the panel shows what another tool wrote, and a provider plan, defused', async () => {
		const {sandbox, file, start} = await world({
			github: {copilotPlan: `pro${HOSTILE}`},
		});
		const anthropic = sandbox.anthropic.issueGrant();
		await fs.writeFile(
			file,
			JSON.stringify({
				anthropic: {
					type: 'oauth',
					access: anthropic.access,
					refresh: anthropic.refresh,
					expires: Date.now() + 3 * 3_600_000,
					account: `eve${HOSTILE}`,
				},
				'openai-codex': {
					type: 'oauth',
					access: 'a',
					refresh: 'r',
					expires: Date.now() + 3_600_000,
					needsLogin: {reason: `revoked${HOSTILE}`, at: 1},
				},
				'github-copilot': {
					type: 'oauth',
					access: 'stale',
					refresh: sandbox.github.issueGithubToken(),
					expires: Date.now() + 3_600_000,
				},
			}),
		);
		const session = start(['status']);
		await session.waitFor(`eve${DEFUSED}`);
		await session.waitFor(`(revoked${DEFUSED})`);
		await session.waitFor(`plan pro${DEFUSED}`);
		session.write('q');
		expect(await session.exited()).toBe(0);
		expectNoInjection(session.raw());
	});
});
