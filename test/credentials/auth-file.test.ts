import {spawnSync} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	MAX_FILE_BYTES,
	parseAuthData,
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
			await readAuthFile(path.join(directory, 'nope', 'auth.json')),
		).toEqual({});
	});

	it('round-trips pi format, keeping unknown entries and fields', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
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
		const file = path.join(directory, 'deep', 'agent', 'auth.json');
		await writeAuthFile(file, {});
		expect(await mode(file)).toBe(0o600);
		expect(await mode(path.dirname(file))).toBe(0o700);
		expect(await mode(path.dirname(path.dirname(file)))).toBe(0o700);
	});

	it('tightens a 0644 file to 0600 and leaves an existing directory as it is', async () => {
		const directory = await makeTempDir();
		await fs.chmod(directory, 0o755);
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(file, '{}');
		await fs.chmod(file, 0o644);
		await readAuthFile(file);
		expect(await mode(file)).toBe(0o600);
		await fs.chmod(file, 0o644);
		await writeAuthFile(file, {x: 1});
		expect(await mode(file)).toBe(0o600);
		// docs/contract.md: "an existing directory is left as it is".
		expect(await mode(directory)).toBe(0o755);
	});

	const corrupt: Array<[string, string | Buffer]> = [
		['an array', '[]'],
		['truncated JSON', '{"anthropic": {"type": "oauth", "acc'],
		['binary junk', Buffer.from([0, 159, 146, 150, 255, 1, 2])],
		['a string', '"hello"'],
		['null', 'null'],
	];

	for (const [what, content] of corrupt) {
		it(`raises a typed error for ${what} and never overwrites it`, async () => {
			const directory = await makeTempDir();
			const file = path.join(directory, 'auth.json');
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

	it('reads an empty file as empty under the lock, as pi does, and never leaves it to a lock-free read', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(file, '  \n');
		expect(await readAuthFile(file)).toEqual({});
		await updateAuthFile(file, current => ({
			data: {...current, x: {type: 'api_key', key: 'k'}},
			result: undefined,
		}));
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
			x: {type: 'api_key', key: 'k'},
		});
		expect(parseAuthData('', file, {emptyIsEmpty: true})).toEqual({});
		expect(() => parseAuthData('', file)).toThrow(/the file is empty/);
	});

	it("drops a BOM, as pi's reader does", async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(file, '\uFEFF{"a": {"type": "api_key", "key": "k"}}');
		expect(await readAuthFile(file)).toEqual({a: {type: 'api_key', key: 'k'}});
	});

	it('refuses a FIFO at once instead of hanging, and a folder', async () => {
		const directory = await makeTempDir();
		const fifo = path.join(directory, 'auth.json');
		const made = spawnSync('mkfifo', [fifo]);
		expect(made.status).toBe(0);
		const error = await readAuthFile(fifo).catch((error_: unknown) => error_);
		expect(error).toMatchObject({code: 'file-io'});
		expect((error as Error).message).toMatch(
			/not a regular file \(a named pipe\)/,
		);
		const folder = path.join(directory, 'folder.json');
		await fs.mkdir(folder);
		await expect(readAuthFile(folder)).rejects.toThrow(
			/not a regular file \(a folder\)/,
		);
	});

	it('refuses a file over 1 MiB as corrupt without reading it, and never overwrites it', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		const big = `{"pad": "${'x'.repeat(MAX_FILE_BYTES)}"}`;
		await fs.writeFile(file, big);
		await expect(readAuthFile(file)).rejects.toMatchObject({
			code: 'file-corrupt',
			message: expect.stringMatching(/larger than 1 MiB/) as string,
		});
		await expect(
			updateAuthFile(file, () => ({data: {}, result: undefined})),
		).rejects.toMatchObject({code: 'file-corrupt'});
		expect((await fs.stat(file)).size).toBe(big.length);
	});

	it('says what is wrong with an entry nested too deeply to write back', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		let deep: unknown = {};
		for (let index = 0; index < 20_000; index++) deep = {deep};
		await expect(writeAuthFile(file, {deep})).rejects.toMatchObject({
			code: 'file-corrupt',
			message: expect.stringMatching(
				/nested too deeply to write back/,
			) as string,
		});
		await expect(fs.stat(file)).rejects.toThrow();
	});

	it('keeps a symlinked file a symlink: the target is replaced, and the lock is the target’s', async () => {
		const directory = await makeTempDir();
		const real = path.join(directory, 'real', 'auth.json');
		await fs.mkdir(path.dirname(real));
		await fs.writeFile(real, '{"kept": {"type": "api_key", "key": "k"}}');
		const link = path.join(directory, 'agent', 'auth.json');
		await fs.mkdir(path.dirname(link));
		await fs.symlink(real, link);
		await updateAuthFile(link, current => {
			return {
				data: {...current, added: {type: 'api_key', key: 'n'}},
				result: undefined,
			};
		});
		expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
		expect(JSON.parse(await fs.readFile(real, 'utf8'))).toEqual({
			kept: {type: 'api_key', key: 'k'},
			added: {type: 'api_key', key: 'n'},
		});
		expect((await fs.readdir(path.dirname(link))).sort()).toEqual([
			'auth.json',
		]);
		expect((await fs.readdir(path.dirname(real))).sort()).toEqual([
			'auth.json',
		]);
	});

	it('follows a dangling symlink: the first write creates its target', async () => {
		const directory = await makeTempDir();
		const real = path.join(directory, 'store', 'auth.json');
		const link = path.join(directory, 'auth.json');
		await fs.symlink(real, link);
		await writeAuthFile(link, {a: 1});
		expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
		expect(JSON.parse(await fs.readFile(real, 'utf8'))).toEqual({a: 1});
	});

	it('writes atomically and leaves no temp files behind', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		for (let index = 0; index < 5; index++) {
			await writeAuthFile(file, {index});
		}

		expect(await fs.readdir(directory)).toEqual(['auth.json']);
	});

	it('removes a temp file left by a writer that was killed', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		// A pid that cannot be alive (above the kernel's pid_max).
		const orphan = path.join(directory, '.auth.json.4194399.deadbeef.tmp');
		await fs.writeFile(orphan, '{"half":');
		await writeAuthFile(file, {a: 1});
		expect(await fs.readdir(directory)).toEqual(['auth.json']);
	});

	it('does not write when the mutation changes nothing', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(file, '{"a":1}');
		await updateAuthFile(file, () => ({result: 1}));
		// Untouched bytes: pi-auth did not reformat a file it had no reason to write.
		expect(await fs.readFile(file, 'utf8')).toBe('{"a":1}');
	});
});
