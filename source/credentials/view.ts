import type {Provider} from '../providers/types.js';
import {providers} from '../providers/registry.js';
import type {AuthData} from './auth-file.js';
import {
	type Credential,
	type CredentialState,
	credentialState,
	isRecord,
	parseCredential,
} from './credential.js';

/** One row of `status`: a stored or environment credential of a provider pi-auth knows. */
export type CredentialView = {
	provider: Provider;
	source: 'file' | 'env';
	/** The environment variable, for `source: 'env'`. */
	variable?: string;
	/** Undefined when the stored entry is not a usable credential. */
	credential?: Credential;
	type: 'oauth' | 'api_key';
	state: CredentialState;
	/** Epoch ms, or null for API keys and environment tokens whose expiry is unknown. */
	expires: number | null;
	account?: string;
	/** Why the state is needs-login (a server error code, or `invalid-entry`). */
	reason?: string;
};

const storedView = (
	provider: Provider,
	raw: unknown,
	now: number,
): CredentialView => {
	const credential = parseCredential(raw);
	if (!credential) {
		return {
			provider,
			source: 'file',
			type: isRecord(raw) && raw['type'] === 'api_key' ? 'api_key' : 'oauth',
			state: 'needs-login',
			expires: null,
			reason: 'invalid-entry',
		};
	}

	const account = provider.account?.(credential);
	return {
		provider,
		source: 'file',
		credential,
		type: credential.type,
		state: credentialState(credential, now),
		expires: credential.type === 'oauth' ? credential.expires : null,
		...(account ? {account} : {}),
		...(credential.type === 'oauth' && credential.needsLogin
			? {reason: credential.needsLogin.reason}
			: {}),
	};
};

/** Stored entries win over the environment; entries of unknown providers are not listed. */
export const listCredentials = (
	data: AuthData,
	env: NodeJS.ProcessEnv,
	now: number,
): CredentialView[] =>
	providers.flatMap((provider): CredentialView[] => {
		if (Object.hasOwn(data, provider.id)) {
			return [storedView(provider, data[provider.id], now)];
		}

		const fromEnv = provider.fromEnv?.(env);
		if (!fromEnv) return [];
		// An environment token's expiry is unknown: it is shown as valid with no countdown.
		return [
			{
				provider,
				source: 'env',
				variable: fromEnv.variable,
				credential: fromEnv.credential,
				type: fromEnv.credential.type,
				state: 'valid',
				expires: null,
			},
		];
	});
