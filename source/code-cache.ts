/*
The rules source/launcher.ts runs the bundles by, apart so that tests can check a build's caches
with them (test/code-cache.test.ts).
*/

/** Each bundle runs as this function, given what CommonJS gives a module and the launcher's two. */
export const wrapBundle = (source: string): string =>
	`(function (exports, require, module, __filename, __dirname, __pi_auth_import, __pi_auth_load) {${source}\n})`;

export const cacheFileName = (bundle: string, v8Version: string): string =>
	`${bundle}-${v8Version}.cache`;

/** A bundle of this build opens with its id (scripts/build.js). */
export const isBundleOf = (build: string, source: string): boolean =>
	source.startsWith(`//${build}\n`);

/** The V8 data in a cache file of this build, or undefined for another build's. */
export const cachedDataOf = (
	build: string,
	cache: Buffer,
): Buffer | undefined =>
	cache.toString('latin1', 0, build.length) === build
		? cache.subarray(build.length)
		: undefined;

/** A cache file: the build's id, then V8's data. */
export const cacheFileContents = (build: string, data: Buffer): Buffer =>
	Buffer.concat([Buffer.from(build, 'latin1'), data]);
