/*
Small building blocks of the fakes: random token text, the PKCE S256 transform, and a Map that
forgets its oldest entries, so no fake's state grows without bound however long the demo runs.

Public API: randomToken, s256, BoundedMap.
*/
import {createHash, randomBytes} from 'node:crypto';

/** `prefix` + `bytes` random bytes, base64url (the shape of every provider's opaque tokens). */
export const randomToken = (prefix: string, bytes = 32): string =>
	`${prefix}${randomBytes(bytes).toString('base64url')}`;

/** RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))). */
export const s256 = (verifier: string): string =>
	createHash('sha256').update(verifier, 'ascii').digest('base64url');

/** A Map capped at `max` entries: setting a new key past the cap drops the oldest one. */
export class BoundedMap<K, V> extends Map<K, V> {
	constructor(private readonly max: number) {
		super();
	}

	override set(key: K, value: V): this {
		if (!this.has(key) && this.size >= this.max) {
			const oldest = this.keys().next();
			if (!oldest.done) this.delete(oldest.value);
		}

		return super.set(key, value);
	}
}

/**
The demo's stand-in for a person approving a device code (sandbox.ts `autoApproveDeviceMs`): a
pending code counts as approved once `afterMs` have passed since it was issued. Off when undefined.
*/
export const autoApprove = (
	device: {status: 'pending' | 'approved' | 'denied'; issuedAt: number},
	afterMs: number | undefined,
	now: number,
): void => {
	if (
		device.status === 'pending' &&
		afterMs !== undefined &&
		now - device.issuedAt >= afterMs
	) {
		device.status = 'approved';
	}
};
