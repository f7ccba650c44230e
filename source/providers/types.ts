import type {Credential, OAuthCredential} from '../credentials/credential.js';
import type {DevicePoll} from '../oauth/device-poller.js';
import type {Fetch} from '../oauth/http-client.js';

export type Method = 'oauth' | 'device' | 'setup-token' | 'api-key';
export const allMethods: readonly Method[] = [
	'oauth',
	'device',
	'setup-token',
	'api-key',
];

export type Endpoints = Record<string, string>;

/** What an adapter function gets: everything that talks to the world is injected. */
export type ProviderContext = {
	fetch: Fetch;
	endpoints: Endpoints;
	now: () => number;
	signal?: AbortSignal;
	/**
	pi-auth's own state folder, `<dir of the credential file>/pi-auth/` (docs/contract.md), for what a
	provider must keep between sign-ins (the ChatGPT device id).
	*/
	stateDir?: string;
};

export type AuthorizeInput = {
	endpoints: Endpoints;
	redirectUri: string;
	challenge: string;
	state: string;
	/** What the provider's `prepareBrowser` found (a discovered endpoint, a device id). */
	prepared?: Record<string, string>;
};

export type ExchangeInput = {
	code: string;
	state: string;
	verifier: string;
	redirectUri: string;
	/** Every query parameter of the callback (or pasted URL): some providers send more than the code. */
	params?: Record<string, string>;
	prepared?: Record<string, string>;
};

export type DeviceSession = {
	userCode: string;
	verificationUri: string;
	expiresInSeconds: number;
	intervalSeconds?: number;
	poll: () => Promise<DevicePoll<OAuthCredential>>;
};

/** The fields a refresh changes; the engine merges them into the stored entry. */
export type RefreshedFields = Pick<OAuthCredential, 'access' | 'expires'> &
	Partial<OAuthCredential>;

export type Provider = {
	id: string;
	name: string;
	/** What the user pays for, shown in the wizard. */
	subscription: string;
	/** A one-line policy note where the provider restricts third-party use. */
	notice?: string;
	methods: readonly Method[];
	endpointNames: readonly string[];
	/** Sign-in asks for a GitHub Enterprise host (blank = the public service). */
	asksEnterpriseDomain?: boolean;
	/** Default URLs; `domain` is GitHub Enterprise's host for Copilot. */
	defaultEndpoints: (domain?: string) => Endpoints;
	/** Localhost callback for the browser flow: ports tried in order, then paste-only. */
	callback?: {
		ports: readonly number[];
		path: string;
		/** Append a random UUID segment to `path` (OpenRouter: the unguessable path stands in for state). */
		randomSegment?: boolean;
		/** Query parameters the callback must carry besides the code (ChatGPT's issued client_id). */
		requiredParams?: readonly string[];
	};
	/** The provider sends no `state` and echoes none back (OpenRouter): nothing to check. */
	stateless?: boolean;
	/** A pasted value must be the whole callback URL (it carries more than the code). */
	pasteWholeUrl?: boolean;
	/**
	The state parameter for an authorize request (some providers want a particular shape). It is
	never derived from the PKCE verifier: the state is printed in the URL, the verifier never is.
	*/
	newState?: () => string;
	/**
	The redirect_uri for a callback port, or for paste-only when `port` is undefined. `path` is the
	callback path actually served (with its random segment, where the provider has one).
	*/
	redirectUri?: (port: number | undefined, path: string) => string;
	/** Async work before the authorize URL can be built (discovery, a stored device id). */
	prepareBrowser?: (
		context: ProviderContext,
	) => Promise<Record<string, string>>;
	authorizeUrl?: (input: AuthorizeInput) => string;
	exchangeCode?: (
		context: ProviderContext,
		input: ExchangeInput,
	) => Promise<OAuthCredential>;
	startDevice?: (
		context: ProviderContext,
		options: {enterpriseDomain?: string},
	) => Promise<DeviceSession>;
	refresh?: (
		context: ProviderContext,
		credential: OAuthCredential,
	) => Promise<RefreshedFields>;
	/** Where the user creates an API key (shown on the API-key step and in its errors). */
	apiKeyUrl?: string;
	/** Builds a credential from a pasted secret (setup token, API key); throws 'invalid-secret'. */
	fromSecret?: (method: Method, secret: string, now: number) => Credential;
	/** Environment variables that provide a credential, first match wins. */
	fromEnv?: (
		env: NodeJS.ProcessEnv,
	) => {credential: Credential; variable: string} | undefined;
	/** A label for the signed-in account (email or login), when the credential tells. */
	account?: (credential: Credential) => string | undefined;
	/** The OAuth sign-in yields a permanent API key, not a token pair (OpenRouter). */
	signInGivesApiKey?: boolean;
	/** Said after signing out, when removing the entry is not the whole story. */
	logoutNote?: string;
};
