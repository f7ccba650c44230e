import type {CommandContext} from '../commands/io.js';
import type {AuthStore} from '../credentials/store.js';
import {isSsh, mayOpenBrowser, openBrowser} from '../engine/browser.js';
import {stateDirFor} from '../engine/state-dir.js';
import {
	type BrowserLogin,
	type DeviceLogin,
	startBrowserLogin,
	startDeviceLogin,
} from '../engine/login.js';
import type {Provider} from '../providers/types.js';

export type Clock = {
	now: () => number;
	/** Calls `tick` every `ms` until the returned function is called. */
	every: (ms: number, tick: () => void) => () => void;
};

/**
Everything the UI may do to the outside world, injected (docs/architecture.md "House style"): the UI itself never
touches fs, fetch, process or timers. Tests build one against real local servers.
*/
export type Services = {
	store: AuthStore;
	env: NodeJS.ProcessEnv;
	clock: Clock;
	/** Headless (SSH, CI, no display) or --no-browser: the browser is never opened. */
	canOpenBrowser: boolean;
	ssh: boolean;
	/** The terminal understands OSC 8 hyperlinks. */
	links: boolean;
	startBrowserLogin: (
		provider: Provider,
		signal: AbortSignal,
	) => Promise<BrowserLogin>;
	startDeviceLogin: (
		provider: Provider,
		options: {enterpriseDomain?: string},
		signal: AbortSignal,
	) => Promise<DeviceLogin>;
	/** Resolves with whether a browser was started (false: none, or the URL was refused). */
	openBrowser: (url: string) => Promise<boolean>;
	/** OSC 52: the terminal puts `text` on the clipboard (also across SSH). */
	copy: (text: string) => void;
	/**
	Calls `listener` on SIGINT until unsubscribed. Ctrl+C normally arrives as a key (raw mode);
	before raw mode is on, or from `kill -INT`, it is a signal, and must end the same way.
	*/
	onInterrupt: (listener: () => void) => () => void;
};

export const systemClock: Clock = {
	now: Date.now,
	every(ms, tick) {
		const timer = setInterval(tick, ms);
		return () => {
			clearInterval(timer);
		};
	},
};

export const createServices = (
	context: CommandContext,
	options: {browser: boolean; clock?: Clock},
): Services => {
	const clock = options.clock ?? systemClock;
	const deps = async (signal: AbortSignal) => ({
		config: context.config,
		fetch: await context.fetch(),
		now: clock.now,
		signal,
		stateDir: stateDirFor(context.store.getState().file),
	});
	return {
		store: context.store,
		env: context.env,
		clock,
		canOpenBrowser: mayOpenBrowser(context.env, options.browser),
		ssh: isSsh(context.env),
		links: context.env['TERM'] !== 'dumb',
		startBrowserLogin: async (provider, signal) =>
			startBrowserLogin(await deps(signal), provider),
		startDeviceLogin: async (provider, loginOptions, signal) =>
			startDeviceLogin(await deps(signal), provider, loginOptions),
		openBrowser: async url => openBrowser(url, context.env),
		onInterrupt(listener) {
			process.on('SIGINT', listener);
			return () => {
				process.off('SIGINT', listener);
			};
		},
		copy(text) {
			context.stdout.write(
				`\u001B]52;c;${Buffer.from(text).toString('base64')}\u0007`,
			);
		},
	};
};
