import type {Credential} from '../credentials/credential.js';
import {keyKind} from '../credentials/key-value.js';
import {PiAuthError} from '../errors.js';
import type {Method} from './types.js';

const YEAR_MS = 365 * 24 * 60 * 60_000;
/** Longer than any key or token a provider issues; a `!command` fits easily. */
export const MAX_SECRET_LENGTH = 8192;

export type SecretOptions = {
	/** The provider id, for the messages' example command. */
	provider?: string;
	/** A literal API key must start with this (Anthropic: `sk-ant-api`). */
	apiKeyPrefix?: string;
	/** Where the user finds a key, shown when the value is refused. */
	keyUrl?: string;
};

const invalid = (what: string, fix: string) =>
	new PiAuthError('invalid-secret', `${what} ${fix}`);

/**
docs/contract.md: a setup token starts with `sk-ant-oat01-` and has at least 80 characters; an API
key is non-empty (Anthropic's start with `sk-ant-api`). An API key may also be given in pi's other
forms (docs/pi-compat.md): `!command` (its output is the key) or a `$NAME` template; those are
stored as written, and only a literal key is checked for its prefix.
*/
export const validateSecret = (
	method: Method,
	secret: string,
	options: SecretOptions,
): string => {
	const value = secret.trim();
	const provider = options.provider ?? '<provider>';
	const what = method === 'setup-token' ? 'setup token' : 'API key';
	if (value === '') {
		throw invalid(
			`No ${what} was given (the input was empty).`,
			`Pass it on standard input, for example: pi-auth login ${provider} --method ${method} < ${method === 'setup-token' ? 'token' : 'key'}.txt`,
		);
	}

	if (value.length > MAX_SECRET_LENGTH) {
		throw invalid(
			`The ${what} is ${value.length} characters long, more than any ${what} is.`,
			'Pass only the secret itself.',
		);
	}

	const kind = method === 'api-key' ? keyKind(value) : 'literal';
	if (kind === 'command') {
		if (value.length < 2) {
			throw invalid(
				'The command after "!" is missing.',
				'Write it as !<command that prints the key>.',
			);
		}

		return value;
	}

	if (/\s/.test(value)) {
		throw invalid(
			`The ${what} contains spaces or line breaks.`,
			'Paste only the secret itself (or a command, starting with "!").',
		);
	}

	if (method === 'setup-token') {
		if (!value.startsWith('sk-ant-oat01-') || value.length < 80) {
			throw invalid(
				'This is not a setup token: it should start with sk-ant-oat01- and be at least 80 characters long.',
				'Run `claude setup-token` and paste the whole token it prints.',
			);
		}
	} else if (
		kind === 'literal' &&
		options.apiKeyPrefix &&
		!value.startsWith(options.apiKeyPrefix)
	) {
		throw invalid(
			`This is not an API key: it should start with ${options.apiKeyPrefix}.`,
			`Copy the key from ${options.keyUrl ?? 'the provider console'} and try again.`,
		);
	}

	return value;
};

/** pi's shapes: a setup token is a one-year, non-refreshable OAuth entry (docs/providers.md). */
export const credentialFromSecret = (
	method: Method,
	secret: string,
	now: number,
	options: SecretOptions = {},
): Credential => {
	const value = validateSecret(method, secret, options);
	return method === 'setup-token'
		? {type: 'oauth', access: value, refresh: '', expires: now + YEAR_MS}
		: {type: 'api_key', key: value};
};
