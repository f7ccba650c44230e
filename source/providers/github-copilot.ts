// postToken, not an RFC client library: GitHub answers device-flow errors with HTTP 200 (RFC 8628 §3.5
// says 400), and the Copilot token is a plain GET with editor headers (docs/providers.md).
import type {OAuthCredential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {deviceInterval, deviceLifetime} from '../oauth/device-numbers.js';
import type {DevicePoll} from '../oauth/device-poller.js';
import {errorCode, getJson, postToken} from '../oauth/http.js';
import {printableText} from '../printable.js';
import {enableModels, fetchModels} from './copilot-models.js';
import {storedAccount} from './token-response.js';
import type {Provider, ProviderContext} from './types.js';
import {signalOf} from './requests.js';

const CLIENT_ID = 'Iv1.b507a08c87ecfe98';
/** The Copilot token endpoint answers only editors it knows (docs/providers.md). */
export const EDITOR_HEADERS = {
	'User-Agent': 'GitHubCopilotChat/0.35.0',
	'Editor-Version': 'vscode/1.107.0',
	'Editor-Plugin-Version': 'copilot-chat/0.35.0',
	'Copilot-Integration-Id': 'vscode-chat',
};
/** The device-code and poll requests carry the editor's User-Agent too, as pi sends them (docs/providers.md). */
const DEVICE_HEADERS = {'User-Agent': EDITOR_HEADERS['User-Agent']};
/** pi stores Copilot expiry 5 minutes early (docs/providers.md). */
const EXPIRY_BUFFER_MS = 5 * 60_000;

/** The second step: a GitHub token buys a ~30-minute Copilot token. This is Copilot's "refresh". */
const copilotToken = async (context: ProviderContext, githubToken: string) => {
	const body = await getJson({
		fetch: context.fetch,
		// A 401 here means the GitHub token is revoked: a permanent refresh failure (needs-login).
		kind: 'token',
		url: context.endpoints['copilotToken'] ?? '',
		headers: {Authorization: `Bearer ${githubToken}`, ...EDITOR_HEADERS},
		...signalOf(context),
	});
	const token = body['token'];
	const expiresAt = Number(body['expires_at']);
	/*
	An empty token would be stored as a blank access token, and expires_at must be a real time:
	'' reads as 0, and 1e308 s is Infinity in ms, which JSON stores as null (an unusable entry).
	*/
	if (
		typeof token !== 'string' ||
		token === '' ||
		!(expiresAt > 0) ||
		!Number.isFinite(new Date(expiresAt * 1000).getTime())
	) {
		throw new PiAuthError(
			'bad-response',
			'GitHub answered without a Copilot token. Check that this account has a Copilot subscription.',
		);
	}

	return {access: token, expires: expiresAt * 1000 - EXPIRY_BUFFER_MS};
};

/**
The models pi may offer (copilot-models.ts). At sign-in, unconfigured ones are enabled first. A
failure leaves the list out rather than failing: without it pi offers its whole catalogue, and a
refresh keeps the list it had.
*/
const availableModels = async (
	context: ProviderContext,
	copilot: string,
	enterprise: string | undefined,
	enable: boolean,
): Promise<{availableModelIds?: string[]}> => {
	try {
		const models = await fetchModels(
			context,
			copilot,
			enterprise,
			EDITOR_HEADERS,
		);
		const enabled = enable
			? await enableModels(
					context,
					copilot,
					enterprise,
					EDITOR_HEADERS,
					models.unconfigured,
				)
			: [];
		return {availableModelIds: [...new Set([...models.available, ...enabled])]};
	} catch (error) {
		if (context.signal?.aborted) throw error;
		return {};
	}
};

const login = async (context: ProviderContext, githubToken: string) => {
	try {
		const body = await getJson({
			fetch: context.fetch,
			url: context.endpoints['user'] ?? '',
			headers: {Authorization: `token ${githubToken}`, ...EDITOR_HEADERS},
			...signalOf(context),
		});
		return printableText(body['login']);
	} catch {
		// The label is a nicety; a failing quota endpoint must not fail the sign-in.
		return undefined;
	}
};

/** GitHub answers pending and slow_down with HTTP 200 and an `error` field, not 400 as RFC 8628 §3.5 says. */
const pollResult = (
	code: string | undefined,
): DevicePoll<never> | undefined => {
	switch (code) {
		case 'authorization_pending':
			return {status: 'pending'};
		case 'slow_down':
			return {status: 'slow_down'};
		case 'expired_token':
			throw new PiAuthError(
				'code-expired',
				'The device code has expired. Start the sign-in again.',
			);
		case 'access_denied':
			throw new PiAuthError(
				'access-denied',
				'The sign-in was denied on GitHub. Start again and choose Authorize.',
			);
		default:
			return undefined;
	}
};

export const githubCopilot: Provider = {
	id: 'github-copilot',
	name: 'GitHub Copilot',
	subscription: 'GitHub Copilot subscription',
	methods: ['device'],
	asksEnterpriseDomain: true,
	// `models`: the base of the model list, derived from the Copilot token unless configured.
	endpointNames: [
		'deviceCode',
		'accessToken',
		'copilotToken',
		'user',
		'models',
	],
	defaultEndpoints: (domain = 'github.com') => ({
		deviceCode: `https://${domain}/login/device/code`,
		accessToken: `https://${domain}/login/oauth/access_token`,
		copilotToken: `https://api.${domain}/copilot_internal/v2/token`,
		user: `https://api.${domain}/copilot_internal/user`,
	}),
	async startDevice(context, {enterpriseDomain}) {
		const start = await postToken({
			fetch: context.fetch,
			url: context.endpoints['deviceCode'] ?? '',
			encoding: 'form',
			body: {client_id: CLIENT_ID, scope: 'read:user'},
			headers: DEVICE_HEADERS,
			...signalOf(context),
		});
		// GitHub refuses with HTTP 200 and an `error` here too (e.g. device_flow_disabled).
		const refused = errorCode(start);
		if (refused) {
			throw new PiAuthError(
				refused === 'device_flow_disabled' ? 'device-disabled' : 'bad-response',
				`GitHub would not start a device sign-in (${refused}). Check the GitHub Enterprise host, or ask its admin to enable device sign-in for OAuth apps.`,
				{serverCode: refused},
			);
		}

		const deviceCode = start['device_code'];
		// Both are only shown (printable.ts); the poll sends the device_code.
		const userCode = printableText(start['user_code']);
		const verificationUri = printableText(start['verification_uri']);
		if (
			typeof deviceCode !== 'string' ||
			userCode === undefined ||
			verificationUri === undefined
		) {
			throw new PiAuthError(
				'bad-response',
				'GitHub answered the device request without a code. Try again in a moment.',
			);
		}

		// Bounded where they are read (device-numbers.ts): 1–60 s, at most 30 minutes.
		const interval = deviceInterval(start['interval']);
		return {
			userCode,
			verificationUri,
			expiresInSeconds: deviceLifetime(start['expires_in'], 900),
			...(interval === undefined ? {} : {intervalSeconds: interval}),
			async poll(): Promise<DevicePoll<OAuthCredential>> {
				let body: Record<string, unknown>;
				try {
					body = await postToken({
						fetch: context.fetch,
						url: context.endpoints['accessToken'] ?? '',
						encoding: 'form',
						headers: DEVICE_HEADERS,
						body: {
							client_id: CLIENT_ID,
							device_code: deviceCode,
							grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
						},
						...signalOf(context),
					});
				} catch (error) {
					const mapped =
						error instanceof PiAuthError
							? pollResult(error.serverCode)
							: undefined;
					if (mapped) return mapped;
					throw error;
				}

				const pending = pollResult(errorCode(body));
				if (pending) return pending;
				const githubToken = body['access_token'];
				if (typeof githubToken !== 'string' || githubToken === '') {
					throw new PiAuthError(
						'bad-response',
						`GitHub answered the device poll with ${errorCode(body) ?? 'no token'}. Start the sign-in again.`,
					);
				}

				const [copilot, account] = await Promise.all([
					copilotToken(context, githubToken),
					login(context, githubToken),
				]);
				const models = await availableModels(
					context,
					copilot.access,
					enterpriseDomain,
					true,
				);
				return {
					status: 'done',
					value: {
						type: 'oauth',
						...copilot,
						refresh: githubToken,
						...(enterpriseDomain ? {enterpriseUrl: enterpriseDomain} : {}),
						...models,
						...(account ? {account} : {}),
					},
				};
			},
		};
	},
	async refresh(context, credential) {
		const copilot = await copilotToken(context, credential.refresh);
		// An environment token (no expiry) is exchanged on every `token` and never stored: the
		// model list would be fetched for nothing.
		if (!Number.isFinite(credential.expires)) return copilot;
		return {
			...copilot,
			...(await availableModels(
				context,
				copilot.access,
				credential.enterpriseUrl,
				false,
			)),
		};
	},
	fromEnv(env) {
		// A GitHub token: the long-lived half (`refresh`); the Copilot token is bought from it.
		const token = env['COPILOT_GITHUB_TOKEN'];
		return token
			? {
					variable: 'COPILOT_GITHUB_TOKEN',
					credential: {
						type: 'oauth',
						access: '',
						refresh: token,
						expires: Number.POSITIVE_INFINITY,
					},
				}
			: undefined;
	},
	account: storedAccount,
};
