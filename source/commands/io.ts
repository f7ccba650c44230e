import type {Config} from '../config.js';
import type {AuthStore} from '../credentials/store.js';

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
	fetch: () => Promise<typeof fetch>;
	json: boolean;
};

export const writeLine = (stream: NodeJS.WritableStream, line = '') => {
	stream.write(`${line}\n`);
};

export const writeJson = (stream: NodeJS.WritableStream, value: unknown) => {
	stream.write(`${JSON.stringify(value)}\n`);
};
