import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {Script} from 'node:vm';
import {afterEach, describe, expect, it} from 'vitest';
import {cacheFileName, cachedDataOf, wrapBundle} from '../source/code-cache.js';

const run = promisify(execFile);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const buildOf = (source: string) => source.slice(2, source.indexOf('\n'));

const temporaries: string[] = [];
afterEach(() => {
	for (const dir of temporaries.splice(0)) {
		fs.rmSync(dir, {recursive: true, force: true});
	}
});

/** A copy of dist/ in a temporary folder, beside a link to node_modules for the packages it loads. */
const copyOfDist = () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pi-auth-code-cache-'));
	temporaries.push(dir);
	fs.cpSync(dist, path.join(dir, 'dist'), {recursive: true});
	fs.symlinkSync(
		path.join(root, 'node_modules'),
		path.join(dir, 'node_modules'),
	);
	return path.join(dir, 'dist');
};

const env = () => ({
	PATH: process.env['PATH'],
	HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'pi-auth-code-cache-home-')),
});

/** The CLI's usage error for `token a b`: exit 2, and its message. */
const tokenUsage = async (cli: string) => {
	const home = env();
	temporaries.push(home.HOME);
	try {
		await run(process.execPath, [cli, 'token', 'a', 'b'], {env: home});
	} catch (error) {
		const {code, stderr} = error as {code: number; stderr: string};
		return {code, stderr};
	}

	throw new Error('token a b exited 0');
};

describe('the code caches npm run build writes', () => {
	it('fit both bundles for this Node: V8 takes them', () => {
		for (const bundle of ['main', 'ui']) {
			const file = path.join(dist, `${bundle}.js`);
			const source = fs.readFileSync(file, 'latin1');
			const cache = fs.readFileSync(
				path.join(dist, cacheFileName(bundle, process.versions.v8)),
			);
			const cachedData = cachedDataOf(buildOf(source), cache);
			expect(cachedData, bundle).toBeDefined();
			const script = new Script(wrapBundle(source), {
				filename: file,
				...(cachedData ? {cachedData} : {}),
			});
			expect(script.cachedDataRejected, bundle).toBe(false);
		}
	});

	it('are never paired with another build’s bundle, even one of the same length', async () => {
		const copy = copyOfDist();
		const main = path.join(copy, 'main.js');
		const source = fs.readFileSync(main, 'latin1');
		const build = buildOf(source);
		const other = build.replaceAll(/./g, c => (c === 'f' ? 'e' : 'f'));
		// Another build, as a rebuild beside a running CLI leaves it: new bundle and launcher, the
		// old cache. V8 alone would take the old cache, which has the old message in it.
		expect(source.split('token takes one provider.')).toHaveLength(2);
		fs.writeFileSync(
			main,
			`//${other}\n${source.slice(build.length + 3).replace('token takes one provider.', 'TOKEN takes one provider.')}`,
			'latin1',
		);
		const launcher = path.join(copy, 'cli.js');
		fs.writeFileSync(
			launcher,
			fs.readFileSync(launcher, 'latin1').replaceAll(build, other),
			'latin1',
		);
		expect(await tokenUsage(launcher)).toEqual({
			code: 2,
			stderr: 'TOKEN takes one provider.\n',
		});
	});

	it('are not needed: without them the bundles compile as any script does', async () => {
		const copy = copyOfDist();
		for (const file of fs.readdirSync(copy)) {
			if (file.endsWith('.cache')) fs.rmSync(path.join(copy, file));
		}

		expect(await tokenUsage(path.join(copy, 'cli.js'))).toEqual({
			code: 2,
			stderr: 'token takes one provider.\n',
		});
	});
});
