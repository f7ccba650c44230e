/** pi's credential entry shapes. Unknown fields ride along untouched (index signature). */
export type NeedsLogin = {reason: string; at: number};

export type OAuthCredential = {
	type: 'oauth';
	access: string;
	refresh: string;
	/** Epoch ms with the provider's buffer already taken off (docs/providers.md). */
	expires: number;
	accountId?: string;
	enterpriseUrl?: string;
	needsLogin?: NeedsLogin;
	[field: string]: unknown;
};

export type ApiKeyCredential = {
	type: 'api_key';
	key: string;
	[field: string]: unknown;
};

export type Credential = OAuthCredential | ApiKeyCredential;

export type CredentialState = 'valid' | 'expiring' | 'expired' | 'needs-login';

/** docs/providers.md: refresh when less than 5 minutes of validity remain. */
export const EXPIRING_WITHIN_MS = 5 * 60_000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const parseNeedsLogin = (value: unknown): NeedsLogin | undefined =>
	isRecord(value) && typeof value['reason'] === 'string'
		? {
				reason: value['reason'],
				at: typeof value['at'] === 'number' ? value['at'] : 0,
			}
		: undefined;

/** A typed view of one raw entry, or undefined when the entry is not a usable credential. */
export const parseCredential = (value: unknown): Credential | undefined => {
	if (!isRecord(value)) return undefined;
	if (value['type'] === 'api_key') {
		return typeof value['key'] === 'string' && value['key'] !== ''
			? (value as ApiKeyCredential)
			: undefined;
	}

	if (
		value['type'] === 'oauth' &&
		typeof value['access'] === 'string' &&
		typeof value['expires'] === 'number' &&
		Number.isFinite(value['expires'])
	) {
		const needsLogin = parseNeedsLogin(value['needsLogin']);
		return {
			...value,
			refresh: typeof value['refresh'] === 'string' ? value['refresh'] : '',
			...(needsLogin ? {needsLogin} : {}),
		} as OAuthCredential;
	}

	return undefined;
};

export const credentialState = (
	credential: Credential,
	now: number,
): CredentialState => {
	if (credential.type === 'api_key') return 'valid';
	if (credential.needsLogin) return 'needs-login';
	const left = credential.expires - now;
	if (left <= 0) return 'expired';
	return left < EXPIRING_WITHIN_MS ? 'expiring' : 'valid';
};

export {isRecord};
