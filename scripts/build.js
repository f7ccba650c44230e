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
	write: false,
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

// Every file is written to a temporary name and renamed into place, never removed first: tests and
// other processes running dist/cli.js beside a rebuild see the old file or the new one, whole.
const writeAtomically = async (file, contents, mode = 0o644) => {
	await fs.mkdir(path.dirname(file), {recursive: true});
	const temporary = `${file}.${process.pid}.tmp`;
	await fs.writeFile(temporary, contents, {mode});
	await fs.rename(temporary, file);
};

// dist/package.json makes dist/cli.js CommonJS. It also carries the name and version, because it is
// the package.json meow finds first when --help and --version look upwards from dist/cli.js.
const {name, version, description} = packageJson;
await writeAtomically(
	path.join(dist, 'package.json'),
	`${JSON.stringify({name, version, description, type: 'commonjs'}, null, '\t')}\n`,
);

const results = await Promise.all([
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
		esbuild.build({...common, entryPoints: [entry], outfile, format: 'esm'}),
	),
]);
await Promise.all(
	results
		.flatMap(result => result.outputFiles)
		.map(async file =>
			writeAtomically(
				file.path,
				file.contents,
				file.path.endsWith(`${path.sep}cli.js`) ? 0o755 : 0o644,
			),
		),
);
