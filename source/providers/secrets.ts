import type {Credential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import type {Method} from './types.js';

const YEAR_MS = 365 * 24 * 60 * 60_000;

const invalid = (what: string, fix: string) =>
	new PiAuthError('invalid-secret', `${what} ${fix}`);

/** cli-contract.md: setup token `sk-ant-oat01-` and ≥ 80 characters; anthropic API key `sk-ant-api`. */
export const validateSecret = (
	method: Method,
	secret: string,
	options: {apiKeyPrefix?: string},
): string => {
	const value = secret.trim();
	if (value === '') {
		throw invalid(
			'No secret was given.',
			'Pass it on standard input, for example: pi-auth login anthropic --method setup-token < token.txt',
		);
	}

	if (/\s/.test(value)) {
		throw invalid(
			'The secret contains spaces or line breaks.',
			'Paste only the token itself.',
		);
	}

	if (method === 'setup-token') {
		if (!value.startsWith('sk-ant-oat01-') || value.length < 80) {
			throw invalid(
				'This is not a setup token: it should start with sk-ant-oat01- and be at least 80 characters long.',
				'Run `claude setup-token` and paste the whole token it prints.',
			);
		}
	} else if (options.apiKeyPrefix && !value.startsWith(options.apiKeyPrefix)) {
		throw invalid(
			`This is not an API key: it should start with ${options.apiKeyPrefix}.`,
			'Copy the key from the provider console and try again.',
		);
	}

	return value;
};

/** pi's shapes: a setup token is a one-year, non-refreshable OAuth entry (providers.md). */
export const credentialFromSecret = (
	method: Method,
	secret: string,
	now: number,
	options: {apiKeyPrefix?: string} = {},
): Credential => {
	const value = validateSecret(method, secret, options);
	return method === 'setup-token'
		? {type: 'oauth', access: value, refresh: '', expires: now + YEAR_MS}
		: {type: 'api_key', key: value};
};
