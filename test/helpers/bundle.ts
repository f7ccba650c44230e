import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = new Map<string, Promise<string>>();
// One folder, each fixture at a fixed name: later runs overwrite, nothing piles up in /tmp.
const directory = path.join(os.tmpdir(), 'pi-auth-fixtures');

/**
Bundles a TypeScript fixture (a program a test runs as its own process, e.g. a writer to kill -9)
into one ES module file, so it runs on plain Node 20 against the real source. Once per test
process; written to a temporary name and renamed, so parallel test processes never run a
half-written bundle.
*/
export const bundleFixture = async (entry: string): Promise<string> => {
	let promise = built.get(entry);
	if (!promise) {
		promise = (async () => {
			await fs.mkdir(directory, {recursive: true});
			const outfile = path.join(
				directory,
				`${path.basename(entry, '.ts')}.mjs`,
			);
			const result = await esbuild.build({
				absWorkingDir: root,
				entryPoints: [entry],
				outfile,
				write: false,
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
			const temporary = `${outfile}.${process.pid}.tmp`;
			await fs.writeFile(temporary, result.outputFiles[0]!.contents);
			await fs.rename(temporary, outfile);
			return outfile;
		})();
		built.set(entry, promise);
	}

	return promise;
};
