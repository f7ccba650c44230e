import os from 'node:os';
import path from 'node:path';

export type PathInputs = {
	flag?: string | undefined;
	env: NodeJS.ProcessEnv;
	home?: string;
	cwd?: string;
};

/** cli-contract.md: `--auth-file` > `PI_AUTH_FILE` > `$PI_CODING_AGENT_DIR/oauth.json` > `~/.pi/agent/oauth.json`. */
export const resolveAuthFile = ({
	flag,
	env,
	home = os.homedir(),
	cwd = process.cwd(),
}: PathInputs): string => {
	if (flag) return path.resolve(cwd, flag);
	if (env['PI_AUTH_FILE']) return path.resolve(cwd, env['PI_AUTH_FILE']);
	if (env['PI_CODING_AGENT_DIR']) {
		return path.resolve(cwd, env['PI_CODING_AGENT_DIR'], 'oauth.json');
	}

	return path.join(home, '.pi', 'agent', 'oauth.json');
};

/**
cli-contract.md: `--config` > `PI_AUTH_CONFIG` > `~/.pi/agent/pi-auth.json` if it exists > none.
`optional` tells the caller that a missing default file means "no config", not an error.
*/
export const resolveConfigFile = ({
	flag,
	env,
	home = os.homedir(),
	cwd = process.cwd(),
}: PathInputs): {file: string; optional: boolean} => {
	if (flag) return {file: path.resolve(cwd, flag), optional: false};
	if (env['PI_AUTH_CONFIG']) {
		return {file: path.resolve(cwd, env['PI_AUTH_CONFIG']), optional: false};
	}

	return {
		file: path.join(home, '.pi', 'agent', 'pi-auth.json'),
		optional: true,
	};
};
