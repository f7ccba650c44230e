/*
Authorize-request helpers the provider adapters share. No node:crypto import here: the adapters are
loaded by every command, and node:crypto costs ~3 ms of start-up that `token` does not need (Web
Crypto's getRandomValues loads only when called).
*/
/** `state` values: OpenAI wants 16 bytes hex, others take base64url (docs/providers.md). */
export const randomState = (
	bytes: number,
	encoding: 'hex' | 'base64url',
): string =>
	Buffer.from(
		globalThis.crypto.getRandomValues(new Uint8Array(bytes)),
	).toString(encoding);

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
