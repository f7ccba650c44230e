import {PiAuthError} from './errors.js';
import {globalHelp, helpFor} from './help.js';
import {type Command, type Parsed, commands, flagSpec, kebab} from './flags.js';
import type {RunOptions} from './run.js';
import {importMeow} from './esm-import.js';

const knownFlags = new Set(Object.keys(flagSpec).map(name => kebab(name)));
const validFlags = [...knownFlags]
	.map(name => (name === 'browser' ? '--no-browser' : `--${name}`))
	.join(', ');

type Meow = Awaited<ReturnType<typeof importMeow>>['default'];

const parseWithMeow = (meow: Meow, argv: readonly string[]) =>
	meow('', {
		// Only `url` is read (to find package.json); the CommonJS bundle defines it (scripts/build.js).
		importMeta: {url: import.meta.url} as ImportMeta,
		argv: [...argv],
		flags: flagSpec,
		description: false,
		autoHelp: false,
		autoVersion: false,
		allowUnknownFlags: true,
	});

/** Unknown flags are a usage error that lists the valid ones (meow's own check does not). */
const findUnknownFlag = (argv: readonly string[]): string | undefined => {
	for (const arg of argv) {
		if (arg === '--') return undefined;
		if (!arg.startsWith('-') || arg === '-') continue;
		const name = arg.replace(/^--?/, '').split('=')[0] ?? '';
		if (arg.startsWith('--')) {
			const base = name.startsWith('no-') ? name.slice(3) : name;
			if (!knownFlags.has(name) && !knownFlags.has(base)) return arg;
		} else if (!/^[hv]+$/.test(name)) {
			return arg;
		}
	}

	return undefined;
};

/** Flags and command, or an exit code when there is nothing left to do (--help, --version). */
export const parseArgs = async (
	argv: readonly string[],
	io: Pick<RunOptions, 'stdout' | 'stderr' | 'stdin'>,
): Promise<Parsed | number> => {
	const unknown = findUnknownFlag(argv);
	if (unknown) {
		throw new PiAuthError(
			'usage',
			`Unknown flag ${unknown.split('=')[0] ?? unknown}. Valid flags: ${validFlags}.`,
		);
	}

	// meow is published as ES modules only (esm-import.ts).
	const {default: meow} = await importMeow();
	let cli;
	try {
		cli = parseWithMeow(meow, argv);
	} catch (error) {
		// meow refuses a flag given twice, naming it as a property (--maxAge): said as typed.
		const twice = /^The flag --(\w+) can only be set once/.exec(
			(error as Error).message,
		);
		if (!twice) throw error;
		throw new PiAuthError(
			'usage',
			`--${kebab(twice[1] ?? '')} is given more than once. Give it once.`,
		);
	}

	const version = cli.pkg.version ?? 'unknown';
	const [first, ...input] = cli.input;
	const isCommand = (name: string | undefined): name is Command =>
		commands.includes(name as Command);
	// `pi-auth help [command]` and `pi-auth <command> --help`, as gh has them.
	if (first === 'help' || cli.flags.help) {
		const topic = first === 'help' ? input[0] : first;
		if (topic !== undefined && !isCommand(topic)) {
			throw new PiAuthError(
				'usage',
				`No help for "${topic}": it is not a command. Commands: ${commands.join(', ')}.`,
			);
		}

		io.stdout.write(topic ? helpFor(topic) : globalHelp(version));
		return 0;
	}

	if (cli.flags.version) {
		io.stdout.write(`${version}\n`);
		return 0;
	}

	if (first !== undefined && !isCommand(first)) {
		throw new PiAuthError(
			'usage',
			`Unknown command "${first}". Valid commands: ${commands.join(', ')}, help.`,
		);
	}

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
		if (cli.flags[name] === '') {
			throw new PiAuthError('usage', `--${kebab(name)} needs a value.`);
		}
	}

	if (first === undefined && !(io.stdin as {isTTY?: boolean}).isTTY) {
		io.stderr.write(globalHelp(version));
		return 2;
	}

	return {
		...(first === undefined ? {} : {command: first as Command}),
		input,
		flags: cli.flags,
	};
};
