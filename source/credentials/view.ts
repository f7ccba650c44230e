import type {Provider} from '../providers/types.js';
import {findProvider, providers} from '../providers/registry.js';
import type {AuthData} from './auth-file.js';
import {
	type Credential,
	type CredentialState,
	credentialState,
	isRecord,
	parseCredential,
} from './credential.js';
import {type KeyKind, keyKind} from './key-value.js';

/**
One row of `status`: a stored entry (of any provider id pi uses) or an environment credential of
a provider pi-auth knows.
*/
export type CredentialView = {
	/** Unique in a listing: the provider id, or `provider:profile` for a profile (profiles/view.ts). */
	key: string;
	provider: Provider;
	/** The profile name (docs/contract.md "Profiles"); absent for environment and unmanaged entries. */
	profile?: string;
	/** The credential pi uses for this provider id (the file's entry, or the environment's). */
	active: boolean;
	/**
	The file's entry belongs to another account than the active profile on record: another program
	signed it in (pi's own /login). Names that profile and whose it was.
	*/
	replaced?: {profile: string; account?: string};
	/** False for an id pi-auth cannot sign in to (a `groq` key pi uses): shown, never refreshed. */
	managed: boolean;
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
	/** For an invalid entry: what is wrong with it, in words (never its content). */
	problem?: string;
	/** How an API key's value is given (docs/pi-compat.md); status never resolves it. */
	keyKind?: KeyKind;
};

/** What makes a stored entry unusable, said without quoting it (it may hold a secret). */
const entryProblem = (raw: unknown): string => {
	if (!isRecord(raw)) {
		const kind =
			raw === null
				? 'null'
				: Array.isArray(raw)
					? 'an array'
					: `a ${typeof raw}`;
		return `it is ${kind}, not an object`;
	}

	const type = raw['type'];
	if (type === 'api_key') return 'its "key" is missing or not text';
	if (type !== 'oauth') return 'its "type" is neither "oauth" nor "api_key"';
	return typeof raw['access'] === 'string'
		? 'its "expires" is not a number'
		: 'its "access" token is missing';
};

/**
A stand-in for an id pi-auth has no adapter for: named by its id, no methods, nothing to refresh,
so every path that would sign in, refresh or fetch usage for it has nothing to call.
*/
const unmanagedProvider = (id: string): Provider => ({
	id,
	name: id,
	subscription: '',
	methods: [],
	endpointNames: [],
	defaultEndpoints: () => ({}),
});

export const storedView = (
	provider: Provider,
	managed: boolean,
	raw: unknown,
	now: number,
): CredentialView => {
	const credential = parseCredential(raw);
	if (!credential) {
		return {
			key: provider.id,
			active: true,
			provider,
			managed,
			source: 'file',
			type: isRecord(raw) && raw['type'] === 'api_key' ? 'api_key' : 'oauth',
			state: 'needs-login',
			expires: null,
			reason: 'invalid-entry',
			problem: entryProblem(raw),
		};
	}

	const account = provider.account?.(credential);
	return {
		key: provider.id,
		active: true,
		provider,
		managed,
		source: 'file',
		credential,
		type: credential.type,
		state: credentialState(credential, now),
		expires: credential.type === 'oauth' ? credential.expires : null,
		...(account ? {account} : {}),
		...(credential.type === 'oauth' && credential.needsLogin
			? {reason: credential.needsLogin.reason}
			: {}),
		...(credential.type === 'api_key'
			? {keyKind: keyKind(credential.key)}
			: {}),
	};
};

/**
Every entry of the file, then environment credentials of known providers without one (a stored
credential wins). Known providers come in the registry's order, other ids in the file's order.
*/
export const listCredentials = (
	data: AuthData,
	env: NodeJS.ProcessEnv,
	now: number,
): CredentialView[] => {
	const known = providers.flatMap((provider): CredentialView[] => {
		if (Object.hasOwn(data, provider.id)) {
			return [storedView(provider, true, data[provider.id], now)];
		}

		const fromEnv = provider.fromEnv?.(env);
		if (!fromEnv) return [];
		// An environment token's expiry is unknown: it is shown as valid with no countdown.
		return [
			{
				key: provider.id,
				active: true,
				provider,
				managed: true,
				source: 'env',
				variable: fromEnv.variable,
				credential: fromEnv.credential,
				type: fromEnv.credential.type,
				state: 'valid',
				expires: null,
				...(fromEnv.credential.type === 'api_key'
					? {keyKind: 'literal' as const}
					: {}),
			},
		];
	});
	const others = Object.keys(data)
		.filter(id => !findProvider(id))
		.map(id => storedView(unmanagedProvider(id), false, data[id], now));
	return [...known, ...others];
};
