/*
A real OAuth 2.0 authorization server for conformance tests: oidc-provider 9, in-process on
127.0.0.1 with an ephemeral port, plus a small "user agent" that signs in and consents over plain
HTTP the way a browser would. See docs/testing.md ("A real OAuth authorization server as a peer").
*/
import {
	type IncomingMessage,
	type ServerResponse,
	createServer,
} from 'node:http';
import type {AddressInfo} from 'node:net';

/** A redirect URI without a port matches any port on loopback (RFC 8252 §7.3). */
export const OIDC_REDIRECT_URI = 'http://127.0.0.1/callback';
export const OIDC_CLIENT_ID = 'pi-auth-conformance';
/*
OIDC scopes only: oidc-provider refuses non-OIDC scopes unless a resource server is configured
(features.resourceIndicators), and `offline_access` alone ends in access_denied.
*/
export const OIDC_SCOPE = 'openid offline_access';

/** What the server saw at its token endpoint: one entry per grant request, in order. */
export type GrantEvent = {
	outcome: 'success' | 'error';
	grantType: string;
	/** The RFC 6749 §5.2 error code of a refused request. */
	error?: string;
};

export type OidcServer = {
	/** `http://127.0.0.1:<port>`, also the RFC 9207 `iss` of every callback. */
	issuer: string;
	clientId: string;
	scope: string;
	endpoints: {
		authorize: string;
		token: string;
		deviceAuthorization: string;
		/** The page a user opens to enter a device user code (RFC 8628 §3.3). */
		deviceVerification: string;
		revocation: string;
	};
	/** The redirect URI to use with a callback server on `port`. */
	redirectUri: (port: number) => string;
	grants: GrantEvent[];
	/** Unexpected failures inside the server (a bug in the setup, never a protocol refusal). */
	serverErrors: Error[];
	close(): Promise<void>;
};

export type OidcServerOptions = {
	/** The device code's lifetime (RFC 8628 §3.2 `expires_in`); default 600 s. */
	deviceCodeTtlSeconds?: number;
	/** The client's id: a provider adapter's own (they hard-code theirs); default OIDC_CLIENT_ID. */
	clientId?: string;
	/** Scopes beyond OIDC's that the server accepts (a provider's own, e.g. xAI's api:access). */
	extraScopes?: readonly string[];
	/** Where endpoints live, as oidc-provider's `routes` (Radius derives its paths from one base). */
	routes?: {token?: string; device_authorization?: string};
};

/*
The minimal surface of oidc-provider this helper uses. The package ships no type declarations (and
@types/oidc-provider is not installed), so it is loaded through a non-literal specifier and typed
here instead of weakening the project's strict settings.
*/
type GrantContext = {
	oidc?: {params?: Record<string, unknown>};
};
type ProviderInstance = {
	callback(): (request: IncomingMessage, response: ServerResponse) => void;
	on(
		event: 'grant.success',
		listener: (context: GrantContext) => void,
	): unknown;
	on(
		event: 'grant.error' | 'server_error',
		listener: (context: GrantContext, error: Error) => void,
	): unknown;
};
type ProviderConstructor = new (
	issuer: string,
	configuration: Record<string, unknown>,
) => ProviderInstance;

const moduleName = 'oidc-provider';

const loadProvider = async (): Promise<ProviderConstructor> => {
	const loaded = (await import(moduleName)) as {default: ProviderConstructor};
	return loaded.default;
};

const grantTypeOf = (context: GrantContext): string => {
	const value = context.oidc?.params?.['grant_type'];
	return typeof value === 'string' ? value : 'unknown';
};

