/*
The measured processes: spawned through pipes (scripted commands) or in a pseudo-terminal (the
wizard, the panel), each timed from just before spawn to the moment that counts, and each tracked
so that killAll() at the end (or on a failure, a signal or the watchdog) leaves nothing running.
*/
import {spawn} from 'node:child_process';
import {performance} from 'node:perf_hooks';
import xterm from '@xterm/headless';
import pty from '@lydell/node-pty';

const {Terminal} = xterm;

/** Every measured process still running, by how to kill it. */
const running = new Set<() => void>();

export const killAll = () => {
	for (const kill of running) kill();
	running.clear();
};

export type PipedResult = {
	ms: number;
	code: number | null;
	stdout: string;
	stderr: string;
};

/** Runs `node ...args` through pipes; `ms` is spawn to exit. */
export const runPiped = async (
	args: readonly string[],
	env: NodeJS.ProcessEnv,
	timeoutMs = 15_000,
	node = process.execPath,
): Promise<PipedResult> =>
	new Promise((resolve, reject) => {
		const start = performance.now();
		const child = spawn(node, args, {
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let ms = 0;
		let stdout = '';
		let stderr = '';
		const kill = () => child.kill('SIGKILL');
		running.add(kill);
		const timer = setTimeout(() => {
			kill();
			reject(new Error(`node ${args.join(' ')} took over ${timeoutMs} ms`));
		}, timeoutMs);
		child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk));
		child.on('error', reject);
		child.on('exit', () => {
			ms = performance.now() - start;
		});
		child.on('close', code => {
			clearTimeout(timer);
			running.delete(kill);
			resolve({ms, code, stdout, stderr});
		});
	});

export type PtyChild = {
	pid: number;
	/** Resolves with the ms from spawn to the output that first put `text` on the screen. */
	firstShown: Promise<number>;
	/** Writes the pty delivered so far (onData events) and frames Ink began (synchronized updates). */
	counts: () => {writes: number; frames: number};
	screen: () => string;
	/** SIGKILL, then wait until it is gone. */
	stop: () => Promise<void>;
};

// Ink wraps every frame in a synchronized update (DEC mode 2026) when stdout is a terminal.
const FRAME_START = '\u001B[?2026h';

/**
Spawns `node ...args` in a pseudo-terminal read through a headless xterm. Each chunk is stamped
when it arrives and the screen checked once xterm has parsed it, so the time is that of the chunk
that drew `text` (not of a polling tick). `CI` is never passed: Ink would print only the last frame.
*/
export const spawnInPty = (
	args: readonly string[],
	env: NodeJS.ProcessEnv,
	text: string,
	timeoutMs = 15_000,
	node = process.execPath,
): PtyChild => {
	const cols = 100;
	const rows = 30;
	const terminal = new Terminal({cols, rows, allowProposedApi: true});
	const childEnv: NodeJS.ProcessEnv = {...env, TERM: 'xterm-256color'};
	delete childEnv['CI'];
	delete childEnv['CONTINUOUS_INTEGRATION'];
	const start = performance.now();
	const child = pty.spawn(node, [...args], {
		name: 'xterm-256color',
		cols,
		rows,
		env: childEnv as Record<string, string>,
	});
	let writes = 0;
	let frames = 0;
	let exited = false;
	let onExit: () => void = () => undefined;
	const gone = new Promise<void>(resolve => {
		onExit = resolve;
	});
	const screen = () => {
		const buffer = terminal.buffer.active;
		const lines: string[] = [];
		for (let row = 0; row < buffer.length; row++) {
			lines.push(buffer.getLine(row)?.translateToString(true) ?? '');
		}

		return lines.join('\n');
	};

	const kill = () => {
		if (!exited) child.kill('SIGKILL');
	};

	running.add(kill);
	const firstShown = new Promise<number>((resolve, reject) => {
		let found = false;
		const timer = setTimeout(() => {
			reject(
				new Error(
					`node ${args.join(' ')} did not show "${text}" within ${timeoutMs} ms. The screen was:\n${screen()}`,
				),
			);
		}, timeoutMs);
		child.onData(data => {
			const at = performance.now() - start;
			writes++;
			frames += data.split(FRAME_START).length - 1;
			terminal.write(data, () => {
				if (!found && screen().includes(text)) {
					found = true;
					clearTimeout(timer);
					resolve(at);
				}
			});
		});
		child.onExit(({exitCode}) => {
			exited = true;
			running.delete(kill);
			onExit();
			if (!found) {
				clearTimeout(timer);
				reject(
					new Error(
						`node ${args.join(' ')} exited ${exitCode} before showing "${text}". The screen was:\n${screen()}`,
					),
				);
			}
		});
	});
	// The caller may stop before anyone awaits: a rejection then is not an unhandled one.
	firstShown.catch(() => undefined);
	return {
		pid: child.pid,
		firstShown,
		counts: () => ({writes, frames}),
		screen,
		async stop() {
			kill();
			await Promise.race([
				gone,
				new Promise(resolve => {
					setTimeout(resolve, 5000);
				}),
			]);
			terminal.dispose();
		},
	};
};
