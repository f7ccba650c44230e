/*
Meta (Muse), docs/providers.md "Meta": RFC 8628 gives an identity token that inference does not accept;
a second call mints a Model API key with it. The key is stored as `access`, the identity token as
`refresh`, so the one refresh path "refreshes" by minting again. Meta's auth server answers
refresh_token grants with 404: no refresh_token grant is ever sent to it.
*/
import type {OAuthCredential} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {trustedUrl} from '../oauth/device-flow.js';
import {postToken} from '../oauth/http.js';
import {credentialFromSecret} from './secrets.js';
import type {Provider, ProviderContext} from './types.js';
import {signalOf, startDeviceSignIn} from './requests.js';

const CLIENT_ID = '1031625952748946';
/** docs/providers.md: a minted key is assumed to live a day; pi stores now + 24 h with no margin. */
const KEY_LIFETIME_MS = 24 * 3_600_000;

/** The key-minting call: the identity token buys a Model API key, or a page to visit first. */
const mintKey = async (
	context: ProviderContext,
	identityToken: string,
): Promise<OAuthCredential> => {
	const url = context.endpoints['key'] ?? '';
	let body: Record<string, unknown>;
	try {
		body = await postToken({
			fetch: context.fetch,
			url,
			encoding: 'json',
			headers: {
				Authorization: `Bearer ${identityToken}`,
				'x-api-version': '1.0.0',
			},
			body: {},
			...signalOf(context),
		});
	} catch (error) {
		// docs/providers.md: 401/403 here means the identity token is dead; only a new sign-in helps.
		if (
			error instanceof PiAuthError &&
			(error.status === 401 || error.status === 403)
		) {
			throw new PiAuthError(
				'revoked',
				`Meta no longer accepts this sign-in (HTTP ${error.status}). Sign in again.`,
				{
					cause: error,
					status: error.status,
					serverCode: error.serverCode ?? `http_${error.status}`,
				},
			);
		}

		throw error;
	}

	const key = body['api_key'];
	if (typeof key === 'string' && key !== '') {
		return {
			type: 'oauth',
			access: key,
			refresh: identityToken,
			expires: context.now() + KEY_LIFETIME_MS,
		};
	}

	// The account must do something on Meta's side first (accept terms, pick a plan): show where.
	const action = trustedUrl(body['action_url'], {endpoint: url});
	if (action) {
		throw new PiAuthError(
			'action-required',
			`Meta has no API key for this account yet. Open ${action} to finish setting up the account, then sign in again.`,
		);
	}

	throw new PiAuthError(
		'bad-response',
		'Meta answered without an API key. Try again; if it keeps happening Meta may have changed its protocol.',
	);
};

export const meta: Provider = {
	id: 'meta',
	name: 'Meta (Muse)',
	subscription: 'Meta Muse subscription',
	notice:
		'Meta has not said whether its subscription may be used outside its own tools.',
	methods: ['device', 'api-key'],
	endpointNames: ['deviceCode', 'token', 'key'],
	defaultEndpoints: () => ({
		// The trailing slashes are part of Meta's URLs (docs/providers.md).
		deviceCode: 'https://auth.meta.com/oidc/device/authorization/',
		token: 'https://auth.meta.com/oidc/device/token/',
		key: 'https://api.meta.ai/muse-code/key',
	}),
	async startDevice(context) {
		return startDeviceSignIn(context, {
			deviceUrl: context.endpoints['deviceCode'] ?? '',
			tokenUrl: context.endpoints['token'] ?? '',
			clientId: CLIENT_ID,
			body: {client_id: CLIENT_ID},
			read: {provider: 'Meta'},
			finish: async body => {
				const identity = body['access_token'];
				if (typeof identity !== 'string' || identity === '') {
					throw new PiAuthError(
						'bad-response',
						'Meta finished the device sign-in without a token. Start the sign-in again.',
					);
				}

				return mintKey(context, identity);
			},
		});
	},
	async refresh(context, credential) {
		const {type: _type, ...fields} = await mintKey(context, credential.refresh);
		return fields;
	},
	fromSecret: (method, secret, now) =>
		credentialFromSecret(method, secret, now, {provider: 'meta'}),
	fromEnv(env) {
		const key = env['META_API_KEY'];
		return key
			? {variable: 'META_API_KEY', credential: {type: 'api_key', key}}
			: undefined;
	},
};
