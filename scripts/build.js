// npm run build: bundles source/ into dist/ with esbuild (tsc only type-checks, in npm test).
//
// dist/cli.js is CommonJS on purpose. Start-up time of `pi-auth token` is a measured feature, and
// on Node 20 an ES module entry costs ~9 ms before the first line runs (the ESM loader), which is a
// third of Node's own start-up; a CommonJS entry costs nothing measurable. The interactive UI
// (Ink, which uses top-level await and so cannot be require()d) and the demo sandbox are ES module
// bundles (.mjs) loaded with import() only when a terminal session needs them.
import fs from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');

const common = {
	absWorkingDir: root,
	bundle: true,
	platform: 'node',
	target: 'node20',
	jsx: 'automatic',
	logLevel: 'warning',
	legalComments: 'none',
	minifyWhitespace: true,
	minifySyntax: true,
};

// The ES module bundles are separate files: the CommonJS entry keeps import() of them as it is.
const esmEntries = [
	{from: /\/ui\/interactive\.js$/, to: './ui/interactive.mjs'},
];
const keepEsmExternal = {
	name: 'keep-esm-external',
	setup(build) {
		for (const {from, to} of esmEntries) {
			build.onResolve({filter: from}, () => ({path: to, external: true}));
		}
	},
};

// Every dependency but zustand stays in node_modules. zustand/vanilla is a few hundred bytes,
// and resolving its package exports at run time costs the CommonJS entry more than carrying it.
const packageJson = JSON.parse(
	await fs.readFile(path.join(root, 'package.json'), 'utf8'),
);
common.external = Object.keys(packageJson.dependencies).filter(
	name => name !== 'zustand',
);

// Files are overwritten in place, never removed first: tests running beside a rebuild keep a
// dist/cli.js to spawn.
await fs.mkdir(dist, {recursive: true});
// dist/package.json makes dist/cli.js CommonJS. It also carries the name and version, because it is
// the package.json meow finds first when --help and --version look upwards from dist/cli.js.
const {name, version, description} = packageJson;
await fs.writeFile(
	path.join(dist, 'package.json'),
	`${JSON.stringify({name, version, description, type: 'commonjs'}, null, '\t')}\n`,
);

const exists = async file =>
	fs.access(path.join(root, file)).then(
		() => true,
		() => false,
	);

await Promise.all([
	esbuild.build({
		...common,
		entryPoints: ['source/cli.ts'],
		outfile: 'dist/cli.js',
		format: 'cjs',
		// meow wants import.meta.url to find package.json; in CommonJS the file's own URL stands in.
		define: {'import.meta.url': 'import_meta_url'},
		banner: {
			js: "const import_meta_url = require('node:url').pathToFileURL(__filename).href;",
		},
		plugins: [keepEsmExternal],
	}),
	...[
		['source/ui/interactive.tsx', 'dist/ui/interactive.mjs'],
		['source/sandbox/demo.ts', 'dist/sandbox/demo.mjs'],
		['source/sandbox/stand-in-browser.ts', 'dist/sandbox/stand-in-browser.mjs'],
	].map(async ([entry, outfile]) =>
		(await exists(entry))
			? esbuild.build({...common, entryPoints: [entry], outfile, format: 'esm'})
			: undefined,
	),
]);
await fs.chmod(path.join(dist, 'cli.js'), 0o755);
