import {
	type Command,
	type Flags,
	type Parsed,
	commands,
	flagSpec,
	kebab,
} from './flags.js';

const options = Object.fromEntries(
	Object.entries(flagSpec)
		.filter(([name]) => name !== 'help' && name !== 'version')
		.map(([name, spec]) => [kebab(name), {type: spec.type}]),
) as Record<string, {type: 'string' | 'boolean'}>;

/** `--name`, `--name value` and `--name=value` for the known flags, else undefined (meow's turn). */
const tokenize = (
	argv: readonly string[],
):
	| {values: Record<string, string | boolean>; positionals: string[]}
	| undefined => {
	const values: Record<string, string | boolean> = {};
	const positionals: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const arg = argv[index]!;
		if (!arg.startsWith('-')) {
			positionals.push(arg);
			continue;
		}

		// Short flags, `-`, `--no-…` and `--` are meow's.
		if (!arg.startsWith('--') || arg.startsWith('--no-') || arg === '--')
			return undefined;
		const equals = arg.indexOf('=');
		const name = arg.slice(2, equals === -1 ? undefined : equals);
		const inline = equals === -1 ? undefined : arg.slice(equals + 1);
		const type = Object.hasOwn(options, name) ? options[name]?.type : undefined;
		// A flag given twice is meow's to refuse or accept.
		if (type === undefined || Object.hasOwn(values, name)) return undefined;
		if (type === 'boolean') {
			if (inline !== undefined) return undefined;
			values[name] = true;
			continue;
		}

		const value = inline ?? argv[++index];
		if (value === undefined || (inline === undefined && value.startsWith('-')))
			return undefined;
		values[name] = value;
	}

	return {values, positionals};
};

/**
Start-up time of `token` is a measured feature and meow alone costs about half of Node's own
start-up (node:util's parseArgs, a module Node loads for it, ~2 ms more). Plain invocations (a
known command, known flags, no help) are parsed here; anything else returns undefined and goes
through meow, which owns help and errors. test/args.test.ts checks that the two always agree.
*/
export const fastParse = (argv: readonly string[]): Parsed | undefined => {
	const parsed = tokenize(argv);
	if (!parsed) return undefined;
	const [command, ...input] = parsed.positionals;
	// No command at all is parsed too: bare `pi-auth` in a terminal is the wizard (run.ts decides).
	if (command !== undefined && !commands.includes(command as Command))
		return undefined;
	const value = (name: string) => {
		const raw = parsed.values[name];
		return typeof raw === 'string' && raw !== '' ? raw : undefined;
	};

	if (Object.values(parsed.values).some(raw => raw === '')) return undefined;
	const flags: Flags = {
		json: parsed.values['json'] === true,
		browser: true,
		help: false,
		version: false,
		force: parsed.values['force'] === true,
		all: parsed.values['all'] === true,
		check: parsed.values['check'] === true,
		usage: parsed.values['usage'] === true,
		line: parsed.values['line'] === true,
		notify: true,
	};
	for (const name of [
		'authFile',
		'config',
		'method',
		'minValidity',
		'enterprise',
		'maxAge',
		'format',
		'usageOver',
		'profile',
	] as const) {
		const text = value(kebab(name));
		if (text !== undefined) flags[name] = text;
	}

	return {
		...(command === undefined ? {} : {command: command as Command}),
		input,
		flags,
	};
};
