#!/usr/bin/env node
/*
dist/cli.js, the command people run. It runs dist/main.js (source/cli.ts bundled as CommonJS) from
the V8 code cache `npm run build` wrote beside it, so that `pi-auth token` and `status --line`
start without compiling their code again: compiling main.js was ~11 ms of every start on Node 20,
a quarter of Node's own start-up (npm run bench).

A cache belongs to one build and one V8: the file is named after the V8 version and starts with
the build's id, the same id that opens main.js, so a rebuild running beside this process never
pairs one build's code with another's cache. Without a cache that fits (another Node, a damaged
file), main.js compiles as any script does: slower, never wrong, since V8 checks the cache too and
rejects one that does not fit the source and flags.

Code run by vm.Script cannot call import() on Node 20 without an experimental flag, so main.js gets
this file's import() as a parameter (esm-import.ts says which modules use it).
*/
import {readFileSync, renameSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Script} from 'node:vm';

/** The build's id: the start of a SHA-256 of main.js (scripts/build.js). */
declare const PI_AUTH_BUILD: string;

const main = join(__dirname, 'main.js');
const cacheFile = join(__dirname, `main-${process.versions.v8}.cache`);
const source = readFileSync(main, 'utf8');
const sameBuild = source.startsWith(`//${PI_AUTH_BUILD}\n`);

let cachedData: Buffer | undefined;
if (sameBuild) {
	try {
		const cache = readFileSync(cacheFile);
		if (cache.toString('latin1', 0, PI_AUTH_BUILD.length) === PI_AUTH_BUILD) {
			cachedData = cache.subarray(PI_AUTH_BUILD.length);
		}
	} catch {}
}

const script = new Script(
	`(function (exports, require, module, __filename, __dirname, __pi_auth_import) {${source}\n})`,
	{filename: main, ...(cachedData ? {cachedData} : {})},
);

/*
`npm run build` runs a few offline commands with PI_AUTH_WRITE_CODE_CACHE=1 (scripts/build.js):
each adds the functions it compiled to the cache, written whole under another name, then renamed.
*/
if (process.env['PI_AUTH_WRITE_CODE_CACHE'] === '1' && sameBuild) {
	process.on('exit', () => {
		const temporary = `${cacheFile}.${process.pid}.tmp`;
		writeFileSync(
			temporary,
			Buffer.concat([
				Buffer.from(PI_AUTH_BUILD, 'latin1'),
				script.createCachedData(),
			]),
		);
		renameSync(temporary, cacheFile);
	});
}

const module_ = {exports: {}};
(script.runInThisContext() as (...parameters: unknown[]) => void)(
	module_.exports,
	// This file's own require: it resolves from the same folder as main.js would.
	require,
	module_,
	main,
	__dirname,
	async (specifier: string): Promise<unknown> => import(specifier),
);
