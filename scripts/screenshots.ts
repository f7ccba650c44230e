/*
npm run screenshots: renders what a person sees in a terminal to SVG files for the readme. It runs
the built CLI in a pseudo-terminal against the offline sandbox (as the tests do), reads the screen
through a headless xterm, and draws each cell's text with its colour. Writes media/*.svg.
*/
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import xterm from '@xterm/headless';
import pty from '@lydell/node-pty';
import {startSandbox} from '../source/sandbox/sandbox.js';

const {Terminal} = xterm;
const root = path.resolve(
	path.dirname(new URL(import.meta.url).pathname),
	'..',
);
const cli = path.join(root, 'dist', 'cli.js');
const COLS = 100;
const CELL_W = 8.4;
const CELL_H = 19;
// The 16 ANSI colours, a dark theme (One Dark-like), index = palette number.
const PALETTE = [
	'#282c34',
	'#e06c75',
	'#98c379',
	'#e5c07b',
	'#61afef',
	'#c678dd',
	'#56b6c2',
	'#dcdfe4',
	'#5c6370',
	'#e06c75',
	'#98c379',
	'#e5c07b',
	'#61afef',
	'#c678dd',
	'#56b6c2',
	'#ffffff',
];
const FOREGROUND = '#dcdfe4';
const BACKGROUND = '#1e2127';

const escape = (text: string) =>
	text.replace(
		/[&<>]/g,
		character =>
			({'&': '&amp;', '<': '&lt;', '>': '&gt;'})[character] ?? character,
	);

type Screen = InstanceType<typeof Terminal>;

const toSvg = (terminal: Screen, maxRows: number): string => {
	const buffer = terminal.buffer.active;
	const lines: string[] = [];
	let rows = maxRows;
	// Blank rows below the last text are not part of the picture.
	while (
		rows > 0 &&
		(buffer.getLine(buffer.viewportY + rows - 1)?.translateToString(true) ??
			'') === ''
	) {
		rows--;
	}

	for (let row = 0; row < rows; row++) {
		const line = buffer.getLine(buffer.viewportY + row);
		if (!line) continue;
		const spans: string[] = [];
		let run = '';
		let style = '';
		const flush = () => {
			if (run.trim() !== '' || run.length > 0)
				spans.push(`<tspan ${style}>${escape(run)}</tspan>`);
			run = '';
		};

		for (let column = 0; column < COLS; column++) {
			const cell = line.getCell(column);
			if (!cell || cell.getWidth() === 0) continue;
			const colour = cell.isFgPalette()
				? (PALETTE[cell.getFgColor()] ?? FOREGROUND)
				: FOREGROUND;
			const next = `fill="${cell.isInverse() ? BACKGROUND : colour}"${cell.isBold() ? ' font-weight="bold"' : ''}`;
			if (next !== style) {
				flush();
				style = next;
			}

			run += cell.getChars() || ' ';
		}

		flush();
		lines.push(
			`<text x="12" y="${(row + 1) * CELL_H + 8}" xml:space="preserve">${spans.join('')}</text>`,
		);
	}

	const width = Math.ceil(COLS * CELL_W + 24);
	const height = rows * CELL_H + 24;
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
		`<rect width="100%" height="100%" rx="8" fill="${BACKGROUND}"/>`,
		`<g font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="14">`,
		...lines,
		'</g></svg>',
		'',
	].join('\n');
};

const session = (args: string[], env: NodeJS.ProcessEnv, rows: number) => {
	const terminal = new Terminal({cols: COLS, rows, allowProposedApi: true});
	const child = pty.spawn(process.execPath, [cli, ...args], {
		cols: COLS,
		rows,
		env: env as Record<string, string>,
	});
	child.onData(data => terminal.write(data));
	const text = async () => {
		await new Promise<void>(resolve => {
			terminal.write('', resolve);
		});
		const buffer = terminal.buffer.active;
		return Array.from(
			{length: buffer.length},
			(_, row) => buffer.getLine(row)?.translateToString(true) ?? '',
		).join('\n');
	};

	return {
		terminal,
		child,
		async waitFor(pattern: RegExp) {
			for (let attempt = 0; attempt < 200; attempt++) {
				const shown = await text();
				const match = pattern.exec(shown);
				if (match) return match;
				await sleep(50);
			}

			throw new Error(
				`screenshots: ${String(pattern)} never showed:\n${await text()}`,
			);
		},
	};
};

const sandbox = await startSandbox({codex: {deviceInterval: '1'}});
const home = await fs.mkdtemp(path.join(os.tmpdir(), 'pi-auth-shots-'));
const file = path.join(home, 'auth.json');
const config = path.join(home, 'pi-auth.json');
await fs.writeFile(config, JSON.stringify(sandbox.config));
const env: NodeJS.ProcessEnv = {
	PATH: process.env['PATH'],
	HOME: home,
	TERM: 'xterm-256color',
	LANG: 'C.UTF-8',
	// What the demo shows: a browser that opens (here one that does nothing), not the no-browser
	// variant of each step.
	PI_AUTH_BROWSER: 'true',
};
const files = ['--config', config, '--auth-file', file];
await fs.mkdir(path.join(root, 'media'), {recursive: true});
const save = async (name: string, terminal: Screen, rows: number) => {
	await new Promise<void>(resolve => {
		terminal.write('', resolve);
	});
	await fs.writeFile(path.join(root, 'media', name), toSvg(terminal, rows));
	console.log(`media/${name}`);
};

try {
	// The provider step, with one provider already signed in.
	const grant = sandbox.anthropic.issueGrant();
	await fs.writeFile(
		file,
		JSON.stringify({
			anthropic: {
				type: 'oauth',
				access: grant.access,
				refresh: grant.refresh,
				expires: Date.now() + 7.9 * 3_600_000,
				account: 'claude-user@example.com',
			},
		}),
	);
	const wizard = session(['login', ...files], env, 16);
	await wizard.waitFor(/Which subscription/);
	await save('wizard-provider.svg', wizard.terminal, 14);
	// The device step for Codex.
	wizard.child.write('\u001B[B\r');
	await wizard.waitFor(/How do you want to sign in to OpenAI/);
	wizard.child.write('\u001B[B\r');
	const code = await wizard.waitFor(/│\s+((?:[A-Z0-9-] ){3,}[A-Z0-9-])\s+│/);
	await sleep(300);
	await save('wizard-device.svg', wizard.terminal, 16);
	await sandbox.codex.approveDevice(code[1]!.replaceAll(' ', ''));
	await wizard.waitFor(/Signed in to OpenAI Codex/);
	await save('wizard-success.svg', wizard.terminal, 12);
	wizard.child.write('q');
	await sleep(300);

	// The live panel with three providers and their usage.
	const github = sandbox.github.issueGithubToken();
	const saved = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
		string,
		unknown
	>;
	saved['github-copilot'] = {
		type: 'oauth',
		access: 'tid=shot',
		refresh: github,
		expires: Date.now() + 24 * 60_000,
		account: 'octo-fake',
	};
	await fs.writeFile(file, JSON.stringify(saved));
	const panel = session(['status', ...files], env, 34);
	await panel.waitFor(/premium/);
	await panel.waitFor(/7d-sonnet/);
	await sleep(300);
	await save('panel.svg', panel.terminal, 30);
	panel.child.write('q');
	await sleep(300);
} finally {
	await sandbox.close();
	await fs.rm(home, {recursive: true, force: true});
}
