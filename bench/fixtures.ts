/*
What the measured processes run against: temporary homes with pi's credential file (and, where the
network is involved, a pi-auth config pointing every endpoint at the offline fakes on 127.0.0.1).
*/
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Sandbox} from '../source/sandbox/sandbox.js';

const HOUR = 3_600_000;

export type Home = {
	dir: string;
	authFile: string;
	env: NodeJS.ProcessEnv;
	writeAuth: (data: Record<string, unknown>) => void;
};

/** A temp HOME whose ~/.pi/agent is where pi-auth looks by default (docs/contract.md). */
export const makeHome = (
	parent: string,
	name: string,
	config?: Sandbox['config'],
): Home => {
	const dir = path.join(parent, name);
	const agent = path.join(dir, '.pi', 'agent');
	fs.mkdirSync(agent, {recursive: true, mode: 0o700});
	if (config) {
		fs.writeFileSync(
			path.join(agent, 'pi-auth.json'),
			`${JSON.stringify(config, null, 2)}\n`,
		);
	}

	const authFile = path.join(agent, 'auth.json');
	return {
		dir,
		authFile,
		env: {PATH: process.env['PATH'], HOME: dir},
		writeAuth(data) {
			// Atomic, as pi-auth itself writes: a reader never sees half a file.
			const temporary = `${authFile}.bench-tmp`;
			fs.writeFileSync(temporary, `${JSON.stringify(data, null, 2)}\n`, {
				mode: 0o600,
			});
			fs.renameSync(temporary, authFile);
		},
	};
};

export const makeTempRoot = () =>
	fs.mkdtempSync(path.join(os.tmpdir(), 'pi-auth-bench-'));

/** Three stored OAuth entries that no command will try to refresh (valid for a day). */
export const offlineEntries = (now: number) => ({
	anthropic: {
		type: 'oauth',
		access: `sk-ant-oat01-${'b'.repeat(90)}`,
		refresh: `sk-ant-ort01-${'r'.repeat(90)}`,
		expires: now + 24 * HOUR,
	},
	'openai-codex': {
		type: 'oauth',
		access: 'eyJhbGciOiJSUzI1NiJ9.eyJiZW5jaCI6dHJ1ZX0.sig',
		refresh: 'rt_bench',
		expires: now + 24 * HOUR,
		accountId: 'acct-bench',
	},
	'github-copilot': {
		type: 'oauth',
		access: 'tid=bench;exp=0;sku=monthly_subscriber',
		refresh: 'ghu_bench',
		expires: now + 24 * HOUR,
	},
});

/** An expired Codex entry with a fresh single-use refresh token (a new grant for every run). */
export const expiredCodexEntry = (sandbox: Sandbox, now: number) => {
	const grant = sandbox.codex.issueGrant();
	return {
		oldAccess: grant.access,
		data: {
			'openai-codex': {
				type: 'oauth',
				access: grant.access,
				refresh: grant.refresh,
				expires: now - 60_000,
				accountId: grant.accountId,
			},
		},
	};
};
