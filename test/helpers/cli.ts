import {spawn} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const cliPath = fileURLToPath(
	new URL('../../dist/cli.js', import.meta.url),
);
export const projectRoot = path.dirname(path.dirname(cliPath));

export type CliResult = {code: number | null; stdout: string; stderr: string};

/** A clean environment: nothing from the developer's own pi setup leaks into a test. */
export const cleanEnv = (
	home: string,
	extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv => ({
	PATH: process.env['PATH'],
	HOME: home,
	LANG: 'C.UTF-8',
	TZ: 'UTC',
	...extra,
});

/** Runs the built CLI through pipes, as a script would. Bounded by `timeoutMs`. */
export const runCli = async (
	args: readonly string[],
	options: {env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number},
): Promise<CliResult> =>
	new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, ...args], {
			env: options.env,
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk));
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`pi-auth ${args.join(' ')} timed out\n${stderr}`));
		}, options.timeoutMs ?? 20_000);
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
		if (options.input === undefined) child.stdin.end();
		else child.stdin.end(options.input);
	});
