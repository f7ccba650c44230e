/*
pi's move from oauth.json (and settings.json apiKeys) to auth.json: pi-auth does it exactly as pi
does when it starts first, so it does not matter which of the two a person runs first. The real pi
migrates at start-up (`pi --list-models` reaches that point offline); pi-auth on its first command.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {piEnv, runPi} from '../helpers/pi.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const HOUR = 3_600_000;
const MIGRATION_FILES = [
	'auth.json',
	'oauth.json',
	'oauth.json.migrated',
	'settings.json',
];

const oldAgent = async () => {
	const home = await makeTempDir();
	const agent = path.join(home, '.pi', 'agent');
	await fs.mkdir(agent, {recursive: true});
	await fs.writeFile(
		path.join(agent, 'oauth.json'),
		JSON.stringify({
			anthropic: {
				access: `sk-ant-oat01-${'M'.repeat(80)}`,
				refresh: '',
				expires: Date.now() + 300 * 24 * HOUR,
			},
			'openai-codex': {
				access: 'eyJ.MIGRATED.sig',
				refresh: 'rt_MIGRATED',
				expires: Date.now() + HOUR,
				accountId: 'acct-old',
			},
		}),
	);
	await fs.writeFile(
		path.join(agent, 'settings.json'),
		`${JSON.stringify({theme: 'dark', apiKeys: {groq: 'gsk_OLD', anthropic: 'sk-ant-api-loses'}}, null, 4)}\n`,
	);
	await fs.chmod(path.join(agent, 'settings.json'), 0o644);
	return {home, agent};
};

/** The migration's files: name → [mode, bytes]. */
const snapshot = async (agent: string) => {
	const result: Record<string, [number, string]> = {};
	for (const name of MIGRATION_FILES) {
		const file = path.join(agent, name);
		const stat = await fs.stat(file).catch(() => undefined);
		if (stat)
			result[name] = [stat.mode & 0o777, await fs.readFile(file, 'utf8')];
	}

	return result;
};

const piStarts = async (home: string) => {
	const result = await runPi(['--list-models', 'no-such-model'], {
		env: piEnv(home),
	});
	expect(result.code, result.stderr).toBe(0);
};

describe("pi's migration, by pi or by pi-auth", () => {
	it('leaves the same files whichever starts first, and each then uses the other’s result', async () => {
		const byPi = await oldAgent();
		const byUs = await oldAgent();
		// Same content in both folders (expiry times included).
		await fs.copyFile(
			path.join(byPi.agent, 'oauth.json'),
			path.join(byUs.agent, 'oauth.json'),
		);

		await piStarts(byPi.home);
		const status = await runCli(['status', '--json'], {
			env: cleanEnv(byUs.home),
		});
		expect(status.code).toBe(0);
		expect(status.stderr).toMatch(
			/^Moved anthropic, openai-codex, groq from oauth.json and settings.json into/,
		);

		const piResult = await snapshot(byPi.agent);
		expect(Object.keys(piResult).sort()).toEqual([
			'auth.json',
			'oauth.json.migrated',
			'settings.json',
		]);
		expect(await snapshot(byUs.agent)).toEqual(piResult);

		// Then the other one starts: nothing moves again, and both read the entries.
		await runCli(['status', '--json'], {env: cleanEnv(byPi.home)});
		expect(await snapshot(byPi.agent)).toEqual(piResult);
		await piStarts(byUs.home);
		expect(await snapshot(byUs.agent)).toEqual(piResult);
		const check = await runPi(
			['auth', 'check', '--provider', 'anthropic', '--json', '--no-refresh'],
			{env: piEnv(byUs.home)},
		);
		expect(JSON.parse(check.stdout)).toMatchObject({status: 'ready'});
		const listed = await runCli(['status', '--json'], {
			env: cleanEnv(byPi.home),
		});
		expect(
			(
				JSON.parse(listed.stdout) as {providers: Array<{id: string}>}
			).providers.map(entry => entry.id),
		).toEqual(['anthropic', 'openai-codex', 'groq']);
	});
});
