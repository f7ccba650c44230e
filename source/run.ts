import {type Config, loadConfig} from './config.js';
import type {CommandContext} from './commands/io.js';
import {loginCommand} from './commands/login.js';
import {logoutCommand} from './commands/logout.js';
import {refreshCommand} from './commands/refresh.js';
import {statusCommand} from './commands/status.js';
import {tokenCommand} from './commands/token.js';
import {resolveAuthFile, resolveConfigFile} from './credentials/paths.js';
import {createAuthStore} from './credentials/store.js';
import {PiAuthError, exitCodeFor, isPiAuthError} from './errors.js';
import {fastParse} from './fast-args.js';
import type {Flags, Parsed} from './flags.js';
import {parseDuration} from './format.js';
import {findProvider, providerIds} from './providers/registry.js';
import {type Method, type Provider, allMethods} from './providers/types.js';

export type RunOptions = {
	argv: readonly string[];
	env: NodeJS.ProcessEnv;
	stdin: NodeJS.ReadableStream & {isTTY?: boolean};
	stdout: NodeJS.WritableStream & {isTTY?: boolean};
	stderr: NodeJS.WritableStream;
	now: () => number;
};

const usage = (message: string) => new PiAuthError('usage', message);

const listOf = (values: readonly string[]) => values.join(', ');

export const resolveProvider = (id: string | undefined): Provider => {
	const provider = id === undefined ? undefined : findProvider(id);
	if (!provider) {
		throw usage(
			`${id === undefined ? 'No provider given' : `Unknown provider "${id}"`}. Valid providers: ${listOf(providerIds)}.`,
		);
	}

	return provider;
};

export const resolveMethod = (
	provider: Provider,
	method: string | undefined,
): Method => {
	if (method === undefined) {
		if (provider.methods.length === 1 && provider.methods[0]) {
			return provider.methods[0];
		}

		throw usage(
			`Choose how to sign in to ${provider.id} with --method (${listOf(provider.methods)}).`,
		);
	}

	if (!allMethods.includes(method as Method)) {
		throw usage(
			`Unknown method "${method}". Valid methods: ${listOf(allMethods)}.`,
		);
	}

	if (!provider.methods.includes(method as Method)) {
		throw usage(
			`${provider.id} does not support --method ${method}. Valid methods for ${provider.id}: ${listOf(provider.methods)}.`,
		);
	}

	return method as Method;
};

const positional = (parsed: Parsed) => parsed.input;

/** Scripted commands: everything a script can do without a terminal. */
const runScripted = async (
	parsed: Parsed,
	context: CommandContext,
): Promise<number> => {
	const {flags} = parsed;
	switch (parsed.command) {
		case 'status': {
			return statusCommand(context, {check: flags.check, usage: flags.usage});
		}

		case 'token': {
			const [id, ...extra] = positional(parsed);
			if (extra.length > 0) throw usage('token takes one provider.');
			const provider = resolveProvider(id);
			let minValidityMs: number | undefined;
			if (flags.minValidity !== undefined) {
				minValidityMs = parseDuration(flags.minValidity);
				if (minValidityMs === undefined) {
					throw usage(
						`--min-validity "${flags.minValidity}" is not a duration. Use e.g. 30s, 10m, 1h.`,
					);
				}
			}

			return tokenCommand(context, {provider, minValidityMs});
		}

		case 'refresh': {
			const selected = positional(parsed).map(id => resolveProvider(id));
			return refreshCommand(context, {providers: selected, force: flags.force});
		}

		case 'logout': {
			const selected = positional(parsed).map(id => resolveProvider(id));
			if (selected.length === 0 && !flags.all) {
				throw usage(
					`Name the providers to sign out of, or --all. Valid providers: ${listOf(providerIds)}.`,
				);
			}

			return logoutCommand(context, {providers: selected, all: flags.all});
		}

		case 'login': {
			const [id, ...extra] = positional(parsed);
			if (extra.length > 0) throw usage('login takes one provider.');
			if (id === undefined) {
				throw usage(
					`Without a terminal, login needs a provider and a method: pi-auth login <provider> --method <method>. Valid providers: ${listOf(providerIds)}.`,
				);
			}

			const provider = resolveProvider(id);
			const method = resolveMethod(provider, flags.method);
			return loginCommand(context, {
				provider,
				method,
				openBrowser: flags.browser,
				...(flags.enterprise ? {enterprise: flags.enterprise} : {}),
			});
		}

		case undefined:
			throw usage('No command given. Run pi-auth --help for the commands.');
	}
};

const buildContext = async (
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

export const run = async (options: RunOptions): Promise<number> => {
	try {
		const parsed =
			fastParse(options.argv) ??
			(await (await import('./args.js')).parseArgs(options.argv, options));
		if (typeof parsed === 'number') return parsed;
		const context = await buildContext(options, parsed.flags);
		return await runScripted(parsed, context);
	} catch (error) {
		options.stderr.write(
			`${isPiAuthError(error) ? error.message : `Unexpected error: ${String((error as Error)?.message ?? error)}`}\n`,
		);
		return exitCodeFor(error);
	}
};
