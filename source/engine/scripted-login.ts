import type {LoginOptions} from '../commands/login.js';
import {type CommandContext, writeLine} from '../commands/io.js';
import type {OAuthCredential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {parseDuration} from '../format.js';
import {linesFrom} from '../oauth/race.js';
import {mayOpenBrowser, openBrowser} from './browser.js';
import {
	normalizeEnterpriseDomain,
	startBrowserLogin,
	startDeviceLogin,
} from './login.js';

/** cli-contract.md: nothing ever waits forever; login gives up after 10 minutes. */
const LOGIN_DEADLINE_MS = 10 * 60_000;

const portNote = (busy: readonly number[], port: number | undefined) => {
	const ports = busy.join(' and ');
	if (busy.length === 0) return undefined;
	return port === undefined
		? `Port ${ports} is in use by another program, so the browser cannot call back: after approving, copy the address the browser ends on (or the code shown) and paste it here.`
		: `Port ${ports} is in use by another program; listening on ${port} instead.`;
};

/**
Scripted OAuth login (no TTY): URL and code lines on stderr, the callback where the provider has one
raced against a paste on stdin (acted on as soon as the first line arrives).
*/
export const scriptedOAuthLogin = async (
	context: CommandContext,
	options: LoginOptions,
): Promise<OAuthCredential> => {
	const {provider, method, stderr} = {...options, stderr: context.stderr};
	const deadlineMs =
		parseDuration(context.env['PI_AUTH_LOGIN_TIMEOUT'] ?? '') ??
		LOGIN_DEADLINE_MS;
	const signal = AbortSignal.timeout(deadlineMs);
	const deps = {
		config: context.config,
		fetch: await context.fetch(),
		now: context.now,
		signal,
	};
	const mayOpen = mayOpenBrowser(context.env, options.openBrowser);
	try {
		if (method === 'device') {
			const domain = normalizeEnterpriseDomain(options.enterprise ?? '');
			const login = await startDeviceLogin(
				deps,
				provider,
				domain ? {enterpriseDomain: domain} : {},
			);
			writeLine(
				stderr,
				`Enter code ${login.userCode} at ${login.verificationUri}`,
			);
			if (mayOpen) await openBrowser(login.verificationUri, context.env);
			return await login.complete();
		}

		const login = await startBrowserLogin(deps, provider);
		try {
			const note = portNote(login.busyPorts, login.port);
			if (note) writeLine(stderr, note);
			writeLine(stderr, `Open this URL to sign in: ${login.url}`);
			writeLine(
				stderr,
				login.port === undefined
					? 'Then paste the code or the whole redirect URL here.'
					: `Waiting for the browser to return to localhost:${login.port}; or paste the code or the redirect URL here.`,
			);
			if (mayOpen) await openBrowser(login.url, context.env);
			return await login.complete(linesFrom(context.stdin), error => {
				writeLine(stderr, error.message);
			});
		} finally {
			await login.close();
		}
	} catch (error) {
		if (signal.aborted) {
			throw new PiAuthError(
				'login-timeout',
				`Gave up waiting for the sign-in after ${Math.round(deadlineMs / 60_000) || 1} minutes. Run the command again when you are ready to approve it.`,
				{cause: error},
			);
		}

		throw error;
	}
};
