// postToken, not an RFC client library: Codex's device login is its own JSON protocol (not RFC 8628,
// pending as 403/404), and its token answers must be read tolerantly (docs/providers.md).
import {isRecord, type OAuthCredential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {deviceInterval} from '../oauth/device-numbers.js';
import {postToken} from '../oauth/http.js';
import {printableText} from '../printable.js';
import {buildAuthorizeUrl, randomState} from '../oauth/authorize-url.js';
import {
	decodeJwtPayload,
	readTokenResponse,
	storedAccount,
	type TokenResponse,
} from './token-response.js';
import type {Provider, ProviderContext} from './types.js';
import {postForm, signalOf} from './requests.js';

const CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
const SCOPE = 'openid profile email offline_access';
const AUTH_CLAIM = 'https://api.openai.com/auth';
const PROFILE_CLAIM = 'https://api.openai.com/profile';
/** Stays literal even when endpoints are overridden: it is what the server expects (docs/providers.md). */
const DEVICE_REDIRECT_URI = 'https://auth.openai.com/deviceauth/callback';
/** docs/providers.md: give up on a device code after 15 minutes. */
const DEVICE_LIFETIME_S = 15 * 60;

/** A string claim, made printable: the account id and email are stored and shown (printable.ts). */
const claim = (
	payload: Record<string, unknown> | undefined,
	name: string,
	field: string,
) => {
	const value = payload?.[name];
	return isRecord(value) ? printableText(value[field]) : undefined;
};

/**
Codex needs the ChatGPT account id from the access token's auth claim; without it nothing works.
A refresh may fall back to the stored one: by then the old single-use refresh token is spent, and
refusing the new tokens would leave only a dead one behind.
*/
const toCredential = (
	tokens: TokenResponse,
	now: number,
	storedAccountId?: string,
): OAuthCredential => {
	const access = decodeJwtPayload(tokens.accessToken);
	const accountId =
		claim(access, AUTH_CLAIM, 'chatgpt_account_id') ?? storedAccountId;
	if (!accountId) {
		throw new PiAuthError(
			'bad-response',
			'The sign-in succeeded but the token carries no ChatGPT account id. Check that your ChatGPT plan includes Codex, then sign in again.',
		);
	}

	const idToken = tokens.idToken ? decodeJwtPayload(tokens.idToken) : undefined;
	const email =
		printableText(idToken?.['email']) ?? claim(access, PROFILE_CLAIM, 'email');
	return {
		type: 'oauth',
		access: tokens.accessToken,
		refresh: tokens.refreshToken ?? '',
		// pi stores Codex expiry with no buffer (docs/providers.md).
		expires: now + (tokens.expiresIn ?? 3600) * 1000,
		accountId,
		...(email ? {account: email} : {}),
	};
};

const tokenRequest = async (
	context: ProviderContext,
	body: Record<string, string>,
) =>
	readTokenResponse(
		await postForm(context, context.endpoints['token'] ?? '', body),
	);

const exchange = async (
	context: ProviderContext,
	input: {code: string; verifier: string; redirectUri: string},
) =>
	toCredential(
		await tokenRequest(context, {
			grant_type: 'authorization_code',
			client_id: CLIENT_ID,
			code: input.code,
			code_verifier: input.verifier,
			redirect_uri: input.redirectUri,
		}),
		context.now(),
	);

const isPending = (error: unknown) =>
	error instanceof PiAuthError &&
	(error.status === 403 ||
		error.status === 404 ||
		error.serverCode === 'deviceauth_authorization_pending');

export const openaiCodex: Provider = {
	id: 'openai-codex',
	name: 'OpenAI Codex (ChatGPT Plus/Pro)',
	subscription: 'ChatGPT Plus or Pro subscription',
	methods: ['oauth', 'device'],
	endpointNames: [
		'authorize',
		'token',
		'deviceUserCode',
		'deviceToken',
		'deviceVerification',
		'usage',
	],
	defaultEndpoints: () => ({
		authorize: 'https://auth.openai.com/oauth/authorize',
		token: 'https://auth.openai.com/oauth/token',
		deviceUserCode: 'https://auth.openai.com/api/accounts/deviceauth/usercode',
		deviceToken: 'https://auth.openai.com/api/accounts/deviceauth/token',
		deviceVerification: 'https://auth.openai.com/codex/device',
		usage: 'https://chatgpt.com/backend-api/wham/usage',
	}),
	// docs/providers.md: 1455 is often taken by Codex CLI and friends; 1457 is also registered.
	callback: {ports: [1455, 1457], path: '/auth/callback'},
	newState: () => randomState(16, 'hex'),
	// Paste-only keeps the registered localhost URI: the user copies the address the browser
	// fails to load, which still carries code and state.
	redirectUri: port => `http://localhost:${port ?? 1455}/auth/callback`,
	authorizeUrl: ({endpoints, redirectUri, challenge, state}) =>
		buildAuthorizeUrl(endpoints['authorize'] ?? '', {
			response_type: 'code',
			client_id: CLIENT_ID,
			redirect_uri: redirectUri,
			scope: SCOPE,
			code_challenge: challenge,
			code_challenge_method: 'S256',
			state,
			id_token_add_organizations: 'true',
			codex_cli_simplified_flow: 'true',
			originator: 'pi',
		}),
	exchangeCode: async (context, input) => exchange(context, input),
	async startDevice(context) {
		// Codex's own device endpoints, not RFC 8628: JSON bodies, a string interval, and
		// "pending" spelled as 403/404 (docs/providers.md; codex #9418 for 404 on the first call).
		let start: Record<string, unknown>;
		try {
			start = await postToken({
				fetch: context.fetch,
				url: context.endpoints['deviceUserCode'] ?? '',
				encoding: 'json',
				body: {client_id: CLIENT_ID},
				...signalOf(context),
			});
		} catch (error) {
			if (error instanceof PiAuthError && error.status === 404) {
				throw new PiAuthError(
					'device-disabled',
					'Device-code sign-in is not enabled for this ChatGPT account or workspace. Use browser sign-in instead: pi-auth login openai-codex --method oauth',
					{cause: error, status: 404},
				);
			}

			throw error;
		}

		const deviceAuthId = start['device_auth_id'];
		const userCode = start['user_code'];
		// Shown to the user printable; sent back in every poll exactly as the server gave it.
		const shownCode = printableText(userCode);
		if (
			typeof deviceAuthId !== 'string' ||
			typeof userCode !== 'string' ||
			shownCode === undefined
		) {
			throw new PiAuthError(
				'bad-response',
				'The device sign-in server answered without a code. Try again, or use browser sign-in.',
			);
		}

		// A string, bounded where it is read (device-numbers.ts): 1–60 s.
		const interval = deviceInterval(start['interval']);
		return {
			userCode: shownCode,
			verificationUri: context.endpoints['deviceVerification'] ?? '',
			expiresInSeconds: DEVICE_LIFETIME_S,
			...(interval === undefined ? {} : {intervalSeconds: interval}),
			async poll() {
				let body: Record<string, unknown>;
				try {
					body = await postToken({
						fetch: context.fetch,
						url: context.endpoints['deviceToken'] ?? '',
						encoding: 'json',
						body: {device_auth_id: deviceAuthId, user_code: userCode},
						...signalOf(context),
					});
				} catch (error) {
					if (isPending(error)) return {status: 'pending'};
					throw error;
				}

				const code = body['authorization_code'];
				const verifier = body['code_verifier'];
				if (typeof code !== 'string' || typeof verifier !== 'string') {
					return {status: 'pending'};
				}

				return {
					status: 'done',
					value: await exchange(context, {
						code,
						verifier,
						redirectUri: DEVICE_REDIRECT_URI,
					}),
				};
			},
		};
	},
	async refresh(context, credential) {
		const fresh = toCredential(
			await tokenRequest(context, {
				grant_type: 'refresh_token',
				refresh_token: credential.refresh,
				client_id: CLIENT_ID,
			}),
			context.now(),
			credential.accountId,
		);
		const {type: _type, ...fields} = fresh;
		return {...fields, refresh: fresh.refresh || credential.refresh};
	},
	account: credential =>
		storedAccount(credential) ??
		(credential.type === 'oauth'
			? claim(decodeJwtPayload(credential.access), PROFILE_CLAIM, 'email')
			: undefined),
};
