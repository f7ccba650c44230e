import {openableUrl} from '../oauth/openable-url.js';
import {browserEnv} from './browser-env.js';

export const isSsh = (env: NodeJS.ProcessEnv): boolean =>
	Boolean(env['SSH_CONNECTION'] ?? env['SSH_CLIENT'] ?? env['SSH_TTY']);

/**
Headless: an SSH session, CI, or Linux without a display. There the browser is never opened and
the URL is the way in (logins that hang over SSH are the commonest complaint about other tools).
*/
export const isHeadless = (
	env: NodeJS.ProcessEnv,
	platform: NodeJS.Platform = process.platform,
): boolean =>
	isSsh(env) ||
	(env['CI'] !== undefined && env['CI'] !== '0' && env['CI'] !== 'false') ||
	(platform === 'linux' && !env['DISPLAY'] && !env['WAYLAND_DISPLAY']);

/**
Whether pi-auth may open a browser: never with --no-browser; always when PI_AUTH_BROWSER names
the command to use (the user said how, e.g. a text browser over SSH); otherwise only when not
headless.
*/
export const mayOpenBrowser = (
	env: NodeJS.ProcessEnv,
	allowed: boolean,
): boolean => allowed && (Boolean(env['PI_AUTH_BROWSER']) || !isHeadless(env));

/*
Runs `open` (the package: xdg-open, macOS open, PowerShell on Windows and WSL) in a small node
process of its own, started with the browser's environment: `open` passes its own process's
environment to the browser it starts and takes no other.
*/
const OPEN_IN_CHILD =
	"const {default: open} = await import(process.argv[1]); const child = await open(process.argv[2], {wait: false}); child.on('error', () => {}); child.unref();";

/**
Opens the URL with PI_AUTH_BROWSER (a command, given the URL as its last argument) or else the
`open` package. Failures are silent: the URL is always printed too. Only an https:// URL (http://
to a loopback host) is ever handed over (openable-url.ts), as its normalised href, which starts
with the scheme and so can never be taken for an option. No `--` is put before it: xdg-open, text
browsers and many wrapper scripts refuse or misread one, and PI_AUTH_BROWSER may be any of them.
The browser gets a minimal environment (browser-env.ts), never pi-auth's API keys or tokens.
*/
export const openBrowser = async (
	url: string,
	env: NodeJS.ProcessEnv = {},
): Promise<boolean> => {
	const page = openableUrl(url);
	if (page === undefined) return false;
	try {
		const {spawn} = await import('node:child_process');
		const command = env['PI_AUTH_BROWSER']?.trim();
		let program: string;
		let args: string[];
		if (command) {
			[program = '', ...args] = command.split(/\s+/);
			args.push(page);
		} else {
			const {createRequire} = await import('node:module');
			const {pathToFileURL} = await import('node:url');
			const openModule = createRequire(import.meta.url).resolve('open');
			program = process.execPath;
			args = [
				'--input-type=module',
				'-e',
				OPEN_IN_CHILD,
				pathToFileURL(openModule).href,
				page,
			];
		}

		const child = spawn(program, args, {
			detached: true,
			stdio: 'ignore',
			env: browserEnv(env),
		});
		child.on('error', () => undefined);
		child.unref();
		return true;
	} catch {
		return false;
	}
};
