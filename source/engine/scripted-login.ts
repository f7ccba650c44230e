import type {LoginOptions} from '../commands/login.js';
import {type CommandContext, writeLine} from '../commands/io.js';
import type {OAuthCredential} from '../credentials/credential.js';
import {linesFrom} from '../oauth/race.js';
import {mayOpenBrowser, openBrowser} from './browser.js';
import {stateDirFor} from './state-dir.js';
import {
	busyPortNote,
	normalizeEnterpriseDomain,
	startBrowserLogin,
	startDeviceLogin,
} from './login.js';

/**
Scripted OAuth login (no TTY): URL and code lines on stderr, the callback where the provider has one
raced against a paste on stdin (acted on as soon as the first line arrives).
*/
export const scriptedOAuthLogin = async (
	context: CommandContext,
	options: LoginOptions,
	/** The login deadline (commands/login.ts): aborting it ends the wait everywhere. */
	signal: AbortSignal,
): Promise<OAuthCredential> => {
	const {provider, method, stderr} = {...options, stderr: context.stderr};
	const deps = {
		config: context.config,
		fetch: await context.fetch(),
		now: context.now,
		signal,
		stateDir: stateDirFor(context.store.getState().file),
	};
	const mayOpen = mayOpenBrowser(context.env, options.openBrowser);
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
		return login.complete();
	}

	const login = await startBrowserLogin(deps, provider);
	try {
		const note = busyPortNote(login.busyPorts, login.port);
		if (note) writeLine(stderr, note);
		writeLine(stderr, `Open this URL to sign in: ${login.url}`);
		const what = provider.pasteWholeUrl
			? 'the whole address the browser ends on'
			: 'the code or the redirect URL';
		writeLine(
			stderr,
			login.port === undefined
				? `Then paste ${what} here.`
				: `Waiting for the browser to return to ${new URL(login.redirectUri).hostname}:${login.port}; or paste ${what} here.`,
		);
		if (mayOpen) await openBrowser(login.url, context.env);
		return await login.complete(linesFrom(context.stdin), error => {
			writeLine(stderr, error.message);
		});
	} finally {
		await login.close();
	}
};
