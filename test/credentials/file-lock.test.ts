import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {updateAuthFile} from '../../source/credentials/auth-file.js';
import {withFileLock} from '../../source/credentials/file-lock.js';
import {PiAuthError} from '../../source/errors.js';
import {makeTempDir} from '../helpers/temp-dir.js';

describe('the file lock', () => {
	it("uses pi's lock directory <file>.lock while held and removes it after", async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await withFileLock(file, async () => {
			expect((await fs.stat(`${file}.lock`)).isDirectory()).toBe(true);
		});
		await expect(fs.stat(`${file}.lock`)).rejects.toThrow();
	});

	it("locks a symlinked file's real path, so the link and its target share pi's lock", async () => {
		const directory = await makeTempDir();
		const real = path.join(directory, 'real.json');
		await fs.writeFile(real, '{}');
		const link = path.join(directory, 'auth.json');
		await fs.symlink(real, link);
		await withFileLock(link, async () => {
			expect((await fs.stat(`${real}.lock`)).isDirectory()).toBe(true);
			await expect(fs.stat(`${link}.lock`)).rejects.toThrow();
			// Held through the link: the target itself is busy for anyone else.
			await expect(
				withFileLock(real, async () => undefined, {waitMs: 100}),
			).rejects.toMatchObject({code: 'file-busy'});
		});
	});

	it('says at once, not after the lock wait, when the folder cannot hold a lock', async () => {
		// A wait longer than the test's own timeout: waiting at all fails the test.
		const error = await withFileLock('/proc/auth.json', async () => undefined, {
			waitMs: 120_000,
		}).catch((error_: unknown) => error_);
		expect(error).toMatchObject({code: 'file-io'});
		expect((error as Error).message).toMatch(/cannot be created/);
		expect((error as Error).message).not.toMatch(/locked by another process/);
	});

	it('says the file is busy while another process holds a fresh lock', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(file, '{"kept":true}');
		await fs.mkdir(`${file}.lock`);
		const error = await updateAuthFile(
			file,
			() => ({data: {}, result: undefined}),
			{waitMs: 300},
		).catch((error_: unknown) => error_);
		expect(error).toBeInstanceOf(PiAuthError);
		expect((error as PiAuthError).code).toBe('file-busy');
		expect((error as PiAuthError).message).toMatch(/locked by another process/);
		expect(await fs.readFile(file, 'utf8')).toBe('{"kept":true}');
	});

	it('recovers a lock left by a crashed process once it is older than 30 s', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.writeFile(file, '{}');
		await fs.mkdir(`${file}.lock`);
		const old = new Date(Date.now() - 31_000);
		await fs.utimes(`${file}.lock`, old, old);
		await updateAuthFile(
			file,
			() => ({data: {recovered: true}, result: undefined}),
			{waitMs: 2000},
		);
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
			recovered: true,
		});
		await expect(fs.stat(`${file}.lock`)).rejects.toThrow();
	});

	it('does not take over a lock that is 20 s old', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await fs.mkdir(`${file}.lock`);
		const recent = new Date(Date.now() - 20_000);
		await fs.utimes(`${file}.lock`, recent, recent);
		await expect(
			withFileLock(file, async () => undefined, {waitMs: 200}),
		).rejects.toMatchObject({code: 'file-busy'});
	});

	it('queues callers in one process without losing updates', async () => {
		const directory = await makeTempDir();
		const file = path.join(directory, 'auth.json');
		await Promise.all(
			Array.from({length: 20}, async (_, index) =>
				updateAuthFile(file, current => ({
					data: {...current, [`p${index}`]: index},
					result: undefined,
				})),
			),
		);
		const data = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			number
		>;
		expect(Object.keys(data)).toHaveLength(20);
	});
});
