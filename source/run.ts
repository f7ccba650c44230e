import type {CommandContext} from './commands/io.js';
import {statusCommand} from './commands/status.js';
import {tokenCommand} from './commands/token.js';
import {buildContext} from './context.js';
import {PiAuthError, exitCodeFor, isPiAuthError} from './errors.js';
import {importUi} from './esm-import.js';
import {fastParse} from './fast-args.js';
import {type Parsed, flagCommands, flagSpec, kebab} from './flags.js';
import {parseDuration} from './format.js';
import {printable} from './printable.js';
import {checkProfileName} from './profiles/names.js';
import {providerIds} from './providers/registry.js';
import {resolveMethod, resolveProvider} from './providers/resolve.js';

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

const positional = (parsed: Parsed) => parsed.input;

/**
A flag that belongs to another command would do nothing: said, with the command it belongs to
(flags.ts). Bare `pi-auth` is the wizard, so it takes login's flags.
*/
const checkFlagScope = (parsed: Parsed) => {
	const command = parsed.command ?? 'login';
	for (const [name, owners] of Object.entries(flagCommands)) {
		const key = name as keyof typeof flagSpec;
		const value = parsed.flags[key];
		const given =
			value !== undefined &&
			value !== ('default' in flagSpec[key] ? flagSpec[key].default : false);
		if (given && !owners.includes(command)) {
			throw usage(
				`--${value === false ? 'no-' : ''}${kebab(name)} does not apply to ${command}; it is a flag of ${owners.join(', ')}. See: pi-auth help ${command}`,
			);
		}
	}

	if (command === 'logout' && parsed.flags.all && parsed.input.length > 0) {
		throw usage(
			'logout takes provider names or --all, not both. Run: pi-auth logout --all',
		);
	}
};

const durationFlag = (name: string, text: string | undefined) => {
	if (text === undefined) return undefined;
	const ms = parseDuration(text);
	if (ms === undefined) {
		throw usage(
			`--${name} "${text}" is not a duration. Use e.g. 30s, 10m, 1h.`,
		);
	}

	return ms;
};

/** `status` flags (docs/contract.md): --usage-over N is a percentage and implies --check. */
const statusOptions = (flags: Parsed['flags']) => {
	let usageOverPercent: number | undefined;
	if (flags.usageOver !== undefined) {
		const text = flags.usageOver.trim().replace(/%$/, '');
		usageOverPercent = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
		if (!Number.isFinite(usageOverPercent)) {
			throw usage(
				`--usage-over "${flags.usageOver}" is not a percentage. Use e.g. --usage-over 80.`,
			);
		}
	}

	const maxAgeMs = durationFlag('max-age', flags.maxAge);
	return {
		check: flags.check || usageOverPercent !== undefined,
		usage: flags.usage,
		line: flags.line,
		...(maxAgeMs === undefined ? {} : {maxAgeMs}),
		...(flags.format === undefined ? {} : {format: flags.format}),
		...(usageOverPercent === undefined ? {} : {usageOverPercent}),
	};
};

