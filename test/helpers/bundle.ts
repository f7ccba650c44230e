import {rmSync} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = new Map<string, Promise<string>>();

/**
Bundles a TypeScript fixture (a program a test runs as its own process, e.g. a writer to kill -9)
into one ES module file, so it runs on plain Node 20 against the real source. Once per run.
*/
export const bundleFixture = async (entry: string): Promise<string> => {
	let promise = built.get(entry);
	if (!promise) {
		promise = (async () => {
			const directory = await fs.mkdtemp(
				path.join(os.tmpdir(), 'pi-auth-fixture-'),
			);
			// Removed when this test process ends, so runs do not pile folders up in /tmp.
			process.once('exit', () => {
				rmSync(directory, {recursive: true, force: true});
			});
			const outfile = path.join(
				directory,
				`${path.basename(entry, '.ts')}.mjs`,
			);
			await esbuild.build({
				absWorkingDir: root,
				entryPoints: [entry],
				outfile,
				bundle: true,
				platform: 'node',
				target: 'node20',
				format: 'esm',
				// Packages resolve from the project's node_modules, not from the temp folder.
				nodePaths: [path.join(root, 'node_modules')],
				banner: {
					js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);",
				},
				logLevel: 'warning',
			});
			return outfile;
		})();
		built.set(entry, promise);
	}

	return promise;
};
