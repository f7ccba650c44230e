import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {amount} from '../../source/usage/describe.js';

const icu = (value: number) =>
	value.toLocaleString('en-US', {maximumFractionDigits: 2});

describe('amount', () => {
	it('says what toLocaleString en-US with two decimals says', () => {
		for (const value of [
			0,
			1,
			12,
			999.995,
			1.005,
			0.125,
			0.005,
			1203.55,
			1500,
			-42,
			-1234567.891,
			1e15 + 0.5,
			300.1,
			7.999,
		]) {
			expect(amount(value)).toBe(icu(value));
		}

		fc.assert(
			fc.property(
				fc.oneof(
					fc.integer({min: -1e12, max: 1e12}),
					fc.integer({min: -1e9, max: 1e9}).map(n => n / 1000),
					fc.double({min: -1e9, max: 1e9, noNaN: true}),
				),
				value => {
					// ICU writes a negative amount that rounds to nothing as "-0"; pi-auth writes 0.
					const expected = icu(value).replace(/^-0$/, '0');
					expect(amount(value)).toBe(expected);
				},
			),
			{numRuns: 2000},
		);
	});
});