/** Scripted commands: everything a script can do without a terminal. */
const runScripted = async (
	parsed: Parsed,
	context: CommandContext,
): Promise<number> => {
	const {flags} = parsed;
	switch (parsed.command) {
		case 'status': {
			return statusCommand(context, {
				...statusOptions(flags),
				targets: positional(parsed),
			});
		}

		case 'token': {
			const [id, ...extra] = positional(parsed);
			if (extra.length > 0) throw usage('token takes one provider.');
			// Known ids and any other id stored in the file (checked once the file is read).
			if (id === undefined) resolveProvider(id);
			let minValidityMs: number | undefined;
			if (flags.minValidity !== undefined) {
				minValidityMs = parseDuration(flags.minValidity);
				if (minValidityMs === undefined) {
					throw usage(
						`--min-validity "${flags.minValidity}" is not a duration. Use e.g. 30s, 10m, 1h.`,
					);
				}
			}

			return tokenCommand(context, {target: id ?? '', minValidityMs});
		}

		case 'refresh': {
			const {refreshCommand} = await import('./commands/refresh.js');
			return refreshCommand(context, {
				targets: positional(parsed),
				force: flags.force,
			});
		}

		case 'logout': {
			const ids = positional(parsed);
			if (ids.length === 0 && !flags.all) {
				throw usage(
					`Name the providers to sign out of, or --all. Valid providers: ${listOf(providerIds)}.`,
				);
			}

			const {logoutCommand} = await import('./commands/logout.js');
			return logoutCommand(context, {ids, all: flags.all});
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
			const {loginCommand} = await import('./commands/login.js');
			return loginCommand(context, {
				provider,
				method,
				...(flags.profile ? {profile: checkProfileName(flags.profile)} : {}),
				openBrowser: flags.browser,
				...(flags.enterprise ? {enterprise: flags.enterprise} : {}),
			});
		}

		case 'use': {
			const [target, ...extra] = positional(parsed);
			if (target === undefined || extra.length > 0) {
				throw usage(
					'use takes one <provider>:<profile>, e.g. pi-auth use anthropic:work. See them with: pi-auth profiles',
				);
			}

			const {useCommand} = await import('./commands/use.js');
			return useCommand(context, {target});
		}

		case 'profiles': {
			const [provider, ...extra] = positional(parsed);
			if (extra.length > 0) throw usage('profiles takes at most one provider.');
			const {profilesCommand} = await import('./commands/profiles.js');
			return profilesCommand(context, provider === undefined ? {} : {provider});
		}

		case undefined: {
			// docs/contract.md: bare `pi-auth` without a terminal (or with --json) prints the help.
			const {parseArgs} = await import('./args.js');
			await parseArgs(['--help'], {...context, stdout: context.stderr});
			return 2;
		}
	}
};

/**
docs/contract.md: a terminal gets the wizard (no command, or login) or the live panel (status);
--json, status --check, and anything without a TTY on both ends stay scripted.
*/
const isInteractive = (parsed: Parsed, options: RunOptions): boolean => {
	const {command, flags} = parsed;
	const wantsUi =
		command === undefined ||
		command === 'login' ||
		(command === 'status' &&
			!flags.check &&
			!flags.line &&
			flags.usageOver === undefined);
	return (
		wantsUi &&
		!flags.json &&
		Boolean(options.stdout.isTTY) &&
		Boolean(options.stdin.isTTY)
	);
};

export const run = async (options: RunOptions): Promise<number> => {
	try {
		const fast = fastParse(options.argv);
		// Without a command and without a terminal, meow prints the help (docs/contract.md). In a
		// terminal, bare `pi-auth` is the wizard, and skipping meow (an ES module graph of its own)
		// takes ~35 ms of CPU off its first frame, as `pi-auth login` already did (npm run bench).
		const parsed =
			fast && (fast.command !== undefined || options.stdin.isTTY)
				? fast
				: await (await import('./args.js')).parseArgs(options.argv, options);
		if (typeof parsed === 'number') return parsed;
		checkFlagScope(parsed);
		const context = await buildContext(options, parsed.flags);
		if (isInteractive(parsed, options)) {
			/*
			Raw mode now, not when Ink starts a few hundred ms later: in the terminal's cooked mode a
			key pressed meanwhile is echoed over the first frame, and Enter arrives as a line feed,
			which selects nothing. In raw mode the keys wait, unchanged, for Ink to read them.
			*/
			const tty = options.stdin as NodeJS.ReadStream;
			tty.setRawMode?.(true);
			try {
				// The UI (React, Ink) loads only here: scripted commands never pay for it.
				const {runInteractive} = await importUi();
				return await runInteractive(parsed, context);
			} finally {
				tty.setRawMode?.(false);
			}
		}

		return await runScripted(parsed, context);
	} catch (error) {
		// A message may quote what a provider or the credential file said (printable.ts).
		options.stderr.write(
			`${printable(isPiAuthError(error) ? error.message : `Unexpected error: ${String((error as Error)?.message ?? error)}`)}\n`,
		);
		return exitCodeFor(error);
	}
};
