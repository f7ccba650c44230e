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
which is also what every provider in docs/providers.md expects. Exported separately so the appendix B
test vector can be checked.
*/
export const pkceFromBytes = (bytes: Uint8Array): Pkce =>
	pkceFromVerifier(Buffer.from(bytes).toString('base64url'));

export const createPkce = (): Pkce => pkceFromBytes(randomBytes(32));
