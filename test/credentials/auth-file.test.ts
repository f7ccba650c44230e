import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	readAuthFile,
	updateAuthFile,
	writeAuthFile,
} from '../../source/credentials/auth-file.js';
import {PiAuthError} from '../../source/errors.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;

/** pi's format with things pi-auth does not know about: they must survive every write. */
export const piFile = {
	anthropic: {
		type: 'oauth',
		access: 'sk-ant-oat01-ACCESS',
		refresh: 'sk-ant-ort01-REFRESH',
		expires: 1_767_304_352_803,
		futureField: {nested: [1, 2, {deep: true}]},
	},
	'some-provider': {type: 'api_key', key: 'sk-other', note: 'kept'},
	'weird-entry': [1, 'two', null],
};

describe('the credential file', () => {
	it('reads a missing file as empty', async () => {
		const directory = await makeTempDir();
		expect(
			await readAuthFile(path.join(directory, 'nope', 'oauth.json')),
		).toEqual({});
	});

	it('round-trips pi format, keeping unknown entries and fields', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'oauth.json');
		await fs.writeFile(file, JSON.stringify(piFile));
		await updateAuthFile(file, current => ({
			data: {
				...current,
				'github-copilot': {
					type: 'oauth',
					access: 'a',
					refresh: 'r',
					expires: 1,
				},
			},
			result: undefined,
		}));
		const text = await fs.readFile(file, 'utf8');
		expect(JSON.parse(text)).toEqual({
			...piFile,
			'github-copilot': {type: 'oauth', access: 'a', refresh: 'r', expires: 1},
		});
		// pi's layout: 2-space indent and a trailing newline, keys in their original order.
		expect(text.endsWith('}\n')).toBe(true);
		expect(text).toContain('\n  "anthropic": {\n    "type": "oauth"');
		expect(Object.keys(JSON.parse(text) as object)).toEqual([
			'anthropic',
			'some-provider',
			'weird-entry',
			'github-copilot',
		]);
	});

	it('creates the file 0600 in a new 0700 directory', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'deep', 'agent', 'oauth.json');
		await writeAuthFile(file, {});
		expect(await mode(file)).toBe(0o600);
		expect(await mode(path.dirname(file))).toBe(0o700);
		expect(await mode(path.dirname(path.dirname(file)))).toBe(0o700);
	});

	it('tightens a 0644 file to 0600 and leaves an existing directory as it is', async () => {
		const directory = await makeTempDir();
		await fs.chmod(directory, 0o755);
		const file = path.join(directory, 'oauth.json');
		await fs.writeFile(file, '{}');
		await fs.chmod(file, 0o644);
		await readAuthFile(file);
		expect(await mode(file)).toBe(0o600);
		await fs.chmod(file, 0o644);
		await writeAuthFile(file, {x: 1});
		expect(await mode(file)).toBe(0o600);
		// cli-contract.md: "an existing directory is left as it is".
		expect(await mode(directory)).toBe(0o755);
	});

	const corrupt: Array<[string, string | Buffer]> = [
		['an empty file', ''],
		['an array', '[]'],
		['truncated JSON', '{"anthropic": {"type": "oauth", "acc'],
		['binary junk', Buffer.from([0, 159, 146, 150, 255, 1, 2])],
		['a string', '"hello"'],
		['null', 'null'],
	];

	for (const [what, content] of corrupt) {
		it(`raises a typed error for ${what} and never overwrites it`, async () => {
			const directory = await makeTempDir();
			const file = path.join(directory, 'oauth.json');
			await fs.writeFile(file, content);
			const before = await fs.readFile(file);
			const error = await readAuthFile(file).catch((error_: unknown) => error_);
			expect(error).toBeInstanceOf(PiAuthError);
			expect((error as PiAuthError).code).toBe('file-corrupt');
			expect((error as PiAuthError).message).toContain(file);
			const update = await updateAuthFile(file, () => ({
				data: {anthropic: {type: 'api_key', key: 'x'}},
				result: undefined,
			})).catch((error_: unknown) => error_);
			expect((update as PiAuthError).code).toBe('file-corrupt');
			expect(await fs.readFile(file)).toEqual(before);
			await expect(fs.stat(`${file}.lock`)).rejects.toThrow();
		});
	}

	it('writes atomically and leaves no temp files behind', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'oauth.json');
		for (let index = 0; index < 5; index++) {
			await writeAuthFile(file, {index});
		}

		expect(await fs.readdir(directory)).toEqual(['oauth.json']);
	});

	it('removes a temp file left by a writer that was killed', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'oauth.json');
		// A pid that cannot be alive (above the kernel's pid_max).
		const orphan = path.join(directory, '.oauth.json.4194399.deadbeef.tmp');
		await fs.writeFile(orphan, '{"half":');
		await writeAuthFile(file, {a: 1});
		expect(await fs.readdir(directory)).toEqual(['oauth.json']);
	});

	it('does not write when the mutation changes nothing', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'oauth.json');
		await fs.writeFile(file, '{"a":1}');
		await updateAuthFile(file, () => ({result: 1}));
		// Untouched bytes: pi-auth did not reformat a file it had no reason to write.
		expect(await fs.readFile(file, 'utf8')).toBe('{"a":1}');
	});
});
