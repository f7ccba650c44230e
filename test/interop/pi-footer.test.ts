/*
The readme's recipe for pi's footer, run by the real pi: pi loads examples/pi-auth-usage.ts as an
extension from its agent folder, the extension runs `pi-auth status --line --max-age 60s` (a
`pi-auth` on PATH that is the built CLI), and the line reaches pi's status area. In RPC mode pi
sends status entries to its client as `extension_ui_request` lines on stdout, which is what this
test reads.
*/
import {spawn} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {type Sandbox, startSandbox} from '../../source/sandbox/sandbox.js';
import {cliPath, projectRoot} from '../helpers/cli.js';
import {piCli, piEnv, piNode} from '../helpers/pi.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const HOUR = 3_600_000;

let sandbox: Sandbox | undefined;
afterEach(async () => {
	await sandbox?.close();
	sandbox = undefined;
});

/** pi in RPC mode until it sends a `pi-auth` status entry (or 30 s pass); the entry's text. */
const statusFromPi = async (env: NodeJS.ProcessEnv) =>
	new Promise<string>((resolve, reject) => {
		const child = spawn(piNode(), [piCli, '--mode', 'rpc', '--no-session'], {
			env,
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		const finish = (error?: Error, text?: string) => {
			clearTimeout(timer);
			child.kill('SIGKILL');
			if (error) reject(error);
			else resolve(text ?? '');
		};

		const timer = setTimeout(() => {
			finish(new Error(`pi sent no pi-auth status:\n${stdout}\n${stderr}`));
		}, 30_000);
		child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk));
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
			for (const line of stdout.split('\n')) {
				if (!line.includes('"setStatus"')) continue;
				const message = JSON.parse(line) as {
					statusKey?: string;
					statusText?: string;
				};
				if (message.statusKey === 'pi-auth' && message.statusText) {
					finish(undefined, message.statusText);
				}
			}
		});
		child.on('error', reject);
	});

describe("pi's footer shows pi-auth's status line", () => {
	it('the example extension, loaded by the real pi, puts the line with usage from the fakes in its status area', async () => {
		sandbox = await startSandbox();
		const home = await makeTempDir();
		const agentDir = path.join(home, '.pi', 'agent');
		await fs.mkdir(path.join(agentDir, 'extensions'), {recursive: true});
		await fs.copyFile(
			path.join(projectRoot, 'examples', 'pi-auth-usage.ts'),
			path.join(agentDir, 'extensions', 'pi-auth-usage.ts'),
		);
		const grant = sandbox.anthropic.issueGrant();
		await fs.writeFile(
			path.join(agentDir, 'auth.json'),
			JSON.stringify({
				anthropic: {
					type: 'oauth',
					access: grant.access,
					refresh: grant.refresh,
					expires: Date.now() + 6 * HOUR,
				},
			}),
			{mode: 0o600},
		);
		const config = path.join(home, 'pi-auth.json');
		await fs.writeFile(config, JSON.stringify(sandbox.config));
		// `pi-auth` on PATH, as after `npm install -g`: the built CLI on this Node.
		const bin = path.join(home, 'bin');
		await fs.mkdir(bin);
		await fs.writeFile(
			path.join(bin, 'pi-auth'),
			`#!/bin/sh\nexec '${process.execPath}' '${cliPath}' "$@"\n`,
			{mode: 0o755},
		);
		const text = await statusFromPi(
			piEnv(home, {
				PATH: `${bin}:${process.env['PATH'] ?? ''}`,
				PI_AUTH_CONFIG: config,
			}),
		);
		expect(text).toMatch(/^claude 5h \d+% 7d \d+%/);
		// The line came through the usage cache every pi-auth process shares.
		const cache = JSON.parse(
			await fs.readFile(path.join(agentDir, 'pi-auth', 'usage.json'), 'utf8'),
		) as {entries: Record<string, unknown>};
		expect(Object.keys(cache.entries)).toEqual(['anthropic:default']);
		expect(sandbox.anthropic.count('usage')).toBe(1);
	}, 60_000);
});
