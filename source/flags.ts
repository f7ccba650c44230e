/** The one flag table: meow reads it for --help and odd input, the fast path for everything else. */
export const flagSpec = {
	authFile: {type: 'string'},
	config: {type: 'string'},
	json: {type: 'boolean', default: false},
	browser: {type: 'boolean', default: true},
	help: {type: 'boolean', default: false, shortFlag: 'h'},
	version: {type: 'boolean', default: false, shortFlag: 'v'},
	method: {type: 'string'},
	minValidity: {type: 'string'},
	force: {type: 'boolean', default: false},
	all: {type: 'boolean', default: false},
	check: {type: 'boolean', default: false},
	usage: {type: 'boolean', default: false},
	enterprise: {type: 'string'},
	line: {type: 'boolean', default: false},
	maxAge: {type: 'string'},
	format: {type: 'string'},
	usageOver: {type: 'string'},
	notify: {type: 'boolean', default: true},
	profile: {type: 'string'},
} as const;

export type Flags = {
	authFile?: string;
	config?: string;
	json: boolean;
	browser: boolean;
	help: boolean;
	version: boolean;
	method?: string;
	minValidity?: string;
	force: boolean;
	all: boolean;
	check: boolean;
	usage: boolean;
	enterprise?: string;
	line: boolean;
	maxAge?: string;
	format?: string;
	usageOver?: string;
	/** `--no-notify`: the live panel rings no bell and sends no desktop notification. */
	notify: boolean;
	profile?: string;
};

export const commands = [
	'login',
	'status',
	'token',
	'refresh',
	'logout',
	'use',
	'profiles',
] as const;
export type Command = (typeof commands)[number];

export type Parsed = {command?: Command; input: string[]; flags: Flags};

/**
The commands a flag belongs to; flags not listed are global. A flag given to a command it does not
belong to is a usage error (it would otherwise do nothing, silently).
*/
export const flagCommands: Partial<Record<keyof Flags, readonly Command[]>> = {
	method: ['login'],
	enterprise: ['login'],
	minValidity: ['token'],
	force: ['refresh'],
	all: ['logout'],
	check: ['status'],
	usage: ['status'],
	line: ['status'],
	maxAge: ['status'],
	format: ['status'],
	usageOver: ['status'],
	notify: ['status'],
	profile: ['login'],
};

export const kebab = (name: string) =>
	name.replaceAll(/[A-Z]/g, c => `-${c.toLowerCase()}`);
