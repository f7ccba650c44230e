import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {credentialState} from '../../source/credentials/credential.js';
import {
	createAuthStore,
	watchAuthFile,
} from '../../source/credentials/store.js';
import {listCredentials} from '../../source/credentials/view.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const now = 1_800_000_000_000;
const oauth = (expires: number, extra: object = {}) => ({
	type: 'oauth' as const,
	access: 'access',
	refresh: 'refresh',
	expires,
	...extra,
});

/** Waits for a condition with a deadline: no fixed sleeps. */
const waitFor = async (check: () => boolean, timeoutMs = 5000) => {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise(resolve => setTimeout(resolve, 20));
	}
};

describe('derived state', () => {
	it('is valid, expiring under 5 minutes, expired, or needs-login', () => {
		expect(credentialState(oauth(now + 10 * 60_000), now)).toBe('valid');
		expect(credentialState(oauth(now + 5 * 60_000), now)).toBe('valid');
		expect(credentialState(oauth(now + 5 * 60_000 - 1), now)).toBe('expiring');
		expect(credentialState(oauth(now), now)).toBe('expired');
		expect(
			credentialState(
				oauth(now + 60 * 60_000, {
					needsLogin: {reason: 'invalid_grant', at: now},
				}),
				now,
			),
		).toBe('needs-login');
		expect(credentialState({type: 'api_key', key: 'k'}, now)).toBe('valid');
	});

	it('lists stored credentials over environment ones, and entries of unknown ids last as unmanaged', () => {
		const views = listCredentials(
			{
				anthropic: oauth(now + 3_600_000),
				'some-provider': {type: 'api_key', key: 'x'},
				'openai-codex': {type: 'oauth'},
			},
			{ANTHROPIC_API_KEY: 'sk-ant-api-env', COPILOT_GITHUB_TOKEN: 'ghu_env'},
			now,
		);
		expect(
			views.map(view => [
				view.provider.id,
				view.source,
				view.state,
				view.reason,
				view.managed,
			]),
		).toEqual([
			['anthropic', 'file', 'valid', undefined, true],
			['openai-codex', 'file', 'needs-login', 'invalid-entry', true],
			['github-copilot', 'env', 'valid', undefined, true],
			['some-provider', 'file', 'valid', undefined, false],
		]);
	});

	it('prefers ANTHROPIC_OAUTH_TOKEN over ANTHROPIC_API_KEY', () => {
		const [view] = listCredentials(
			{},
			{
				ANTHROPIC_API_KEY: 'sk-ant-api-x',
				ANTHROPIC_OAUTH_TOKEN: 'sk-ant-oat01-x',
			},
			now,
		);
		expect(view?.variable).toBe('ANTHROPIC_OAUTH_TOKEN');
		expect(view?.expires).toBeNull();
	});
});

describe('the store', () => {
	it('saves, merges and removes through the file', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(file, JSON.stringify({other: {keep: 1}}));
		const store = createAuthStore({file});
		await store
			.getState()
			.save('anthropic', oauth(5, {account: 'me@example.com'}));
		await store.getState().merge('anthropic', {access: 'new', expires: 9});
		const read = async () =>
			JSON.parse(await fs.readFile(file, 'utf8')) as object;
		expect(await read()).toEqual({
			other: {keep: 1},
			anthropic: oauth(9, {access: 'new', account: 'me@example.com'}),
		});
		expect(
			await store.getState().remove(['anthropic', 'openai-codex']),
		).toEqual(['anthropic']);
		expect(await read()).toEqual({other: {keep: 1}});
		expect(store.getState().data).toEqual({other: {keep: 1}});
	});

	it("re-reads under the lock before writing, so it never drops another writer's entry", async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		const store = createAuthStore({file});
		await store.getState().reload();
		await fs.writeFile(
			file,
			JSON.stringify({fromPi: {type: 'api_key', key: 'k'}}),
		);
		await store.getState().save('anthropic', oauth(1));
		expect(Object.keys(store.getState().data)).toEqual(['fromPi', 'anthropic']);
	});

	it('keeps the last good data and reports the error when the file turns corrupt', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(file, JSON.stringify({anthropic: oauth(1)}));
		const store = createAuthStore({file});
		await store.getState().reload();
		await fs.writeFile(file, '{broken');
		await store.getState().reload();
		expect(store.getState().error?.code).toBe('file-corrupt');
		expect(Object.keys(store.getState().data)).toEqual(['anthropic']);
	});

	it('reloads when another process replaces the file', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(file, '{}');
		const store = createAuthStore({file});
		await store.getState().reload();
		const stop = watchAuthFile(store);
		try {
			// What another writer does: a temp file renamed over the original.
			await fs.writeFile(
				`${file}.other`,
				JSON.stringify({anthropic: oauth(1)}),
			);
			await fs.rename(`${file}.other`, file);
			await waitFor(() => Object.hasOwn(store.getState().data, 'anthropic'));
		} finally {
			stop();
		}
	});
});
