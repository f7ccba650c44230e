import {createHash} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {
	buildAuthorizeUrl,
	randomState,
} from '../../source/oauth/authorize-url.js';
import {
	createPkce,
	pkceFromBytes,
	pkceFromVerifier,
} from '../../source/oauth/pkce.js';

// RFC 7636 appendix B.
const VECTOR_BYTES = Uint8Array.from([
	116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
	22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
]);
const VECTOR_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const VECTOR_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('pkce', () => {
	it('matches the RFC 7636 appendix B vector', () => {
		expect(pkceFromBytes(VECTOR_BYTES)).toEqual({
			verifier: VECTOR_VERIFIER,
			challenge: VECTOR_CHALLENGE,
			method: 'S256',
		});
		expect(pkceFromVerifier(VECTOR_VERIFIER).challenge).toBe(VECTOR_CHALLENGE);
	});

	it('creates 43-character base64url verifiers whose challenge is their SHA-256', () => {
		const seen = new Set<string>();
		for (let index = 0; index < 50; index++) {
			const pkce = createPkce();
			expect(pkce.verifier).toMatch(/^[\w-]{43}$/);
			expect(pkce.challenge).toMatch(/^[\w-]{43}$/);
			expect(pkce.method).toBe('S256');
			expect(pkce.challenge).toBe(
				createHash('sha256').update(pkce.verifier).digest('base64url'),
			);
			seen.add(pkce.verifier);
		}

		expect(seen.size).toBe(50);
	});

	it('makes random states in hex or base64url', () => {
		expect(randomState(16, 'hex')).toMatch(/^[\da-f]{32}$/);
		expect(randomState(32, 'base64url')).toMatch(/^[\w-]{43}$/);
		expect(randomState(16, 'hex')).not.toBe(randomState(16, 'hex'));
	});
});

describe('buildAuthorizeUrl', () => {
	it('percent-encodes parameters, spaces as %20', () => {
		const url = buildAuthorizeUrl('https://claude.ai/oauth/authorize', {
			code: 'true',
			scope: 'org:create_api_key user:profile',
			redirect_uri: 'http://localhost:53692/callback',
		});
		expect(url).toBe(
			'https://claude.ai/oauth/authorize?code=true&scope=org%3Acreate_api_key%20user%3Aprofile&redirect_uri=http%3A%2F%2Flocalhost%3A53692%2Fcallback',
		);
		const parsed = new URL(url);
		expect(parsed.searchParams.get('scope')).toBe(
			'org:create_api_key user:profile',
		);
	});

	it('keeps the endpoint query and lets the given parameters win', () => {
		const url = new URL(
			buildAuthorizeUrl('https://example.test/authorize?tenant=a&state=old', {
				state: 'new',
				a: 'b&c=d',
			}),
		);
		expect([...url.searchParams]).toEqual([
			['tenant', 'a'],
			['state', 'new'],
			['a', 'b&c=d'],
		]);
	});
});
