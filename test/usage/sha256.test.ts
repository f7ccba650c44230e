import {createHash} from 'node:crypto';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {sha256Hex} from '../../source/usage/sha256.js';

const reference = (text: string) =>
	createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex', () => {
	it('is SHA-256: the standard vectors and every block boundary', () => {
		expect(sha256Hex('')).toBe(
			'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
		);
		expect(sha256Hex('abc')).toBe(
			'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
		);
		// Lengths around 55, 56 and 64 bytes change how the padding is laid out.
		for (let length = 0; length <= 200; length++) {
			const text = 'x'.repeat(length);
			expect(sha256Hex(text)).toBe(reference(text));
		}
	});

	it('agrees with node:crypto on any text, UTF-8 encoded', () => {
		fc.assert(
			fc.property(fc.string({unit: 'binary', maxLength: 600}), text => {
				expect(sha256Hex(text)).toBe(reference(text));
			}),
			{numRuns: 1000},
		);
	});
});
