import {isRecord} from '../credentials/credential.js';
import {PiAuthError} from '../errors.js';
import {printableText} from '../printable.js';

export type TokenResponse = {
	accessToken: string;
	refreshToken?: string;
	/** Seconds; some servers send a numeric string. */
	expiresIn?: number;
	idToken?: string;
	body: Record<string, unknown>;
};

const badResponse = (what: string) =>
	new PiAuthError(
		'bad-response',
		`The sign-in server answered without ${what}. Try again; if it keeps happening the provider may have changed its protocol.`,
	);

/*
Beyond ten years a lifetime is a server bug, and a huge one (1e308) makes `now + expires_in * 1000`
Infinity, which JSON stores as null: an unusable entry right after the refresh token rotated.
Such a value counts as absent, so the provider's default lifetime applies.
*/
const MAX_LIFETIME_S = 10 * 365 * 24 * 3600;

const seconds = (value: unknown): number | undefined => {
	const number = typeof value === 'string' ? Number(value) : value;
	return typeof number === 'number' &&
		Number.isFinite(number) &&
		number > 0 &&
		number <= MAX_LIFETIME_S
		? number
		: undefined;
};

/** A tolerant reading of an RFC 6749 §5.1 token response: extra fields ignored, types checked. */
export const readTokenResponse = (body: unknown): TokenResponse => {
	if (!isRecord(body)) throw badResponse('a JSON object');
	const access = body['access_token'];
	if (typeof access !== 'string' || access === '')
		throw badResponse('an access token');
	const refresh = body['refresh_token'];
	const idToken = body['id_token'];
	const expiresIn = seconds(body['expires_in']);
	return {
		accessToken: access,
		...(typeof refresh === 'string' && refresh !== ''
			? {refreshToken: refresh}
			: {}),
		...(expiresIn === undefined ? {} : {expiresIn}),
		...(typeof idToken === 'string' ? {idToken} : {}),
		body,
	};
};

/** A JWT's payload, unverified: used only to read labels and ids the provider put there. */
export const decodeJwtPayload = (
	token: string,
): Record<string, unknown> | undefined => {
	const payload = token.split('.')[1];
	if (!payload) return undefined;
	try {
		const value: unknown = JSON.parse(
			Buffer.from(payload, 'base64url').toString('utf8'),
		);
		return isRecord(value) ? value : undefined;
	} catch {
		return undefined;
	}
};

/**
The `account` label pi-auth stores beside pi's fields (shown by status, ignored by pi). Other tools
write the file too: it is made printable as it is read (printable.ts).
*/
export const storedAccount = (
	credential: Record<string, unknown>,
): string | undefined => printableText(credential['account']);
