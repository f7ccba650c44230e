import type {Config} from '../config.js';
import type {AuthStore} from '../credentials/store.js';
import type {Fetch} from '../oauth/http-client.js';
import {printable} from '../printable.js';

/** What every command gets: the world, injected, so tests can run commands in-process. */
export type CommandContext = {
	store: AuthStore;
	config: Config;
	env: NodeJS.ProcessEnv;
	now: () => number;
	stdin: NodeJS.ReadableStream;
	stdout: NodeJS.WritableStream & {isTTY?: boolean};
	stderr: NodeJS.WritableStream;
	/** Proxy-aware fetch, created on first use (undici loads only when a proxy is set). */
	fetch: () => Promise<Fetch>;
	json: boolean;
	/** PI_AUTH_LOCK_WAIT: how long to wait for any busy lock (the credential file's, the usage cache's). */
	lockWaitMs?: number;
};

/**
A line for a person or a script. Lines embed accounts, codes and messages from providers and the
credential file: controls are removed once more here, where everything scripted is printed
(printable.ts).
*/
export const writeLine = (stream: NodeJS.WritableStream, line = '') => {
	stream.write(`${printable(line)}\n`);
};

/**
One JSON object on a line. JSON.stringify escapes C0 controls but leaves DEL and C1 (U+009B is a
CSI) as they are, so every string is made printable first. Tokens are never written through here.
*/
export const writeJson = (stream: NodeJS.WritableStream, value: unknown) => {
	stream.write(
		`${JSON.stringify(value, (_key, field: unknown) =>
			typeof field === 'string' ? printable(field) : field,
		)}\n`,
	);
};

/**
`token`'s output: the token or key exactly as stored and a newline (docs/contract.md). It is opaque
and meant for a pipe, so it is the one thing printed untouched.
*/
export const writeSecret = (stream: NodeJS.WritableStream, secret: string) => {
	stream.write(`${secret}\n`);
};
