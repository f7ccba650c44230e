import {parseArgs} from 'node:util';
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

/**
Start-up time of `token` is a measured feature and meow alone costs about half of Node's own
start-up. Plain invocations (a known command, known flags, no help) are parsed here with
node:util; anything else returns undefined and goes through meow, which owns help and errors.
*/
export const fastParse = (argv: readonly string[]): Parsed | undefined => {
	if (argv.some(arg => arg.startsWith('--no-') || arg === '--'))
		return undefined;
	let parsed;
	try {
		parsed = parseArgs({
			args: [...argv],
			options,
			allowPositionals: true,
			strict: true,
		});
	} catch {
		return undefined;
	}

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
