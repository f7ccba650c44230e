import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process';
import {afterEach} from 'vitest';
import {cliPath} from '../../helpers/cli.js';

export type Exit = {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	/** Wall time from spawn to exit. */
	ms: number;
};

export type Child = {
	readonly pid: number;
	readonly stdout: string;
	readonly stderr: string;
	readonly exited: boolean;
	/** How it ended, once it has: its exit code, or the signal that killed it. */
	readonly exit:
		{code: number | null; signal: NodeJS.Signals | null} | undefined;
	/** Settles when the process exits; it is killed (and this rejects) at `timeoutMs`. */
	result: Promise<Exit>;
	/** Resolves with the first match of `pattern` in the stream; rejects at the deadline or exit. */
	waitFor: (
		stream: 'stdout' | 'stderr',
		pattern: RegExp,
		timeoutMs?: number,
	) => Promise<RegExpMatchArray>;
	write: (text: string) => void;
	end: () => void;
	/** kill -9, and wait for the exit to be seen. */
	kill: () => Promise<void>;
};

const alive = new Set<ChildProcessWithoutNullStreams>();

// Every process a stress test starts dies with the test, whatever the test's outcome.
afterEach(() => {
	for (const child of alive) child.kill('SIGKILL');
	alive.clear();
});

/** Starts `node <args>` with pipes. Output is collected; stdin stays open until end(). */
export const spawnNode = (
	args: readonly string[],
	options: {env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number},
): Child => {
	const started = Date.now();
	const child = spawn(process.execPath, args, {
		env: options.env,
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	alive.add(child);
	const output = {stdout: '', stderr: ''};
	let exited = false;
	let exit: Child['exit'];
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
	// A child killed or exiting before it reads stdin must not crash the test with EPIPE.
	child.stdin.on('error', () => undefined);
	const result = new Promise<Exit>((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(
				new Error(
					`node ${args.join(' ')} timed out after ${options.timeoutMs ?? 60_000} ms\n${output.stderr}`,
				),
			);
		}, options.timeoutMs ?? 60_000);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			alive.delete(child);
			exited = true;
			exit = {code, signal};
			notify();
			resolve({code, signal, ...output, ms: Date.now() - started});
		});
	});
	result.catch(() => undefined);
	if (options.input !== undefined) child.stdin.end(options.input);

	return {
		pid: child.pid ?? -1,
		get stdout() {
			return output.stdout;
		},
		get stderr() {
			return output.stderr;
		},
		get exited() {
			return exited;
		},
		get exit() {
			return exit;
		},
		result,
		waitFor: async (stream, pattern, timeoutMs = 15_000) =>
			new Promise((resolve, reject) => {
				const done = () => {
					clearTimeout(timer);
					listeners.delete(check);
				};

				const check = () => {
					const match = pattern.exec(output[stream]);
					if (match) {
						done();
						resolve(match);
					} else if (exited) {
						done();
						reject(
							new Error(
								`exited before ${String(pattern)} on ${stream}\n${output.stderr}`,
							),
						);
					}
				};

				const timer = setTimeout(() => {
					done();
					reject(
						new Error(
							`no ${String(pattern)} on ${stream} within ${timeoutMs} ms\n${output.stderr}`,
						),
					);
				}, timeoutMs);
				listeners.add(check);
				check();
			}),
		write(text) {
			child.stdin.write(text);
		},
		end() {
			child.stdin.end();
		},
		async kill() {
			if (exited) return;
			child.kill('SIGKILL');
			await result.catch(() => undefined);
		},
	};
};

/** The built CLI through pipes, as a script runs it. stdin is closed at once unless `keepStdin`. */
export const spawnCli = (
	args: readonly string[],
	options: {
		env: NodeJS.ProcessEnv;
		input?: string;
		keepStdin?: boolean;
		timeoutMs?: number;
	},
): Child => {
	const child = spawnNode([cliPath, ...args], {
		env: options.env,
		...(options.input === undefined ? {} : {input: options.input}),
		...(options.timeoutMs === undefined ? {} : {timeoutMs: options.timeoutMs}),
	});
	if (options.input === undefined && !options.keepStdin) child.end();
	return child;
};

export const runCli = async (
	args: readonly string[],
	options: {env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number},
): Promise<Exit> => spawnCli(args, options).result;

/** Bounded polling for a condition that no event announces (a file on disk, a counter). */
export const waitUntil = async (
	what: string,
	condition: () => boolean | Promise<boolean>,
	timeoutMs = 10_000,
): Promise<void> => {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
	}
};

const median = (values: readonly number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** "min / median / max ms" of a set of durations. */
export const spread = (values: readonly number[]): string =>
	values.length === 0
		? 'n/a'
		: `${Math.min(...values)} / ${median(values)} / ${Math.max(...values)} ms (min / median / max)`;

/** Prints a suite's figures as one block, so a reviewer reads them in the run's output. */
export const report = (
	title: string,
	figures: Record<string, unknown> | string[],
): void => {
	const lines = Array.isArray(figures)
		? figures
		: Object.entries(figures).map(
				([key, value]) =>
					`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
			);
	console.log(
		`\n[stress] ${title}\n${lines.map(line => `  ${line}`).join('\n')}`,
	);
};

/** Runs `tasks` with at most `limit` at a time (so a 2-core machine is not swamped). */
export const pool = async <T>(
	tasks: ReadonlyArray<() => Promise<T>>,
	limit: number,
): Promise<T[]> => {
	const results: T[] = [];
	let next = 0;
	const worker = async () => {
		while (next < tasks.length) {
			const index = next++;
			results[index] = await tasks[index]!();
		}
	};

	await Promise.all(
		Array.from({length: Math.min(limit, tasks.length)}, worker),
	);
	return results;
};
