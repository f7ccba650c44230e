/*
A fake of GitHub's device flow and Copilot's token and quota endpoints (docs/providers.md "GitHub
Copilot", docs/usage.md), on one 127.0.0.1 origin (the real ones span DOMAIN and api.DOMAIN).

Public API: startFakeGithub(options?) → FakeGithub:
- endpoints {deviceCode, accessToken, copilotToken, user, models}; devicePage: the
  verification_uri. `models` is the base of the model list and its policy endpoints.
- approveDevice(userCode) / denyDevice(userCode): through the device page, as a person would;
  expireDevice(userCode): the code expires now.
- issueGithubToken({login?}) → a `ghu_…` token as a finished device flow gives.
- revoke(token): revokes a GitHub token (and the Copilot tokens bought with it).
- settings (mutable): deviceInterval (s, default 5), deviceExpiresIn (s, 900), autoApproveDeviceMs
  (the demo's stand-in for a person; off by default),
  copilotTokenLifetime (s, 1800), login, copilotPlan, user (the quota body, or undefined for a
  default with one metered and two unlimited quotas), models (the account's model catalogue;
  defaultCopilotModels() has one model of each kind).
- secrets(); plus FakeServer's log, counters, fail() and close().
Options: the settings, and `now` (the clock for expiry and polling intervals).
*/
import {randomBytes} from 'node:crypto';
import {PiAuthError} from '../errors.js';
import {pageMessage, submitPage} from './browser.js';
import {type FakeRequest, jsonResponse} from './fake-http.js';
import {type FakeServer, startFakeServer} from './fake-server.js';
import {createGithubDevice} from './github-device.js';
import {createGrants} from './grants.js';
import {randomToken} from './tokens.js';
import {defaultCopilotUser} from './usage-bodies.js';

export {GITHUB_CLIENT_ID} from './github-device.js';
const PATHS = {
	deviceCode: '/login/device/code',
	accessToken: '/login/oauth/access_token',
	copilotToken: '/copilot_internal/v2/token',
	user: '/copilot_internal/user',
	// The base of the model list (`<base>/models`, `<base>/models/<id>/policy`).
	models: '/copilot',
};
const MODELS_API_VERSION = '2026-06-01';
const DEVICE_PAGE = '/login/device';
// docs/providers.md: the Copilot token endpoint answers only editors it knows.
const EDITOR_HEADERS = [
	'editor-version',
	'editor-plugin-version',
	'copilot-integration-id',
];

/** One model of the account's catalogue, as `<base>/models` describes it. */
export type FakeCopilotModel = {
	id: string;
	picker: boolean;
	policy: 'enabled' | 'unconfigured' | 'disabled';
	toolCalls?: boolean;
};

/** A catalogue with one model of each kind the sign-in treats differently. */
export const defaultCopilotModels = (): FakeCopilotModel[] => [
	{id: 'gpt-6-sol', picker: true, policy: 'enabled'},
	{id: 'claude-sonnet-5', picker: true, policy: 'unconfigured'},
	{id: 'grok-4.7', picker: true, policy: 'disabled'},
	{id: 'gpt-5.4-nano', picker: false, policy: 'enabled'},
	{id: 'text-embedding-4', picker: true, policy: 'enabled', toolCalls: false},
];

export type FakeGithubSettings = {
	deviceInterval: number;
	deviceExpiresIn: number;
	/** A demo aid, off by default: device codes count as approved this long after issue. */
	autoApproveDeviceMs?: number | undefined;
	copilotTokenLifetime: number;
	login: string;
	copilotPlan: string;
	user: unknown;
	/** The account's model catalogue; a policy POST turns a model's policy to enabled. */
	models: FakeCopilotModel[];
};

export type FakeGithubOptions = Partial<FakeGithubSettings> & {
	now?: () => number;
};

export type FakeGithub = FakeServer & {
	endpoints: Record<keyof typeof PATHS, string>;
	devicePage: string;
	settings: FakeGithubSettings;
	approveDevice: (userCode: string) => Promise<void>;
	denyDevice: (userCode: string) => Promise<void>;
	expireDevice: (userCode: string) => boolean;
	issueGithubToken: (input?: {login?: string}) => string;
	revoke: (token: string) => boolean;
	secrets: () => string[];
};

const badCredentials = () =>
	jsonResponse(401, {
		message: 'Bad credentials',
		documentation_url: 'https://docs.github.com/rest',
	});

