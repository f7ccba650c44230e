/*
The help: `pi-auth --help` / `pi-auth help` (everything at a glance) and `pi-auth help <command>` /
`pi-auth <command> --help` (one command: what it does, its flags, examples, exit codes), as gh's
help is organised. Every line stays within 80 columns. Plain data and string building only: it is
loaded on the help path alone.
*/
import type {Command} from './flags.js';
import {providers} from './providers/registry.js';

type CommandHelp = {
	usage: string[];
	summary: string;
	description: string[];
	flags: Array<[string, string]>;
	examples: string[];
	exitCodes: string[];
};

const GLOBAL_FLAGS: Array<[string, string]> = [
	['--auth-file PATH', 'the credential file (default: pi’s auth.json)'],
	['--config PATH', 'a config file of endpoints and ports'],
	['--json', 'machine-readable output on stdout'],
	['--no-browser', 'never open a browser (automatic over SSH, in CI)'],
	['-h, --help', 'this help; pi-auth help <command> for one command'],
	['-v, --version', 'the version'],
];

const ENVIRONMENT: Array<[string, string]> = [
	['PI_CODING_AGENT_DIR', 'pi’s agent folder (default ~/.pi/agent)'],
	['PI_AUTH_FILE', 'the credential file, as --auth-file'],
	['PI_AUTH_CONFIG', 'the config file, as --config'],
	['PI_AUTH_BROWSER', 'the browser command (gets the URL last)'],
	['PI_AUTH_LOCK_WAIT', 'how long to wait for a busy lock (20s)'],
	['PI_AUTH_LOGIN_TIMEOUT', 'scripted login deadline (10m)'],
	['HTTPS_PROXY, NO_PROXY', 'proxies, as curl reads them'],
	['NO_COLOR', 'no colour'],
];

const EXIT_CODES = [
	'0    success',
	'1    failure: the message says what happened and what to do next',
	'2    usage error (unknown command, provider, method or flag)',
	'3    status --check --usage-over N: a usage window is at N % or more',
	'130  the wizard or the panel was interrupted (Ctrl+C)',
];

export const commandHelp: Record<Command, CommandHelp> = {
	login: {
		usage: [
			'pi-auth login [provider] [--method M] [--profile NAME]',
			'              [--enterprise HOST]',
		],
		summary: 'sign in (the wizard in a terminal, scripted otherwise)',
		description: [
			'In a terminal, the wizard asks for what the flags do not give. Without',
			'one (or with --json) it is scripted: a setup token or API key is the',
			'first line of standard input, never an argument; browser sign-in prints',
			'"Open this URL to sign in: <url>" on stderr and takes the callback or a',
			'pasted code from stdin; device sign-in prints "Enter code <CODE> at',
			'<url>" and waits. It gives up after 10 minutes.',
		],
		flags: [
			['--method M', 'oauth | device | setup-token | api-key'],
			['--enterprise HOST', 'GitHub Enterprise host (github-copilot)'],
			['--profile NAME', 'sign in as this profile (another account);'],
			['', 'a new name is kept beside the active one'],
		],
		examples: [
			'pi-auth login',
			'pi-auth login anthropic --method setup-token < token.txt',
			'pi-auth login openai-codex --method device',
			'pi-auth login anthropic --method oauth --profile work',
			"echo '!op read op://Private/xai/key' | pi-auth login xai --method api-key",
		],
		exitCodes: [
			'0 signed in · 1 failed or gave up · 2 usage error · 130 interrupted',
		],
	},
	status: {
		usage: [
			'pi-auth status [target…] [--json] [--usage]',
			'pi-auth status [target…] --check [--usage-over N]',
			'pi-auth status --line [--max-age 60s] [--format T]',
		],
		summary: 'the live panel in a terminal, one snapshot otherwise',
		description: [
			'Every entry of the credential file (also ids pi-auth cannot sign in to),',
			'every profile and the environment credentials, with their state and',
			'expiry; targets narrow it (--check without targets checks what pi uses).',
			'Tokens never appear in the output. --usage fetches subscription usage;',
			'--check sets the exit code by the states, without the network. --line prints',
			'one line for a prompt or status bar from the usage cache that the panel',
			'and --usage keep; --max-age fetches what is older first (shared by all',
			'processes: a bar redrawn every second still asks once per max-age).',
		],
		flags: [
			['--usage', 'also fetch usage (5h/7d windows, quotas)'],
			['--check', 'exit 0 all valid, 1 expired/needs login/none,'],
			['', '2 expiring within 5 minutes'],
			[
				'--usage-over N',
				'with --check: exit 3 when a window is at N % or more',
			],
			['--line', 'one line from the usage cache (no panel)'],
			['--max-age D', 'fetch usage older than D first (e.g. 60s, 5m)'],
			['--format T', 'per window: {provider} {label} {used} {left}'],
			['', '{resets} {state}'],
			['--no-notify', 'panel: no bell or desktop notification'],
		],
		examples: [
			'pi-auth status',
			"pi-auth status --json --usage | jq '.providers[] | {id, state}'",
			'pi-auth status --check || pi-auth refresh',
			'pi-auth status --line --max-age 60s',
			"pi-auth status --line --format '{provider} {label} {left} left'",
			'pi-auth status --check --usage-over 90 || echo "slow down"',
		],
		exitCodes: [
			'0 the file could be read (whatever the states) · 1 it could not',
			'--check: 0 all valid · 1 expired, needs login or none · 2 expiring',
			'--usage-over N: 3 a window at N % or more (1 and 2 win over 3)',
		],
	},
	token: {
		usage: ['pi-auth token <target> [--min-validity 10m]'],
		summary: 'print a provider’s access token or API key',
		description: [
			'Prints the access token (or the API key, resolved as pi resolves it:',
			'!command output, $NAME templates) and a newline, nothing else. When',
			'less than --min-validity is left it refreshes first, under the lock,',
			'so any number of processes make one refresh. Any id stored in the file',
			'can be named.',
		],
		flags: [['--min-validity D', 'refresh first below D left (default 5m)']],
		examples: [
			'curl -H "Authorization: Bearer $(pi-auth token anthropic)" …',
			'pi-auth token github-copilot --min-validity 20m',
			'pi-auth token anthropic:work',
		],
		exitCodes: ['0 printed · 1 not signed in, or the refresh failed'],
	},
	refresh: {
		usage: ['pi-auth refresh [target…] [--force]'],
		summary: 'refresh OAuth tokens now',
		description: [
			'Refreshes the named providers (all OAuth entries when none is named)',
			'when they are due, or always with --force. One attempt each; the live',
			'panel is what retries with backoff.',
		],
		flags: [['--force', 'refresh even when the token is still valid']],
		examples: ['pi-auth refresh', 'pi-auth refresh openai-codex --force'],
		exitCodes: ['0 all refreshed or still valid · 1 any failed'],
	},
	logout: {
		usage: ['pi-auth logout <target…>', 'pi-auth logout --all'],
		summary: 'remove stored credentials',
		description: [
			'Removes the entries from the credential file. It needs no network and',
			'works with dead tokens. Any id stored in the file can be named; --all',
			'removes every entry and profile. An environment credential stays',
			'until its variable is unset.',
		],
		flags: [['--all', 'every stored entry and profile']],
		examples: [
			'pi-auth logout anthropic',
			'pi-auth logout anthropic:work',
			'pi-auth logout --all',
		],
		exitCodes: ['0 done (also when nothing was stored) · 1 the file failed'],
	},
	use: {
		usage: ['pi-auth use <provider>:<profile>'],
		summary: 'make a profile the account pi uses',
		description: [
			'Swaps the provider’s entry in the credential file for the profile’s,',
			'under pi’s lock and the profile store’s; the entry that was active',
			'goes back to its own profile exactly as it is on disk.',
		],
		flags: [],
		examples: ['pi-auth use anthropic:work', 'pi-auth use anthropic:default'],
		exitCodes: [
			'0 switched (or already active) · 1 failed · 2 no such profile',
		],
	},
	profiles: {
		usage: ['pi-auth profiles [provider] [--json]'],
		summary: 'every account of every provider, the active ones marked',
		description: [
			'A profile is a named account of one provider (<provider>:<name>); the',
			'first sign-in is `default`. The active one is the entry in the',
			'credential file, the one pi uses; the others wait in pi-auth’s profile',
			'store beside it.',
		],
		flags: [],
		examples: ['pi-auth profiles', 'pi-auth profiles anthropic --json'],
		exitCodes: ['0 listed · 1 the file or the profile store could not be read'],
	},
};

