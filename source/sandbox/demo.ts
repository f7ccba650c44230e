/*
`npm run demo`: the wizard and the live panel against the offline sandbox. Fakes of all nine
providers run on 127.0.0.1 (sandbox.ts); a temporary config file points every provider
endpoint at them and a temporary credential file takes the sign-ins; then the real CLI runs in
this terminal: first the wizard, then the live status panel of what was signed in. Everything is
removed on the way out. No account and no network are needed.
*/
import {spawn} from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {isHeadless} from '../engine/browser.js';
import {wrapText} from '../format.js';
import {startSandbox} from './sandbox.js';

const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
const standIn = fileURLToPath(new URL('stand-in-browser.mjs', import.meta.url));

const runCli = async (args: string[], env: NodeJS.ProcessEnv) =>
	new Promise<number>(resolve => {
		const child = spawn(process.execPath, [cli, ...args], {
			stdio: 'inherit',
			env,
		});
		child.on('exit', (code, signal) => {
			resolve(code ?? (signal ? 130 : 1));
		});
	});

if (!process.stdin.isTTY || !process.stdout.isTTY) {
	process.stderr.write(
		'npm run demo walks the sign-in wizard in a terminal; run it in one (not through a pipe).\n',
	);
	process.exit(2);
}

const headless = isHeadless(process.env);
// Shorter than the real 5 s so the demo does not drag; still polled by the real RFC 8628 loop.
const device = {
	deviceInterval: 2,
	...(headless ? {autoApproveDeviceMs: 6000} : {}),
};
const sandbox = await startSandbox({
	codex: {...device, deviceInterval: '2'},
	github: device,
	xai: device,
	kimi: device,
	meta: device,
	radius: device,
});
const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'pi-auth-demo-'));
const configFile = path.join(directory, 'pi-auth.json');
const authFile = path.join(directory, 'auth.json');
await fs.writeFile(configFile, `${JSON.stringify(sandbox.config, null, 2)}\n`);
const env: NodeJS.ProcessEnv = {
	...process.env,
	...(headless ? {PI_AUTH_BROWSER: `${process.execPath} ${standIn}`} : {}),
};
const files = ['--config', configFile, '--auth-file', authFile];

// Ctrl+C belongs to the CLI (it runs in raw mode); the demo only cleans up after it.
process.on('SIGINT', () => undefined);
/** Paragraphs, each wrapped to the terminal's width (at most 100 columns, for reading). */
const say = (...paragraphs: string[]) => {
	const width = Math.min(process.stdout.columns || 80, 100) - 1;
	process.stdout.write(
		`${paragraphs.map(text => wrapText(text, width).join('\n')).join('\n')}\n`,
	);
};

say(
	'',
	'pi-auth demo: an offline sandbox. Fakes of all nine providers (Anthropic, OpenAI Codex, GitHub Copilot, Sign in with ChatGPT, xAI, Kimi Code, OpenRouter, Meta, Radius) run on 127.0.0.1; nothing leaves this machine, and no account is needed.',
	`Sign-ins are saved to ${authFile} (removed when the demo ends).`,
	headless
		? 'No browser here: a stand-in browser presses Approve on sign-in pages for you, and device codes are approved by the sandbox 6 s after they are shown.'
		: 'Sign-in pages open in your browser: press Approve there. Device pages take the code shown.',
	'',
);
let code = 1;
try {
	code = await runCli(['login', ...files], env);
	const signedIn = await fs
		.readFile(authFile, 'utf8')
		.then(text => Object.keys(JSON.parse(text) as object).length > 0)
		.catch(() => false);
	if (code === 0 && signedIn) {
		say(
			'',
			'Next, the live status panel: expiry, background refresh and usage. Press q to quit.',
			'',
		);
		code = await runCli(['status', ...files], env);
	}
} finally {
	await sandbox.close();
	await fs.rm(directory, {recursive: true, force: true});
}

say(
	'',
	'The demo has ended; the sandbox is stopped and its files are removed.',
);
process.exit(code);
