import {type Config, callbackPortsFor, providerContext} from '../config.js';
import type {OAuthCredential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {
	type CallbackServer,
	startCallbackServer,
} from '../oauth/callback-server.js';
import {pollDevice} from '../oauth/device-poller.js';
import type {Fetch} from '../oauth/http-client.js';
import {onHosts, openableUrl} from '../oauth/openable-url.js';
import {randomState} from '../oauth/authorize-url.js';
import {createPkce} from '../oauth/pkce.js';
import {raceForCode} from '../oauth/race.js';
import type {Endpoints, Provider} from '../providers/types.js';

export type LoginDeps = {
	config: Config;
	fetch: Fetch;
	now: () => number;
	signal?: AbortSignal;
	/** pi-auth's state folder (docs/contract.md), for providers that keep something there. */
	stateDir?: string;
};

export type BrowserLogin = {
	url: string;
	redirectUri: string;
	/** The port the callback server listens on; undefined when every port was busy (paste-only). */
	port: number | undefined;
	busyPorts: readonly number[];
	/** Resolves with the credential once a valid code arrives by callback or paste. */
	complete: (
		pastes: AsyncIterable<string>,
		onRejectedPaste?: (error: PiAuthError) => void,
	) => Promise<OAuthCredential>;
	close: () => Promise<void>;
};

const unsupported = (provider: Provider, method: string) =>
	new PiAuthError(
		'usage',
		`${provider.name} does not support ${method} sign-in.`,
	);

/** Authorization code + PKCE: callback server (if any), authorize URL, then the race. */
export const startBrowserLogin = async (
	deps: LoginDeps,
	provider: Provider,
): Promise<BrowserLogin> => {
	const {authorizeUrl, exchangeCode, redirectUri} = provider;
	if (!authorizeUrl || !exchangeCode || !redirectUri) {
		throw unsupported(provider, 'browser');
	}

	const pkce = createPkce();
	const state = provider.newState?.() ?? randomState(32, 'base64url');
	// A stateless provider (OpenRouter) echoes no state: nothing is checked, the path stands in.
	const expectedState = provider.stateless ? undefined : state;
	const context = providerContext(deps, provider);
	// Before the callback server: a failed discovery must not leave a port bound.
	const prepared = (await provider.prepareBrowser?.(context)) ?? {};
	const ports = callbackPortsFor(deps.config, provider);
	const path =
		provider.callback?.randomSegment === true
			? `${provider.callback.path}/${globalThis.crypto.randomUUID()}`
			: (provider.callback?.path ?? '');
	let callback: CallbackServer | undefined;
	if (provider.callback && ports.length > 0) {
		callback = await startCallbackServer({
			ports,
			path,
			expectedState,
			...(provider.callback.requiredParams
				? {requiredParams: provider.callback.requiredParams}
				: {}),
			...(deps.signal ? {signal: deps.signal} : {}),
		});
	}

	const port = callback?.port;
	const uri = redirectUri(port, path);
	const pasteRules = {
		...(provider.pasteWholeUrl ? {wholeUrl: uri} : {}),
		...(provider.callback?.requiredParams
			? {requiredParams: provider.callback.requiredParams}
			: {}),
	};
	return {
		url: authorizeUrl({
			endpoints: context.endpoints,
			redirectUri: uri,
			challenge: pkce.challenge,
			state,
			prepared,
		}),
		redirectUri: uri,
		port,
		busyPorts: callback?.busyPorts ?? [],
		async complete(pastes, onRejectedPaste) {
			const {code, params} = await raceForCode({
				...(callback?.port === undefined ? {} : {callback}),
				pastes,
				...(expectedState === undefined ? {} : {expectedState}),
				pasteRules,
				...(deps.signal ? {signal: deps.signal} : {}),
				...(onRejectedPaste ? {onRejectedPaste} : {}),
			});
			return exchangeCode(context, {
				code,
				state,
				verifier: pkce.verifier,
				redirectUri: uri,
				...(params ? {params} : {}),
				prepared,
			});
		},
		async close() {
			await callback?.close();
		},
	};
};

export type DeviceLogin = {
	userCode: string;
	verificationUri: string;
	expiresAt: number;
	complete: () => Promise<OAuthCredential>;
};

/**
The device page a provider named (RFC 8628 §3.2 `verification_uri`), shown and opened only when it
is an https:// page (http:// for a loopback test server) on a host of the provider's own endpoints,
as configured or by default: GitHub's page is on github.com (or the Enterprise host), Codex's is an
endpoint itself. Anything else is refused before it reaches the screen or a browser command.
*/
const verificationPage = (
	provider: Provider,
	value: string,
	endpoints: Endpoints,
	domain: string | undefined,
): string => {
	const page = openableUrl(value);
	const hosts = [
		...Object.values(endpoints),
		...Object.values(provider.defaultEndpoints(domain)),
	].map(url => new URL(url).hostname);
	if (page === undefined || !onHosts(page, hosts)) {
		throw new PiAuthError(
			'bad-response',
			`${provider.name} named a sign-in page that is not an https:// address on its own host, so pi-auth will not show or open it. Start the sign-in again; if this keeps happening, check the endpoints in the config file.`,
		);
	}

	return page;
};

export const startDeviceLogin = async (
	deps: LoginDeps,
	provider: Provider,
	options: {enterpriseDomain?: string} = {},
): Promise<DeviceLogin> => {
	if (!provider.startDevice) throw unsupported(provider, 'device-code');
	const domain = options.enterpriseDomain;
	const context = providerContext(deps, provider, domain);
	const session = await provider.startDevice(
		context,
		domain ? {enterpriseDomain: domain} : {},
	);
	return {
		userCode: session.userCode,
		verificationUri: verificationPage(
			provider,
			session.verificationUri,
			context.endpoints,
			domain,
		),
		expiresAt: deps.now() + session.expiresInSeconds * 1000,
		complete: async () =>
			pollDevice({
				poll: session.poll,
				expiresInSeconds: session.expiresInSeconds,
				...(session.intervalSeconds === undefined
					? {}
					: {intervalSeconds: session.intervalSeconds}),
				...(deps.signal ? {signal: deps.signal} : {}),
				now: deps.now,
			}),
	};
};

/**
What to tell the user when a callback port was taken (docs/providers.md: Codex falls back from 1455 to
1457, then to paste-only). Undefined when every port was free.
*/
export const busyPortNote = (
	busy: readonly number[],
	port: number | undefined,
): string | undefined => {
	if (busy.length === 0) return undefined;
	const ports = busy.join(' and ');
	return port === undefined
		? `Port ${ports} is in use by another program, so the browser cannot come back here by itself: after approving, paste the code or the whole address the browser ends on.`
		: `Port ${ports} is in use by another program; listening on ${port} instead.`;
};

/** docs/providers.md (Copilot): keep only the hostname of what the user typed; blank = github.com. */
export const normalizeEnterpriseDomain = (
	input: string,
): string | undefined => {
	const trimmed = input.trim();
	if (trimmed === '') return undefined;
	let host: string;
	try {
		host = new URL(trimmed.includes('://') ? trimmed : `https://${trimmed}`)
			.hostname;
	} catch {
		host = '';
	}

	if (!/^[a-z\d.-]+\.[a-z\d-]+$/i.test(host)) {
		throw new PiAuthError(
			'usage',
			'That is not a GitHub Enterprise host name. Type it like github.example.com, or leave it blank for github.com.',
		);
	}

	return host === 'github.com' ? undefined : host.toLowerCase();
};
