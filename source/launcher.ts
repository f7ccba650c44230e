#!/usr/bin/env node
/*
dist/cli.js, the command people run. It runs the two CommonJS bundles, dist/main.js (source/cli.ts:
every command) and dist/ui.js (the terminal UI, loaded by main.js only in a terminal), from the V8
code caches `npm run build` wrote beside them, so they start without compiling their code again:
compiling was ~11 ms of every `pi-auth token` on Node 20, a quarter of Node's own start-up, and
most of the UI's first frame after that (npm run bench).

A cache belongs to one build and one V8: the file is named after the bundle and the V8 version and
starts with the build's id, the same id that opens each bundle, so a rebuild running beside this
process never pairs one build's code with another's cache. Without a cache that fits (another
Node, a damaged file), a bundle compiles as any script does: slower, never wrong, since V8 checks
the cache too and rejects one that does not fit the source and flags.

Code run by vm.Script cannot call import() on Node 20 without an experimental flag: the bundles get
this file's import() and its loader as parameters (source/esm-import.ts says which modules use
them).
*/
import {readFileSync, renameSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Script} from 'node:vm';
import {
	cacheFileContents,
	cacheFileName,
	cachedDataOf,
	isBundleOf,
	wrapBundle,
} from './code-cache.js';

/** The build's id: the start of a SHA-256 of the bundles (scripts/build.js). */
declare const PI_AUTH_BUILD: string;

/*
`npm run build` runs a few offline commands with PI_AUTH_WRITE_CODE_CACHE=1 (scripts/build.js):
each adds the functions it compiled to the caches, written whole under another name, then renamed.
*/
const writeCaches = process.env['PI_AUTH_WRITE_CODE_CACHE'] === '1';

const importModule = async (specifier: string): Promise<unknown> =>
	import(specifier);

const loaded = new Map<string, unknown>();

/** Runs dist/<name>.js once, from its cache when one fits, and returns its exports. */
const load = (name: 'main' | 'ui'): unknown => {
	if (loaded.has(name)) return loaded.get(name);
	const file = join(__dirname, `${name}.js`);
	const cacheFile = join(__dirname, cacheFileName(name, process.versions.v8));
	// esbuild writes ASCII only (non-ASCII text is escaped), which latin1 reads without decoding.
	const source = readFileSync(file, 'latin1');
	const sameBuild = isBundleOf(PI_AUTH_BUILD, source);
	let cachedData: Buffer | undefined;
	if (sameBuild) {
		try {
			cachedData = cachedDataOf(PI_AUTH_BUILD, readFileSync(cacheFile));
		} catch {}
	}

	const script = new Script(wrapBundle(source), {
		filename: file,
		...(cachedData ? {cachedData} : {}),
	});
	if (writeCaches && sameBuild) {
		process.on('exit', () => {
			const temporary = `${cacheFile}.${process.pid}.tmp`;
			writeFileSync(
				temporary,
				cacheFileContents(PI_AUTH_BUILD, script.createCachedData()),
			);
			renameSync(temporary, cacheFile);
		});
	}

	const module_ = {exports: {}};
	(script.runInThisContext() as (...parameters: unknown[]) => void)(
		module_.exports,
		// This file's own require: it resolves from the same folder as the bundles would.
		require,
		module_,
		file,
		__dirname,
		importModule,
		load,
	);
	loaded.set(name, module_.exports);
	return module_.exports;
};

load('main');
