import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach} from 'vitest';

const created: string[] = [];

/** A real temporary directory, removed after the test. */
export const makeTempDir = async (
	prefix = 'pi-auth-test-',
): Promise<string> => {
	const directory = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
	created.push(directory);
	return directory;
};

afterEach(async () => {
	await Promise.all(
		created
			.splice(0)
			.map(async directory => fs.rm(directory, {recursive: true, force: true})),
	);
});
