import {spawn} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {bundleFixture} from '../helpers/bundle.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const runSaver = async (file: string, provider: string, count: number) => {
	const script = await bundleFixture('test/fixtures/save-many.ts');
	return new Promise<void>((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[script, file, provider, String(count)],
			{
				stdio: ['ignore', 'ignore', 'pipe'],
			},
		);
		let stderr = '';
		child.stderr.on('data', chunk => (stderr += String(chunk)));
		const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
		child.on('close', code => {
			clearTimeout(timer);
			if (code === 0) resolve();
			else reject(new Error(`saver ${provider} exited ${code}: ${stderr}`));
		});
	});
};

describe('two processes writing the same file', () => {
	it('keeps every save of each (50 each, concurrently)', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(
			file,
			JSON.stringify({'pi-only': {type: 'api_key', key: 'keep'}}),
		);
		await Promise.all([
			runSaver(file, 'anthropic', 50),
			runSaver(file, 'openai-codex', 50),
		]);
		const data = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			{key: string}
		>;
		expect(data['anthropic']?.key).toBe('anthropic-49');
		expect(data['openai-codex']?.key).toBe('openai-codex-49');
		expect(data['pi-only']?.key).toBe('keep');
		for (const provider of ['anthropic', 'openai-codex']) {
			const saves = Object.keys(data).filter(key =>
				key.startsWith(`${provider}#`),
			);
			expect(saves).toHaveLength(50);
		}

		expect((await fs.readdir(directory)).sort()).toEqual(['auth.json']);
	});
});
