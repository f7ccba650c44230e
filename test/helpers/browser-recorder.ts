import fs from 'node:fs/promises';
import path from 'node:path';
import {makeTempDir} from './temp-dir.js';

/** One start of the recording browser: its arguments and its whole environment. */
export type BrowserCall = {args: string[]; env: Record<string, string>};

export type Recorder = {
	/** A command line for PI_AUTH_BROWSER or BROWSER. */
	command: string;
	calls: () => Promise<BrowserCall[]>;
};

/** A browser command that records how it was started, one JSON object a line. */
export const makeRecorder = async (): Promise<Recorder> => {
	const directory = await makeTempDir();
	const script = path.join(directory, 'record.mjs');
	const log = path.join(directory, 'calls.jsonl');
	await fs.writeFile(
		script,
		[
			"import fs from 'node:fs';",
			'const call = {args: process.argv.slice(3), env: process.env};',
			"fs.appendFileSync(process.argv[2], JSON.stringify(call) + '\\n');",
		].join('\n'),
	);
	return {
		command: `${process.execPath} ${script} ${log}`,
		async calls() {
			const text = await fs.readFile(log, 'utf8').catch(() => '');
			return text
				.split('\n')
				.filter(Boolean)
				.map(line => JSON.parse(line) as BrowserCall);
		},
	};
};

/** Bounded polling for the recorder's file (nothing announces a detached child's exit). */
export const waitForCalls = async (
	recorder: Recorder,
	count: number,
): Promise<BrowserCall[]> => {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const calls = await recorder.calls();
		if (calls.length >= count) return calls;
		if (Date.now() > deadline) throw new Error('the browser command never ran');
		await new Promise(resolve => {
			setTimeout(resolve, 20);
		});
	}
};
