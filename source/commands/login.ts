import type {Credential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {formatValidUntil, parseDuration} from '../format.js';
import type {Method, Provider} from '../providers/types.js';
import {profilesFile} from '../profiles/profile-file.js';
import type {SavedSignIn} from '../profiles/sign-in.js';
import {type CommandContext, writeJson, writeLine} from './io.js';

export type LoginOptions = {
	provider: Provider;
	method: Method;
	/** `--profile NAME`; undefined: the active profile (`default` for a first sign-in). */
	profile?: string;
	enterprise?: string;
	openBrowser: boolean;
};

const methodLabels: Record<Method, string> = {
	oauth: 'browser sign-in',
	device: 'device code',
	'setup-token': 'a setup token',
	'api-key': 'an API key',
};

/**
The first line of stdin, as soon as it arrives; secrets are never taken from argv. A line longer
than any secret is refused without being held in memory.
*/
export const readFirstLine = async (
	stdin: NodeJS.ReadableStream,
): Promise<string | undefined> => {
	// Loaded here, not at start-up: only login reads stdin.
	const {onLines, MAX_LINE_LENGTH} = await import('../oauth/lines.js');
	return new Promise((resolve, reject) => {
		let done = false;
		const stop = onLines(
			stdin,
			line => {
				if (done) return;
				done = true;
				stop();
				if (line.tooLong) {
					reject(
						new PiAuthError(
							'invalid-secret',
							`The first line of standard input is longer than ${MAX_LINE_LENGTH / 1024} KiB, which no key or token is. Pass only the secret itself.`,
						),
					);
				} else resolve(line.text);
			},
			() => {
				if (!done) resolve(undefined);
			},
		);
	});
};

const reportLogin = (
	context: CommandContext,
	provider: Provider,
	method: Method,
	credential: Credential,
	saved: SavedSignIn,
	/** describeSaved's lines: where the sign-in went, when that is news. */
	notes: readonly string[],
) => {
	const expires = credential.type === 'oauth' ? credential.expires : null;
	const account = provider.account?.(credential);
	if (context.json) {
		writeJson(context.stdout, {
			provider: provider.id,
			method,
			expires,
			...(account ? {account} : {}),
			profile: saved.profile,
			active: saved.active,
			...(saved.matched ? {updatedExisting: true} : {}),
		});
		return;
	}

	const who = account ? ` as ${account}` : '';
	const until =
		expires === null ? '' : `, ${formatValidUntil(expires, context.now())}`;
	const where = saved.active
		? context.store.getState().file
		: profilesFile(context.store.getState().file);
	writeLine(
		context.stderr,
		`Signed in to ${provider.name}${who} with ${methodLabels[method]}${until}. Saved to ${where}.`,
	);
	for (const line of notes) {
		writeLine(context.stderr, line);
	}
};

/** docs/contract.md: nothing ever waits forever; login gives up after 10 minutes. */
const LOGIN_DEADLINE_MS = 10 * 60_000;

/** "10 minutes", "1 minute", "30 seconds". */
const spoken = (ms: number) => {
	const [count, unit] =
		ms < 60_000
			? [Math.max(1, Math.round(ms / 1000)), 'second']
			: [Math.round(ms / 60_000), 'minute'];
	return `${count} ${unit}${count === 1 ? '' : 's'}`;
};

/** Settles with `promise`, or rejects once `signal` aborts (the login deadline). */
const beforeDeadline = async <T>(
	promise: Promise<T>,
	signal: AbortSignal,
): Promise<T> =>
	Promise.race([
		promise,
		new Promise<never>((_resolve, reject) => {
			signal.addEventListener('abort', () => {
				reject(signal.reason);
			});
		}),
	]);

const loginWithSecret = async (
	context: CommandContext,
	options: LoginOptions,
	signal: AbortSignal,
) => {
	const {provider, method} = options;
	if (!provider.fromSecret) {
		throw new PiAuthError(
			'usage',
			`${provider.name} does not take a pasted secret.`,
		);
	}

	const secret = await beforeDeadline(readFirstLine(context.stdin), signal);
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
	const {error, profilesError} = context.store.getState();
	// A corrupt file is never overwritten: stop before asking the user for anything.
	if (error) throw error;
	if (profilesError) throw profilesError;
	const deadlineMs =
		parseDuration(context.env['PI_AUTH_LOGIN_TIMEOUT'] ?? '') ??
		LOGIN_DEADLINE_MS;
	const signal = AbortSignal.timeout(deadlineMs);
	let credential: Credential;
	try {
		if (method === 'setup-token' || method === 'api-key') {
			credential = await loginWithSecret(context, options, signal);
		} else {
			const {scriptedOAuthLogin} = await import('../engine/scripted-login.js');
			credential = await scriptedOAuthLogin(context, options, signal);
		}
	} catch (error) {
		if (!signal.aborted) throw error;
		throw new PiAuthError(
			'login-timeout',
			`Gave up waiting for the sign-in after ${spoken(deadlineMs)}. Run the command again when you are ready.`,
			{cause: error},
		);
	}

	// The profile store's modules load only once a sign-in is there to save.
	const {saveSignIn, describeSaved} = await import('../profiles/sign-in.js');
	const saved = await saveSignIn(
		context.store.getState().file,
		provider,
		credential,
		options.profile ? {profile: options.profile} : {},
	);
	await context.store.getState().reload();
	reportLogin(
		context,
		provider,
		method,
		credential,
		saved,
		describeSaved(provider, saved),
	);
	return 0;
};
