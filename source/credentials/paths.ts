import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export type PathInputs = {
	flag?: string | undefined;
	env: NodeJS.ProcessEnv;
	home?: string;
	cwd?: string;
};

/**
pi's own expansion of `PI_CODING_AGENT_DIR` (docs/pi-compat.md): `~` and a leading `~/` become the
home folder, and a `file://` URL becomes its path. Nothing else is expanded.
*/
const expandLikePi = (value: string, home: string): string => {
	if (value === '~') return home;
	if (value.startsWith('~/')) return path.join(home, value.slice(2));
	if (value.startsWith('file://')) return fileURLToPath(value);
	return value;
};

/** pi's agent folder: `$PI_CODING_AGENT_DIR`, else `~/.pi/agent`. */
export const agentDir = ({
	env,
	home = os.homedir(),
	cwd = process.cwd(),
}: PathInputs): string => {
	const configured = env['PI_CODING_AGENT_DIR'];
	return configured
		? path.resolve(cwd, expandLikePi(configured, home))
		: path.join(home, '.pi', 'agent');
};

/**
The credential file (docs/contract.md): `--auth-file` > `PI_AUTH_FILE` > `<agent dir>/auth.json`.
`isDefault` is true for pi's own file, the only one pi-auth migrates old files into.
*/
export const resolveAuthFile = (
	inputs: PathInputs,
): {file: string; isDefault: boolean} => {
	const {flag, env, cwd = process.cwd()} = inputs;
	if (flag) return {file: path.resolve(cwd, flag), isDefault: false};
	if (env['PI_AUTH_FILE']) {
		return {file: path.resolve(cwd, env['PI_AUTH_FILE']), isDefault: false};
	}

	return {file: path.join(agentDir(inputs), 'auth.json'), isDefault: true};
};

/**
docs/contract.md: `--config` > `PI_AUTH_CONFIG` > `<agent dir>/pi-auth.json` if it exists > none.
`optional` tells the caller that a missing default file means "no config", not an error.
*/
export const resolveConfigFile = (
	inputs: PathInputs,
): {file: string; optional: boolean} => {
	const {flag, env, cwd = process.cwd()} = inputs;
	if (flag) return {file: path.resolve(cwd, flag), optional: false};
	if (env['PI_AUTH_CONFIG']) {
		return {file: path.resolve(cwd, env['PI_AUTH_CONFIG']), optional: false};
	}

	return {file: path.join(agentDir(inputs), 'pi-auth.json'), optional: true};
};
