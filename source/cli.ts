#!/usr/bin/env node
import process from 'node:process';
import {run} from './run.js';

// Scripted output is small and Linux pipes are synchronous, so exiting at once loses nothing and
// never leaves the process waiting on a stray handle (stdin, a closed callback server's socket).
const code = await run({
	argv: process.argv.slice(2),
	env: process.env,
	stdin: process.stdin,
	stdout: process.stdout,
	stderr: process.stderr,
	now: Date.now,
});
process.exit(code);
