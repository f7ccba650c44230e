import type {Credential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {formatClock} from '../format.js';
import type {Method, Provider} from '../providers/types.js';
import {type CommandContext, writeJson, writeLine} from './io.js';

export type LoginOptions = {
	provider: Provider;
	method: Method;
	enterprise?: string;
	openBrowser: boolean;
};

const methodLabels: Record<Method, string> = {
	oauth: 'browser sign-in',
	device: 'device code',
	'setup-token': 'a setup token',
	'api-key': 'an API key',
};

/** The first line of stdin, as soon as it arrives; secrets are never taken from argv. */
export const readFirstLine = async (
	stdin: NodeJS.ReadableStream,
): Promise<string | undefined> => {
	// Loaded here, not at start-up: only login reads stdin.
	const {createInterface} = await import('node:readline');
	const lines = createInterface({
		input: stdin,
		crlfDelay: Number.POSITIVE_INFINITY,
	});
	try {
		for await (const line of lines) return line;
		return undefined;
	} finally {
		lines.close();
	}
};

export const reportLogin = (
	context: CommandContext,
	provider: Provider,
	method: Method,
	credential: Credential,
) => {
	const expires = credential.type === 'oauth' ? credential.expires : null;
	const account = provider.account?.(credential);
	if (context.json) {
		writeJson(context.stdout, {
			provider: provider.id,
			method,
			expires,
			...(account ? {account} : {}),
		});
		return;
	}

	const who = account ? ` as ${account}` : '';
	const until =
		expires === null
			? ''
			: `, valid until ${formatClock(expires, context.now())}`;
	writeLine(
		context.stderr,
		`Signed in to ${provider.name}${who} with ${methodLabels[method]}${until}. Saved to ${context.store.getState().file}.`,
	);
};

const loginWithSecret = async (
	context: CommandContext,
	options: LoginOptions,
) => {
	const {provider, method} = options;
	if (!provider.fromSecret) {
		throw new PiAuthError(
			'usage',
			`${provider.name} does not take a pasted secret.`,
		);
	}

	const secret = await readFirstLine(context.stdin);
	if (secret === undefined) {
		throw new PiAuthError(
			'invalid-secret',
			`No ${method === 'api-key' ? 'API key' : 'setup token'} on standard input. Pipe it in: pi-auth login ${provider.id} --method ${method} < file`,
		);
	}

	return provider.fromSecret(method, secret, context.now());
};

/** Scripted login (no TTY): the secret or pasted code comes from stdin, progress goes to stderr. */
export const loginCommand = async (
	context: CommandContext,
	options: LoginOptions,
): Promise<number> => {
	const {provider, method} = options;
	await context.store.getState().reload();
	const {error} = context.store.getState();
	// A corrupt file is never overwritten: stop before asking the user for anything.
	if (error) throw error;
	let credential: Credential;
	if (method === 'setup-token' || method === 'api-key') {
		credential = await loginWithSecret(context, options);
	} else {
		const {scriptedOAuthLogin} = await import('../engine/scripted-login.js');
		credential = await scriptedOAuthLogin(context, options);
	}

	await context.store.getState().save(provider.id, credential);
	reportLogin(context, provider, method, credential);
	return 0;
};
