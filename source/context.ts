import {type Config, loadConfig} from './config.js';
import type {CommandContext} from './commands/io.js';
import {resolveAuthFile, resolveConfigFile} from './credentials/paths.js';
import {createAuthStore} from './credentials/store.js';
import type {Flags} from './flags.js';
import {parseDuration} from './format.js';
import type {RunOptions} from './run.js';

/** The world every command and the UI work against: file, store, config, proxy-aware fetch, I/O. */
export const buildContext = async (
	options: RunOptions,
	flags: Flags,
): Promise<CommandContext> => {
	const file = resolveAuthFile({flag: flags.authFile, env: options.env});
	const config: Config = await loadConfig(
		resolveConfigFile({flag: flags.config, env: options.env}),
	);
	const waitMs = parseDuration(options.env['PI_AUTH_LOCK_WAIT'] ?? '');
	const store = createAuthStore({
		file,
		...(waitMs === undefined ? {} : {lock: {waitMs}}),
	});
	let fetchPromise: Promise<typeof fetch> | undefined;
	return {
		store,
		config,
		env: options.env,
		now: options.now,
		// Getters, not copies: creating process.stdin or a stream for a pipe costs start-up time,
		// and most commands never touch stdin.
		get stdin() {
			return options.stdin;
		},
		get stdout() {
			return options.stdout;
		},
		get stderr() {
			return options.stderr;
		},
		json: flags.json,
		fetch() {
			fetchPromise ??= import('./oauth/http.js').then(async http =>
				http.createFetch(options.env),
			);
			return fetchPromise;
		},
	};
};