const table = (rows: Array<[string, string]>, indent = 2) => {
	const width = Math.max(...rows.map(([left]) => left.length));
	return rows.map(([left, right]) =>
		`${' '.repeat(indent)}${left.padEnd(width)}   ${right}`.trimEnd(),
	);
};

const section = (title: string, lines: string[]) => ['', title, ...lines];

/** id, name and methods in three aligned columns (80 wide with the longest of each). */
const providerRows = () => {
	const idWidth = Math.max(...providers.map(provider => provider.id.length));
	const nameWidth = Math.max(
		...providers.map(provider => provider.name.length),
	);
	return providers.map(provider =>
		`  ${provider.id.padEnd(idWidth)}  ${provider.name.padEnd(nameWidth)}  ${provider.methods.join(', ')}`.trimEnd(),
	);
};

export const globalHelp = (version: string): string =>
	[
		`pi-auth ${version}: sign in to AI subscriptions from a terminal, for pi and`,
		'the tools that share its credential file (~/.pi/agent/auth.json).',
		...section(
			'Usage',
			table([
				['pi-auth', 'the wizard (in a terminal)'],
				...(Object.keys(commandHelp) as Command[]).map(
					(name): [string, string] => [
						`pi-auth ${name}`,
						commandHelp[name].summary,
					],
				),
			]),
		),
		...section('Providers and their methods', providerRows()),
		...section('Global flags', table(GLOBAL_FLAGS)),
		...section('Environment', table(ENVIRONMENT)),
		...section(
			'Exit codes',
			EXIT_CODES.map(line => `  ${line}`),
		),
		'',
		'A <target> is a provider id (its active account) or <provider>:<profile>.',
		'Run pi-auth help <command> for a command’s flags and examples.',
		'Secrets are read from standard input, never from arguments.',
		'',
	].join('\n');

export const helpFor = (name: Command): string => {
	const help = commandHelp[name];
	return [
		...help.usage.map(line => `Usage: ${line}`),
		'',
		...help.description,
		...(help.flags.length > 0 ? section('Flags', table(help.flags)) : []),
		...section('Global flags', table(GLOBAL_FLAGS)),
		...section(
			'Examples',
			help.examples.map(line => `  $ ${line}`),
		),
		...section(
			'Exit codes',
			help.exitCodes.map(line => `  ${line}`),
		),
		'',
	].join('\n');
};
