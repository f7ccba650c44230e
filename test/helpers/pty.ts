import xterm from '@xterm/headless';
import pty from '@lydell/node-pty';
import {afterEach} from 'vitest';
import {cliPath} from './cli.js';

const {Terminal} = xterm;

export type PtySession = {
	/** The screen as text: one line per row (soft-wrapped rows joined), trailing spaces trimmed. */
	screen: () => Promise<string>;
	/** Everything the program wrote, escape sequences included. */
	raw: () => string;
	write: (data: string) => void;
	/** Waits until the screen shows `text`, failing after `timeoutMs` with the screen in the error. */
	waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<string>;
	/** Resolves with the exit code; kills the program after `timeoutMs`. */
	exited: (timeoutMs?: number) => Promise<number>;
	kill: () => void;
	/** Sends a signal, as `kill -INT <pid>` would. */
	signal: (name: NodeJS.Signals) => void;
};

// Every session a test starts is killed after it, whatever the test's outcome.
const live = new Set<PtySession>();
afterEach(() => {
	for (const session of live) session.kill();
	live.clear();
});

/**
Runs the built CLI in a real pseudo-terminal, read through a headless xterm as a person would see
it. `CI` is removed from the child's environment: Ink prints only the last frame when it is set
(docs/testing.md), and CI runs these tests with CI=true.
*/
export const spawnPty = (
	args: readonly string[],
	options: {env: NodeJS.ProcessEnv; cols?: number; rows?: number},
): PtySession => {
	const cols = options.cols ?? 100;
	const rows = options.rows ?? 30;
	const env: NodeJS.ProcessEnv = {TERM: 'xterm-256color', ...options.env};
	delete env['CI'];
	delete env['CONTINUOUS_INTEGRATION'];
	const terminal = new Terminal({cols, rows, allowProposedApi: true});
	const child = pty.spawn(process.execPath, [cliPath, ...args], {
		name: 'xterm-256color',
		cols,
		rows,
		env: env as Record<string, string>,
	});
	let output = '';
	let exitCode: number | undefined;
	const waiters: Array<(code: number) => void> = [];
	child.onData(data => {
		output += data;
		terminal.write(data);
	});
	child.onExit(({exitCode: code}) => {
		exitCode = code;
		for (const wake of waiters.splice(0)) wake(code);
	});

	const screen = async () => {
		await new Promise<void>(resolve => {
			terminal.write('', resolve);
		});
		const buffer = terminal.buffer.active;
		const lines: string[] = [];
		for (let row = 0; row < buffer.length; row++) {
			const line = buffer.getLine(row);
			const text = line?.translateToString(true) ?? '';
			// A row the terminal soft-wrapped continues the one above, as a person's copy would.
			if (line?.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
			else lines.push(text);
		}

		return lines.join('\n').replace(/\n+$/, '');
	};

	const session: PtySession = {
		screen,
		raw: () => output,
		write(data) {
			child.write(data);
		},
		async waitFor(text, timeoutMs = 20_000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const shown = await screen();
				if (
					typeof text === 'string' ? shown.includes(text) : text.test(shown)
				) {
					return shown;
				}

				if (Date.now() > deadline || exitCode !== undefined) {
					throw new Error(
						`Timed out waiting for ${String(text)}${exitCode === undefined ? '' : ` (the program exited ${exitCode})`}. The screen was:\n${shown}`,
					);
				}

				await new Promise(resolve => {
					setTimeout(resolve, 25);
				});
			}
		},
		async exited(timeoutMs = 10_000) {
			if (exitCode !== undefined) return exitCode;
			return new Promise<number>((resolve, reject) => {
				const timer = setTimeout(() => {
					child.kill('SIGKILL');
					reject(new Error(`pi-auth ${args.join(' ')} did not exit`));
				}, timeoutMs);
				waiters.push(code => {
					clearTimeout(timer);
					resolve(code);
				});
			});
		},
		kill() {
			if (exitCode === undefined) child.kill('SIGKILL');
		},
		signal(name) {
			child.kill(name);
		},
	};
	live.add(session);
	return session;
};

/**
Writes `keys` until the screen shows `expected`. A key written the moment a screen appears can be
lost: Ink sets raw mode and subscribes a step's input handler in effects that run after the first
frame is on screen (before raw mode, the terminal's line discipline even turns Enter into a line
feed, which selects nothing). The wait between tries is long, so a key that did arrive is not sent
twice. Never for secrets: a repeat that arrives after the program left raw mode is echoed by the
terminal itself.
*/
export const pressUntil = async (
	session: PtySession,
	keys: string,
	expected: string | RegExp,
	{tries = 4, waitMs = 3000}: {tries?: number; waitMs?: number} = {},
): Promise<string> => {
	for (let attempt = 1; ; attempt++) {
		session.write(keys);
		try {
			return await session.waitFor(expected, waitMs);
		} catch (error) {
			if (attempt === tries || /exited/.test(String(error))) throw error;
		}
	}
};