/** Starts oidc-provider on 127.0.0.1:0 with one public native client. Close it after the test. */
export const startOidcServer = async (
	options: OidcServerOptions = {},
): Promise<OidcServer> => {
	const Provider = await loadProvider();
	const server = createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;
	// The issuer must be known before the provider exists, hence listen first, then attach.
	const issuer = `http://127.0.0.1:${port}`;
	const deviceTtl = options.deviceCodeTtlSeconds ?? 600;
	const clientId = options.clientId ?? OIDC_CLIENT_ID;
	const routes = {
		token: options.routes?.token ?? '/token',
		device_authorization:
			options.routes?.device_authorization ?? '/device/auth',
	};
	const provider = new Provider(issuer, {
		routes,
		...(options.extraScopes
			? {
					scopes: [
						'openid',
						'offline_access',
						'profile',
						'email',
						...options.extraScopes,
					],
				}
			: {}),
		clients: [
			{
				client_id: clientId,
				// RFC 8252 §8.4: a native app is a public client, no secret.
				application_type: 'native',
				token_endpoint_auth_method: 'none',
				redirect_uris: [OIDC_REDIRECT_URI],
				grant_types: [
					'authorization_code',
					'refresh_token',
					'urn:ietf:params:oauth:grant-type:device_code',
				],
				response_types: ['code'],
			},
		],
		features: {
			devInteractions: {enabled: true},
			deviceFlow: {enabled: true},
			revocation: {enabled: true},
		},
		// Without prompt=consent oidc-provider drops offline_access and issues no refresh token;
		// pi-auth's providers do not send prompt=consent, so issue one whenever the client may refresh.
		issueRefreshToken: async (
			_context: unknown,
			client: {grantTypeAllowed(type: string): boolean},
		) => client.grantTypeAllowed('refresh_token'),
		// Rotate on every use; a reused (consumed) refresh token revokes the whole grant
		// (oidc-provider's behaviour, as OAuth 2.0 Security BCP §4.14.2 recommends).
		rotateRefreshToken: true,
		ttl: {
			DeviceCode: deviceTtl,
			AccessToken: 3600,
			AuthorizationCode: 60,
			IdToken: 3600,
			Interaction: 600,
			Session: 600,
			Grant: 3600,
			RefreshToken: 3600,
		},
		cookies: {keys: ['pi-auth-conformance-cookie-key']},
	});
	const grants: GrantEvent[] = [];
	const serverErrors: Error[] = [];
	provider.on('grant.success', context => {
		grants.push({outcome: 'success', grantType: grantTypeOf(context)});
	});
	provider.on('grant.error', (context, error) => {
		grants.push({
			outcome: 'error',
			grantType: grantTypeOf(context),
			error: (error as Error & {error?: string}).error ?? error.name,
		});
	});
	provider.on('server_error', (_context, error) => {
		serverErrors.push(error);
	});
	server.on('request', provider.callback());

	let closing: Promise<void> | undefined;
	return {
		issuer,
		clientId,
		scope: OIDC_SCOPE,
		endpoints: {
			authorize: `${issuer}/auth`,
			token: `${issuer}${routes.token}`,
			deviceAuthorization: `${issuer}${routes.device_authorization}`,
			deviceVerification: `${issuer}/device`,
			revocation: `${issuer}/token/revocation`,
		},
		redirectUri: callbackPort => `http://127.0.0.1:${callbackPort}/callback`,
		grants,
		serverErrors,
		async close() {
			closing ??= new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
				server.closeAllConnections();
			});
			return closing;
		},
	};
};

/** One page the user agent has in front of it. */
export type Page = {url: URL; status: number; body: string};

export type UserAgent = {
	/**
	Opens an authorize URL, signs in (any login and password), consents — or cancels with `deny` —
	and follows the redirects until one leaves the issuer: that is the redirect back to the client
	(RFC 6749 §4.1.2). With `deliver` (the default) it then loads that URL as a browser would, so a
	callback server receives it; either way it returns the redirect's URL.
	*/
	authorize(
		url: string,
		options?: {deny?: boolean; deliver?: boolean},
	): Promise<{redirect: URL; delivered?: Page}>;
	/** RFC 8628 §3.3: enters the user code on the verification page, then signs in and consents, or aborts. */
	verifyDevice(
		verificationUri: string,
		userCode: string,
		options?: {deny?: boolean},
	): Promise<Page>;
};

type Cookie = {name: string; value: string; path: string};
type Form = {action: URL; method: string; fields: Array<[string, string]>};

// Each navigation and each sign-in take a handful of steps; anything longer is a loop.
const MAX_STEPS = 20;

