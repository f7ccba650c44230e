// npm run bench (after npm run build): bundles bench/main.ts with esbuild and runs it. The bench is
// TypeScript because it imports the offline provider fakes from source/sandbox/. The bundle goes to
// .bench/ (git-ignored) at the project root, beside node_modules, so the packages left external
// (@lydell/node-pty is native, @xterm/headless is CommonJS) resolve from there.
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outfile = path.join(root, '.bench', 'bench.mjs');
await esbuild.build({
	absWorkingDir: root,
	entryPoints: ['bench/main.ts'],
	outfile,
	bundle: true,
	platform: 'node',
	target: 'node20',
	format: 'esm',
	packages: 'external',
	logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
