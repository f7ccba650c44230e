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

/** A running pi-auth: its output so far, a way to wait for a line, and its stdin kept open. */
export type LiveCli = {
	readonly stdout: string;
	readonly stderr: string;
	/** Resolves with the first match of `pattern` in the stream; rejects at the deadline or exit. */
	waitFor: (
		stream: 'stdout' | 'stderr',
		pattern: RegExp,
		timeoutMs?: number,
	) => Promise<RegExpMatchArray>;
	/** Writes to stdin (a paste, with its newline). */
	write: (text: string) => void;
	/** Closes stdin (EOF). */
	end: () => void;
	/** Settles when the process exits; kills it at `timeoutMs`. */
	result: Promise<CliResult>;
	kill: () => void;
	/** Sends a signal (SIGSTOP pauses the process, SIGCONT resumes it). */
	signal: (name: NodeJS.Signals) => void;
};

/**
Starts the built CLI through pipes and returns at once, so a test can read stderr as it streams
(the authorize URL, the device code) and write to stdin later, as a person pasting would.
*/
export const startCli = (
	args: readonly string[],
	options: {env: NodeJS.ProcessEnv; timeoutMs?: number},
): LiveCli => {
	const child = spawn(process.execPath, [cliPath, ...args], {
		env: options.env,
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	const output = {stdout: '', stderr: ''};
	let exited = false;
	const listeners = new Set<() => void>();
	const notify = () => {
		for (const listener of listeners) listener();
	};

	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		output.stdout += chunk;
		notify();
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		output.stderr += chunk;
		notify();
	});
	// A child that exits before reading stdin must not crash the test with EPIPE.
	child.stdin.on('error', () => undefined);
	const result = new Promise<CliResult>((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(
				new Error(`pi-auth ${args.join(' ')} timed out\n${output.stderr}`),
			);
		}, options.timeoutMs ?? 30_000);
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			exited = true;
			notify();
			resolve({code, ...output});
		});
	});
	result.catch(() => undefined);

	return {
		get stdout() {
			return output.stdout;
		},
		get stderr() {
			return output.stderr;
		},
		waitFor: async (stream, pattern, timeoutMs = 10_000) =>
			new Promise((resolve, reject) => {
				const check = () => {
					const match = pattern.exec(output[stream]);
					if (match) {
						done();
						resolve(match);
					} else if (exited) {
						done();
						reject(
							new Error(
								`pi-auth exited before ${String(pattern)} on ${stream}\n${output.stderr}`,
							),
						);
					}
				};

				const timer = setTimeout(() => {
					done();
					reject(
						new Error(
							`No ${String(pattern)} on ${stream} within ${timeoutMs} ms\n${output.stderr}`,
						),
					);
				}, timeoutMs);
				const done = () => {
					clearTimeout(timer);
					listeners.delete(check);
				};

				listeners.add(check);
				check();
			}),
		write(text) {
			child.stdin.write(text);
		},
		end() {
			child.stdin.end();
		},
		result,
		kill() {
			child.kill('SIGKILL');
		},
		signal(name) {
			child.kill(name);
		},
	};
};
