import {PiAuthError} from '../errors.js';
import type {ApiKeyCredential} from './credential.js';

/*
pi's API-key values (docs/pi-compat.md), resolved on every use:
- `!command`: run through the shell (10 s timeout); the key is its trimmed stdout;
- otherwise a template: `$NAME` or `${NAME}` from the entry's `env` map, then the process
  environment; a missing or empty variable leaves no key; `$$` is a literal `$`, `$!` a literal `!`;
- a string without `$` is the key itself.
`status` only names the kind; `token` resolves, as pi does.
*/

export type KeyKind = 'literal' | 'command' | 'env-template';

type Part = {literal: string} | {variable: string};

const NAME = /^[A-Za-z_]\w*/;

/** Splits a template into literal text and variable references, as pi reads it. */
const parseTemplate = (template: string): Part[] => {
	const parts: Part[] = [];
	let literal = '';
	let index = 0;
	while (index < template.length) {
		const dollar = template.indexOf('$', index);
		if (dollar < 0) {
			literal += template.slice(index);
			break;
		}

		literal += template.slice(index, dollar);
		const next = template[dollar + 1];
		if (next === '$' || next === '!') {
			literal += next;
			index = dollar + 2;
			continue;
		}

		let name: string | undefined;
		let end = dollar + 1;
		if (next === '{') {
			const close = template.indexOf('}', dollar + 2);
			const inside = close < 0 ? '' : template.slice(dollar + 2, close);
			if (close >= 0 && NAME.exec(inside)?.[0] === inside) name = inside;
			// `${` without a name is literal text, up to the brace (or only the `$` when unclosed).
			end = close < 0 ? dollar + 1 : close + 1;
			if (name === undefined) {
				literal += template.slice(dollar, end);
				index = end;
				continue;
			}
		} else {
			name = NAME.exec(template.slice(dollar + 1))?.[0];
			end = dollar + 1 + (name?.length ?? 0);
		}

		if (name === undefined) {
			literal += '$';
			index = dollar + 1;
			continue;
		}

		if (literal) parts.push({literal});
		literal = '';
		parts.push({variable: name});
		index = end;
	}

	if (literal) parts.push({literal});
	return parts;
};

export const keyKind = (key: string): KeyKind => {
	if (key.startsWith('!')) return 'command';
	return parseTemplate(key).some(part => 'variable' in part)
		? 'env-template'
		: 'literal';
};

/** Names of the variables a template reads (for messages; never their values). */
export const templateVariables = (key: string): string[] =>
	parseTemplate(key).flatMap(part =>
		'variable' in part ? [part.variable] : [],
	);

const COMMAND_TIMEOUT_MS = 10_000;

/** Runs a `!command` key through the shell as pi does: stdout trimmed, stderr ignored. */
const runKeyCommand = async (
	provider: string,
	command: string,
	env: NodeJS.ProcessEnv,
): Promise<string> => {
	const {execFile} = await import('node:child_process');
	const failed = (what: string) =>
		new PiAuthError(
			'not-signed-in',
			`The API key for ${provider} comes from a command in the credential file, and ${what}. Fix the command (the "key" value starting with "!"), or sign in again: pi-auth login ${provider}`,
		);
	return new Promise((resolve, reject) => {
		execFile(
			'/bin/sh',
			['-c', command],
			{env, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 1024 * 1024},
			(error, stdout) => {
				if (error) {
					const timedOut = error.killed || error.signal === 'SIGTERM';
					reject(
						failed(
							timedOut
								? 'it did not finish within 10 seconds'
								: `it failed (${typeof error.code === 'number' ? `exit code ${error.code}` : (error.code ?? 'error')})`,
						),
					);
					return;
				}

				const key = String(stdout).trim();
				if (key) resolve(key);
				else reject(failed('it printed nothing'));
			},
		).stdin?.end();
	});
};

/** The key pi would use for this entry, or a typed error saying why there is none. */
export const resolveKey = async (
	provider: string,
	credential: ApiKeyCredential,
	env: NodeJS.ProcessEnv,
): Promise<string> => {
	const {key} = credential;
	if (key.startsWith('!')) return runKeyCommand(provider, key.slice(1), env);
	const local = (credential['env'] ?? {}) as Record<string, unknown>;
	let value = '';
	for (const part of parseTemplate(key)) {
		if ('literal' in part) {
			value += part.literal;
			continue;
		}

		const fromEntry = local[part.variable];
		const resolved =
			(typeof fromEntry === 'string' && fromEntry) || env[part.variable];
		if (!resolved) {
			throw new PiAuthError(
				'not-signed-in',
				`The API key for ${provider} is read from the environment variable ${part.variable}, which is not set. Set it, or sign in again: pi-auth login ${provider}`,
			);
		}

		value += resolved;
	}

	return value;
};