export const startFakeGithub = async (
	options: FakeGithubOptions = {},
): Promise<FakeGithub> => {
	const {now = Date.now} = options;
	const settings: FakeGithubSettings = {
		deviceInterval: options.deviceInterval ?? 5,
		deviceExpiresIn: options.deviceExpiresIn ?? 900,
		copilotTokenLifetime: options.copilotTokenLifetime ?? 1800,
		login: options.login ?? 'octo-fake',
		copilotPlan: options.copilotPlan ?? 'individual',
		user: options.user,
		autoApproveDeviceMs: options.autoApproveDeviceMs,
		models: options.models ?? defaultCopilotModels(),
	};
	// GitHub tokens never expire until revoked (docs/providers.md); Copilot tokens are bought from them
	// and share their grant, so revoking a GitHub token ends its Copilot tokens too.
	const github = createGrants({now, refreshPrefix: 'unused_'});
	const sessions = createGrants({now, refreshPrefix: 'unused_'});
	const issueGithubToken = (login = settings.login) => {
		const grant = github.start({
			scopes: ['read:user'],
			email: `${login}@users.noreply.github.com`,
			subject: {login},
		});
		const token = randomToken('ghu_', 27);
		github.addAccess(grant, token, Number.POSITIVE_INFINITY);
		return token;
	};

	const device = createGithubDevice({
		paths: {
			deviceCode: PATHS.deviceCode,
			accessToken: PATHS.accessToken,
			page: DEVICE_PAGE,
		},
		now,
		settings,
		issueToken: () => issueGithubToken(),
	});

	const copilotToken = (request: FakeRequest) => {
		const missing = EDITOR_HEADERS.filter(name => !request.headers[name]);
		const agent = String(request.headers['user-agent'] ?? '');
		if (!agent.startsWith('GitHubCopilotChat/')) missing.unshift('user-agent');
		if (missing.length > 0) {
			return jsonResponse(400, {
				message: `bad request: missing or unknown ${missing.join(', ')} header for IDE auth`,
			});
		}

		// docs/providers.md: `Authorization: Bearer <github token>` here.
		const auth = /^Bearer (\S+)$/.exec(
			String(request.headers.authorization ?? ''),
		);
		const checked = github.checkAccess(auth?.[1] ?? '');
		if (checked.kind !== 'ok') return badCredentials();
		const lifetime = settings.copilotTokenLifetime;
		const expiresAt = Math.floor(now() / 1000) + lifetime;
		const token = `tid=${randomBytes(16).toString('hex')};exp=${expiresAt};sku=monthly_subscriber;proxy-ep=proxy.individual.githubcopilot.com;8kp=1:${randomBytes(32).toString('hex')}`;
		sessions.addAccess(checked.grant, token, expiresAt * 1000);
		return jsonResponse(200, {
			token,
			expires_at: expiresAt,
			refresh_in: Math.max(60, lifetime - 300),
			sku: 'monthly_subscriber',
			chat_enabled: true,
		});
	};

	/** The model endpoints take a live Copilot token, the editor headers and the API version. */
	const modelsRefusal = (request: FakeRequest) => {
		const missing = EDITOR_HEADERS.filter(name => !request.headers[name]);
		if (request.headers['x-github-api-version'] !== MODELS_API_VERSION) {
			missing.push('x-github-api-version');
		}

		if (missing.length > 0) {
			return jsonResponse(400, {
				message: `bad request: missing or unknown ${missing.join(', ')} header`,
			});
		}

		const auth = /^Bearer (\S+)$/.exec(
			String(request.headers.authorization ?? ''),
		);
		return sessions.checkAccess(auth?.[1] ?? '').kind === 'ok'
			? undefined
			: jsonResponse(401, {error: {message: 'unauthorized: token expired'}});
	};

	const models = (request: FakeRequest) =>
		modelsRefusal(request) ??
		jsonResponse(200, {
			object: 'list',
			data: settings.models.map(model => ({
				id: model.id,
				object: 'model',
				model_picker_enabled: model.picker,
				policy: {state: model.policy, terms: `Terms of ${model.id}`},
				capabilities: {supports: {tool_calls: model.toolCalls ?? true}},
			})),
		});

	const policy = (request: FakeRequest) => {
		const refused = modelsRefusal(request);
		if (refused) return refused;
		const id = decodeURIComponent(request.url.pathname.split('/').at(-2) ?? '');
		const model = settings.models.find(item => item.id === id);
		if (!model) return jsonResponse(404, {error: {message: 'model not found'}});
		const body = request.json as {state?: unknown} | undefined;
		if (request.bodyType !== 'json' || body?.state !== 'enabled') {
			return jsonResponse(400, {error: {message: 'state must be "enabled"'}});
		}

		model.policy = 'enabled';
		return jsonResponse(200, {state: 'enabled'});
	};

	// docs/usage.md: the quota endpoint takes the GitHub token with the `token` scheme.
	const user = (request: FakeRequest) => {
		const auth = /^token (\S+)$/.exec(
			String(request.headers.authorization ?? ''),
		);
		const checked = github.checkAccess(auth?.[1] ?? '');
		if (checked.kind !== 'ok') return badCredentials();
		const login = checked.grant.subject['login'] ?? settings.login;
		return jsonResponse(
			200,
			settings.user ?? defaultCopilotUser(now(), login, settings.copilotPlan),
		);
	};

	const server = await startFakeServer({
		routes: [
			...device.routes,
			{
				name: 'copilotToken',
				method: 'GET',
				path: PATHS.copilotToken,
				handle: copilotToken,
			},
			{name: 'user', method: 'GET', path: PATHS.user, handle: user},
			{
				name: 'models',
				method: 'GET',
				path: `${PATHS.models}/models`,
				handle: models,
			},
			{
				name: 'modelPolicy',
				method: 'POST',
				path: `${PATHS.models}/models/:id/policy`,
				handle: policy,
			},
		],
	});
	const devicePage = server.url(DEVICE_PAGE);
	const decideDevice = async (code: string, decision: string) => {
		const result = await submitPage(devicePage, decision, {user_code: code});
		if (result.status !== 200) {
			throw new PiAuthError(
				'bad-response',
				`The device page refused the code: ${pageMessage(result)}`,
			);
		}
	};

	return {
		...server,
		endpoints: Object.fromEntries(
			Object.entries(PATHS).map(([name, path]) => [name, server.url(path)]),
		) as FakeGithub['endpoints'],
		devicePage,
		settings,
		approveDevice: async code => decideDevice(code, 'approve'),
		denyDevice: async code => decideDevice(code, 'deny'),
		expireDevice: device.expire,
		issueGithubToken: input => issueGithubToken(input?.login),
		revoke: github.revoke,
		secrets: () => [...github.secrets(), ...sessions.secrets()],
	};
};
