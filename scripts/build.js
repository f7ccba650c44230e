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

/*
Ink connects to React DevTools only when DEV=true, through its devtools.js, which imports the
optional react-devtools-core and, for it, the WebSocket library ws. Bundled, those imports would
run at start-up and fail, and ws alone is 66 KB for every first frame to parse. An empty module
stands in for devtools.js: DEV=true has nothing to connect to in a released CLI.
*/
const noDevtools = {
	name: 'no-devtools',
	setup(build) {
		build.onResolve({filter: /^\.\/devtools\.js$/}, args =>
			/[\\/]ink[\\/]build$/.test(args.resolveDir)
				? {path: 'devtools', namespace: 'no-devtools'}
				: undefined,
		);
		build.onLoad({filter: /.*/, namespace: 'no-devtools'}, () => ({
			contents: 'export {};',
			loader: 'js',
		}));
	},
};

/*
string-width and the grapheme segmenters of Ink's text libraries were the bulk of a first frame:
loading them builds an expression over every emoji sequence and ICU's break iterator, and they
split every line on every frame. In the UI bundle every import of string-width goes to
source/ui/text-width.ts, and the segmenters that @alcalzone/ansi-tokenize and slice-ansi create
when loaded are source/ui/graphemes.ts, which uses Intl.Segmenter only for text that needs it.
The build fails if a library no longer creates its segmenter the way this expects.
*/
const textWidth = path.join(root, 'source', 'ui', 'text-width.ts');
const graphemes = path.join(root, 'source', 'ui', 'graphemes.ts');
const segmenterOwners = [
	/@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/,
	/slice-ansi[\\/]tokenize-ansi\.js$/,
];
const fastText = {
	name: 'fast-text',
	setup(build) {
		build.onResolve({filter: /^string-width$/}, () => ({path: textWidth}));
		for (const owner of segmenterOwners) {
			build.onLoad({filter: owner}, async args => {
				const source = await fs.readFile(args.path, 'utf8');
				const created =
					/new Intl\.Segmenter\(undefined, ?\{ ?granularity: ?["']grapheme["'] ?\}\)/g;
				if (source.match(created)?.length !== 1) {
					throw new Error(
						`fast-text: ${args.path} no longer creates exactly one grapheme segmenter`,
					);
				}

				return {
					contents: `import {graphemes as __piAuthGraphemes} from ${JSON.stringify(graphemes)};\n${source.replace(created, '__piAuthGraphemes')}`,
					loader: 'js',
				};
			});
		}
	},
};

/*
yoga-layout (Ink's layout engine) carries its WebAssembly as a base64 data: URL and, where fetch
exists, loads it with fetch(): in Node that loads undici and decodes the URL byte by byte, ~15 ms
of a first frame. Given the bytes (its `wasmBinary`, `w`) it uses them as they are: its two tests
for fetch are made to decode the URL with Buffer and take that path, and the build fails if the
loader no longer has the shape this relies on.
*/
const yogaWithoutFetch = {
	name: 'yoga-without-fetch',
	setup(build) {
		build.onLoad({filter: /yoga-wasm-base64-esm\.js$/}, async args => {
			const source = await fs.readFile(args.path, 'utf8');
			const test = '"function"!=typeof fetch';
			if (source.split(test).length !== 3) {
				throw new Error(
					`yoga-without-fetch: ${args.path} no longer tests ${test} exactly twice`,
				);
			}

			// Node decodes base64 natively; the loader's own decoder is a loop in JavaScript.
			const binary = '(w=Buffer.from(H.slice(37),"base64"),!0)';
			return {contents: source.replaceAll(test, binary), loader: 'js'};
		});
	},
};

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
	/*
	The terminal UI carries its dependencies: Ink as installed is about 400 ES module files (its
	es-toolkit import alone) and React goes through the CommonJS-from-ESM path, ~600 ms before the
	wizard's first frame; one bundle in production mode loads in about a third of that (npm run
	bench). Left out: `open` finds its xdg-open script beside itself, undici and proper-lockfile load
	only when needed, and Ink's devtools only under DEV=true.
	*/
	esbuild.build({
		...common,
		entryPoints: ['source/ui/interactive.tsx'],
		outfile: 'dist/ui/interactive.mjs',
		format: 'esm',
		external: ['open', 'undici', 'proper-lockfile'],
		define: {'process.env.NODE_ENV': '"production"'},
		plugins: [noDevtools, fastText, yogaWithoutFetch],
		// Bundled CommonJS (React) calls require() for Node built-ins.
		banner: {
			js: "import {createRequire as __pi_auth_require} from 'node:module'; const require = __pi_auth_require(import.meta.url);",
		},
	}),
	...[
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
