import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {migrateLegacyFiles} from '../../source/credentials/migrate.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const OAUTH = {
	anthropic: {access: 'sk-ant-oat01-A', refresh: 'sk-ant-ort01-R', expires: 1},
	'openai-codex': {access: 'a', refresh: 'r', expires: 2, accountId: 'acct'},
};

const agentWith = async (files: Record<string, string>) => {
	const agent = await makeTempDir();
	for (const [name, text] of Object.entries(files)) {
		await fs.writeFile(path.join(agent, name), text);
	}

	return {agent, auth: path.join(agent, 'auth.json')};
};

const listing = async (folder: string) => (await fs.readdir(folder)).sort();

describe("pi's migration to auth.json", () => {
	it('moves oauth.json entries and settings.json apiKeys, as pi does', async () => {
		const {agent, auth} = await agentWith({
			'oauth.json': JSON.stringify(OAUTH),
			'settings.json': JSON.stringify({
				theme: 'dark',
				apiKeys: {groq: 'gsk_1', anthropic: 'ignored: oauth wins', n: 3},
			}),
		});
		await fs.chmod(path.join(agent, 'settings.json'), 0o640);
		const result = await migrateLegacyFiles(auth);
		expect(result).toEqual({
			providers: ['anthropic', 'openai-codex', 'groq'],
			sources: ['oauth.json', 'settings.json'],
		});
		expect(await listing(agent)).toEqual([
			'auth.json',
			'oauth.json.migrated',
			'settings.json',
		]);
		// pi's own layout: 2-space JSON without a trailing newline, mode 0600.
		expect(await fs.readFile(auth, 'utf8')).toBe(
			JSON.stringify(
				{
					anthropic: {type: 'oauth', ...OAUTH.anthropic},
					'openai-codex': {type: 'oauth', ...OAUTH['openai-codex']},
					groq: {type: 'api_key', key: 'gsk_1'},
				},
				null,
				2,
			),
		);
		expect((await fs.stat(auth)).mode & 0o777).toBe(0o600);
		expect(await fs.readFile(path.join(agent, 'settings.json'), 'utf8')).toBe(
			JSON.stringify({theme: 'dark'}, null, 2),
		);
		expect(
			(await fs.stat(path.join(agent, 'settings.json'))).mode & 0o777,
		).toBe(0o640);
		expect(
			JSON.parse(
				await fs.readFile(path.join(agent, 'oauth.json.migrated'), 'utf8'),
			),
		).toEqual(OAUTH);
	});

	it('does nothing when auth.json exists, even an empty one', async () => {
		const {agent, auth} = await agentWith({
			'auth.json': '{}',
			'oauth.json': JSON.stringify(OAUTH),
		});
		expect((await migrateLegacyFiles(auth)).providers).toEqual([]);
		expect(await listing(agent)).toEqual(['auth.json', 'oauth.json']);
	});

	it('leaves an unreadable oauth.json where it is and still moves API keys', async () => {
		const {agent, auth} = await agentWith({
			'oauth.json': '{"broken',
			'settings.json': JSON.stringify({apiKeys: {groq: 'gsk_1'}}),
		});
		expect(await migrateLegacyFiles(auth)).toEqual({
			providers: ['groq'],
			sources: ['settings.json'],
		});
		expect(await listing(agent)).toEqual([
			'auth.json',
			'oauth.json',
			'settings.json',
		]);
	});

	it('writes no auth.json when nothing was migrated, but still rewrites settings.json', async () => {
		const {agent, auth} = await agentWith({
			'settings.json': JSON.stringify({apiKeys: {}, model: 'x'}),
		});
		expect((await migrateLegacyFiles(auth)).providers).toEqual([]);
		expect(await listing(agent)).toEqual(['settings.json']);
		expect(
			JSON.parse(await fs.readFile(path.join(agent, 'settings.json'), 'utf8')),
		).toEqual({model: 'x'});
	});

	it('never replaces an auth.json that appears meanwhile (pi migrating at the same moment)', async () => {
		const {agent, auth} = await agentWith({
			'oauth.json': JSON.stringify(OAUTH),
		});
		// pi migrates without a lock: its files appear while pi-auth waits for the lock.
		const {withFileLock} =
			await import('../../source/credentials/file-lock.js');
		let locked = () => undefined as void;
		let release = () => undefined as void;
		const isLocked = new Promise<void>(resolve => (locked = resolve));
		const released = new Promise<void>(resolve => (release = resolve));
		const holder = withFileLock(auth, async () => {
			locked();
			await released;
		});
		await isLocked;
		const migration = migrateLegacyFiles(auth);
		// pi has written auth.json and not yet renamed oauth.json.
		await fs.writeFile(auth, '{"pi": {"type": "api_key", "key": "k"}}');
		release();
		await holder;
		expect((await migration).providers).toEqual([]);
		expect(await listing(agent)).toEqual(['auth.json', 'oauth.json']);
		expect(JSON.parse(await fs.readFile(auth, 'utf8'))).toEqual({
			pi: {type: 'api_key', key: 'k'},
		});
	});
});
