#!/usr/bin/env node
import process from 'node:process';
import {run} from './run.js';

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
		return process.stdout;
	},
	get stderr() {
		return process.stderr;
	},
	now: Date.now,
}).then(code => {
	process.exit(code);
});
