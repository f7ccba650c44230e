import fs from 'node:fs/promises';
import path from 'node:path';
import {makeTempDir} from './temp-dir.js';

export type Recorder = {command: string; calls: () => Promise<string[][]>};

/** A browser command that records its arguments, one JSON array a line. */
export const makeRecorder = async (): Promise<Recorder> => {
	const directory = await makeTempDir();
	const script = path.join(directory, 'record.mjs');
	const log = path.join(directory, 'calls.jsonl');
	await fs.writeFile(
		script,
		"import fs from 'node:fs';\nfs.appendFileSync(process.argv[2], JSON.stringify(process.argv.slice(3)) + '\\n');\n",
	);
	return {
		command: `${process.execPath} ${script} ${log}`,
		async calls() {
			const text = await fs.readFile(log, 'utf8').catch(() => '');
			return text
				.split('\n')
				.filter(Boolean)
				.map(line => JSON.parse(line) as string[]);
		},
	};
};

/** Bounded polling for the recorder's file (nothing announces a detached child's exit). */
export const waitForCalls = async (recorder: Recorder, count: number) => {
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
