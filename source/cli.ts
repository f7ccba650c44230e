import fs from 'node:fs';
import {type RunOptions, run} from './run.js';

/*
A pipe, socket or file on fd 1 is written to directly. `token` and `status --json` write one short
answer and exit, and building process.stdout for a pipe loads net and Node's stream machinery:
3-7 ms, a tenth of Node's own start-up (npm run bench). A terminal (or /dev/null, also a character
device) keeps process.stdout, which the UI needs.
*/
const writeOut = (text: string) => {
	let rest = Buffer.from(text);
	while (rest.length > 0) {
		try {
			rest = rest.subarray(fs.writeSync(1, rest));
		} catch (error) {
			const {code} = error as NodeJS.ErrnoException;
			// The reader has gone (`| head`): dropped silently, as process.stdout did.
			if (code === 'EPIPE') return;
			// A full non-blocking pipe: Node's stream queues the rest instead.
			if (code !== 'EAGAIN') throw error;
			process.stdout.write(rest);
			return;
		}
	}
};

let stdout: RunOptions['stdout'] | undefined;
const openStdout = (): RunOptions['stdout'] => {
	let stat: fs.Stats;
	try {
		stat = fs.fstatSync(1);
	} catch {
		return process.stdout;
	}

	if (!stat.isFIFO() && !stat.isSocket() && !stat.isFile()) {
		return process.stdout;
	}

	// Scripted commands only ever call write() (commands/io.ts); isTTY keeps them scripted.
	return {
		isTTY: false,
		write(chunk: string) {
			writeOut(chunk);
			return true;
		},
	} as unknown as RunOptions['stdout'];
};

// Scripted output is small and Linux pipes are synchronous, so exiting at once loses nothing and
// never leaves the process waiting on a stray handle (stdin, a closed callback server's socket).
// No top-level await: this file is bundled as CommonJS for start-up time (scripts/build.js).
// The streams are getters: Node builds each on first use, and `token` never touches stdin.
void run({
	argv: process.argv.slice(2),
	env: process.env,
	get stdin() {
		return process.stdin;
	},
	get stdout() {
		stdout ??= openStdout();
		return stdout;
	},
	get stderr() {
		return process.stderr;
	},
	now: Date.now,
}).then(code => {
	process.exit(code);
});
