import {createHash, randomBytes} from 'node:crypto';

export type Pkce = {verifier: string; challenge: string; method: 'S256'};

/** RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))), no padding. */
export const pkceFromVerifier = (verifier: string): Pkce => ({
	verifier,
	challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url'),
	method: 'S256',
});

/**
RFC 7636 §4.1 recommends 32 octets of randomness, base64url-encoded: a 43-character verifier,
which is also what every provider in providers.md expects. Exported separately so the appendix B
test vector can be checked.
*/
export const pkceFromBytes = (bytes: Uint8Array): Pkce =>
	pkceFromVerifier(Buffer.from(bytes).toString('base64url'));

export const createPkce = (): Pkce => pkceFromBytes(randomBytes(32));

/** `state` values: OpenAI wants 16 bytes hex, others take base64url (providers.md). */
export const randomState = (
	bytes: number,
	encoding: 'hex' | 'base64url',
): string => randomBytes(bytes).toString(encoding);

/*
Spaces become %20 rather than URLSearchParams' `+`: RFC 3986 percent-encoding is understood by every
authorization server, while `+` relies on form decoding of the query, which not all pages do.
*/
const encode = (value: string): string => encodeURIComponent(value);

/**
Appends `params` to the authorize endpoint's query. A parameter already in the endpoint's query
(an override from the config file) is replaced by the one given here, so it is never sent twice.
*/
export const buildAuthorizeUrl = (
	endpoint: string,
	params: Record<string, string>,
): string => {
	const url = new URL(endpoint);
	const pairs: Array<[string, string]> = [
		...[...url.searchParams].filter(([key]) => !Object.hasOwn(params, key)),
		...Object.entries(params),
	];
	url.search = pairs
		.map(([key, value]) => `${encode(key)}=${encode(value)}`)
		.join('&');
	return url.href;
};