const decodeEntities = (text: string): string =>
	text
		.replaceAll('&quot;', '"')
		.replaceAll('&#39;', "'")
		.replaceAll('&lt;', '<')
		.replaceAll('&gt;', '>')
		.replaceAll('&amp;', '&');

const attribute = (tag: string, name: string): string | undefined => {
	const match = new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag);
	return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
};

/** The first <form> of a page with its named <input>s (values as given, hidden or not). */
const firstForm = (page: Page): Form | undefined => {
	const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(page.body);
	if (!match) return undefined;
	const [, tag = '', inner = ''] = match;
	const fields: Array<[string, string]> = [];
	for (const input of inner.matchAll(/<input\b[^>]*>/gi)) {
		const name = attribute(input[0], 'name');
		if (name !== undefined) {
			fields.push([name, attribute(input[0], 'value') ?? '']);
		}
	}

	return {
		action: new URL(attribute(tag, 'action') ?? page.url.href, page.url),
		method: (attribute(tag, 'method') ?? 'get').toUpperCase(),
		fields,
	};
};

const setField = (form: Form, name: string, value: string): void => {
	const existing = form.fields.find(([key]) => key === name);
	if (existing) existing[1] = value;
	else form.fields.push([name, value]);
};

/** A browser stand-in for one issuer: keeps its cookies, follows redirects by hand. */
export const createUserAgent = (issuer: string): UserAgent => {
	const origin = new URL(issuer).origin;
	const jar = new Map<string, Cookie>();

	const store = (response: Response, url: URL) => {
		for (const line of response.headers.getSetCookie()) {
			const [pair = '', ...attributes] = line.split(';');
			const equals = pair.indexOf('=');
			const name = pair.slice(0, equals).trim();
			const value = pair.slice(equals + 1).trim();
			// RFC 6265 §5.1.4 default-path: the request path up to its last '/'.
			let path = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
			let expired = value === '';
			for (const item of attributes) {
				const [key = '', ...rest] = item.split('=');
				const attributeValue = rest.join('=').trim();
				const lower = key.trim().toLowerCase();
				if (lower === 'path') path = attributeValue;
				if (lower === 'max-age' && Number(attributeValue) <= 0) expired = true;
				if (lower === 'expires' && Date.parse(attributeValue) <= Date.now()) {
					expired = true;
				}
			}

			const key = `${name};${path}`;
			if (expired) jar.delete(key);
			else jar.set(key, {name, value, path});
		}
	};

	const cookieHeader = (url: URL): string =>
		[...jar.values()]
			.filter(cookie => url.pathname.startsWith(cookie.path))
			.map(cookie => `${cookie.name}=${cookie.value}`)
			.join('; ');

	/** One request, no redirect following. Cookies go only to the issuer. */
	const request = async (
		url: URL,
		init: {method: string; body?: URLSearchParams},
	): Promise<Response> => {
		const headers: Record<string, string> = {accept: 'text/html'};
		const own = url.origin === origin;
		const cookies = own ? cookieHeader(url) : '';
		if (cookies) headers['cookie'] = cookies;
		if (init.body) {
			headers['content-type'] = 'application/x-www-form-urlencoded';
		}

		const response = await fetch(url, {
			method: init.method,
			headers,
			redirect: 'manual',
			...(init.body ? {body: init.body.toString()} : {}),
			signal: AbortSignal.timeout(10_000),
		});
		if (own) store(response, url);
		return response;
	};

	/**
	Sends a request and follows redirects while they stay on the issuer. Returns the first page
	that is not a redirect, or `left` with the URL of a redirect that leaves the issuer.
	*/
	const navigate = async (
		url: URL,
		init: {method: string; body?: URLSearchParams} = {method: 'GET'},
	): Promise<{page: Page} | {left: URL}> => {
		let current = url;
		let next = init;
		for (let step = 0; step < MAX_STEPS; step++) {
			if (current.origin !== origin) return {left: current};
			const response = await request(current, next);
			const location = response.headers.get('location');
			if (response.status >= 300 && response.status < 400 && location) {
				await response.body?.cancel();
				current = new URL(location, current);
				// RFC 9110 §15.4: after 302/303 a browser follows with GET.
				next = {method: 'GET'};
				continue;
			}

			return {
				page: {
					url: current,
					status: response.status,
					body: await response.text(),
				},
			};
		}

		throw new Error(`more than ${MAX_STEPS} redirects from ${url.href}`);
	};

	const submit = async (form: Form) =>
		form.method === 'POST'
			? navigate(form.action, {
					method: 'POST',
					body: new URLSearchParams(form.fields),
				})
			: navigate(
					new URL(
						`${form.action.pathname}?${new URLSearchParams(form.fields).toString()}`,
						form.action,
					),
				);

	const unexpected = (page: Page, what: string) =>
		new Error(
			`expected ${what} at ${page.url.pathname}, got HTTP ${page.status}: ${page.body
				.replaceAll(/<[^>]+>/g, ' ')
				.replaceAll(/\s+/g, ' ')
				.slice(0, 300)}`,
		);

	/** Drives devInteractions' login and consent pages until the flow leaves them. */
	const interact = async (
		start: {page: Page} | {left: URL},
		deny: boolean,
	): Promise<{page: Page} | {left: URL}> => {
		let at = start;
		for (let step = 0; step < MAX_STEPS; step++) {
			if ('left' in at) return at;
			const {page} = at;
			const form = firstForm(page);
			const prompt = form?.fields.find(([name]) => name === 'prompt')?.[1];
			if (!form || (prompt !== 'login' && prompt !== 'consent')) return at;
			if (deny) {
				// The "[ Cancel ]" link: interactionFinished with access_denied.
				const abort = /href="([^"]*\/abort)"/.exec(page.body)?.[1];
				if (!abort) throw unexpected(page, 'a cancel link');
				at = await navigate(new URL(decodeEntities(abort), page.url));
				continue;
			}

			if (prompt === 'login') {
				setField(form, 'login', 'conformance-user');
				setField(form, 'password', 'any-password');
			}

			at = await submit(form);
		}

		throw new Error(`more than ${MAX_STEPS} interaction steps`);
	};

	return {
		async authorize(url, {deny = false, deliver = true} = {}) {
			const end = await interact(await navigate(new URL(url)), deny);
			if (!('left' in end)) {
				throw unexpected(end.page, 'a redirect back to the client');
			}

			if (!deliver) return {redirect: end.left};
			// docs/testing.md: only loopback. A redirect elsewhere is a setup bug, never something to load.
			if (!/^http:\/\/127\.0\.0\.1(?::\d+)?\//.test(end.left.href)) {
				throw new Error(
					`refusing to load a non-loopback redirect: ${end.left.origin}`,
				);
			}

			const response = await request(end.left, {method: 'GET'});
			return {
				redirect: end.left,
				delivered: {
					url: end.left,
					status: response.status,
					body: await response.text(),
				},
			};
		},

		async verifyDevice(verificationUri, userCode, {deny = false} = {}) {
			const entry = await navigate(new URL(verificationUri));
			if (!('page' in entry))
				throw new Error('the device page redirected away');
			const input = firstForm(entry.page);
			if (!input?.fields.some(([name]) => name === 'xsrf')) {
				throw unexpected(entry.page, 'the user-code form');
			}

			setField(input, 'user_code', userCode);
			const confirm = await submit(input);
			if (!('page' in confirm))
				throw new Error('the user-code form redirected away');
			const form = firstForm(confirm.page);
			if (!form?.fields.some(([name, value]) => name === 'confirm' && value)) {
				throw unexpected(confirm.page, 'the device confirmation form');
			}

			// The page's "[ Abort ]" button submits the same form with abort=yes.
			if (deny) setField(form, 'abort', 'yes');
			const end = await interact(await submit(form), false);
			if (!('page' in end)) throw new Error('device sign-in redirected away');
			const done = deny ? /interrupted/i : /Sign-in Success/i;
			if (!done.test(end.page.body)) {
				throw unexpected(
					end.page,
					deny ? 'the aborted page' : 'the success page',
				);
			}

			return end.page;
		},
	};
};
