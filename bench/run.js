// npm run bench: start-up cost of the scripted commands as ratios to `node -e 0` measured in the
// same run (medians over RUNS runs each, interleaved so machine noise hits every row alike).
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, 'dist', 'cli.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pi-auth-bench-'));
const file = path.join(home, '.pi', 'agent', 'oauth.json');
fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
const far = Date.now() + 24 * 3_600_000;
fs.writeFileSync(
	file,
	JSON.stringify({
		anthropic: {
			type: 'oauth',
			access: 'sk-ant-oat01-bench',
			refresh: 'r',
			expires: far,
		},
		'openai-codex': {
			type: 'oauth',
			access: 'eyJ.bench',
			refresh: 'r',
			expires: far,
			accountId: 'a',
		},
		'github-copilot': {
			type: 'oauth',
			access: 'tid=bench',
			refresh: 'ghu_bench',
			expires: far,
		},
	}),
	{mode: 0o600},
);
const env = {PATH: process.env.PATH, HOME: home};

const rows = [
	{name: 'node -e 0 (baseline)', args: ['-e', '0']},
	{name: 'pi-auth token anthropic', args: [cli, 'token', 'anthropic']},
	{
		name: 'pi-auth status --json (3 providers)',
		args: [cli, 'status', '--json'],
	},
];

const timeOnce = args => {
	const start = process.hrtime.bigint();
	const result = spawnSync(process.execPath, args, {
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (result.status !== 0) {
		throw new Error(
			`${args.join(' ')} exited ${result.status}: ${result.stderr}`,
		);
	}

	return ms;
};

const median = values => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2
		? sorted[middle]
		: (sorted[middle - 1] + sorted[middle]) / 2;
};

for (const row of rows) timeOnce(row.args); // warm the file cache
const samples = rows.map(() => []);
for (let run = 0; run < RUNS; run++) {
	rows.forEach((row, index) => samples[index].push(timeOnce(row.args)));
}

const baseline = median(samples[0]);
console.log(
	`pi-auth start-up, median of ${RUNS} runs, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}`,
);
console.log('');
console.log('| command | median ms | × node -e 0 |');
console.log('|---|---:|---:|');
rows.forEach((row, index) => {
	const ms = median(samples[index]);
	console.log(
		`| ${row.name} | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(2)} |`,
	);
});
fs.rmSync(home, {recursive: true, force: true});
