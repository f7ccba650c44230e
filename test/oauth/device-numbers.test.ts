import {describe, expect, it} from 'vitest';
import {
	deviceInterval,
	deviceLifetime,
} from '../../source/oauth/device-numbers.js';

describe('device-flow numbers from the server (RFC 8628 §3.2)', () => {
	it.each([
		[5, 5],
		['5', 5],
		[' 2.5 ', 2.5],
		[0.05, 1],
		[1e10, 60],
		['1e10', 60],
		[3600, 60],
	])('interval %j → %j s', (value, seconds) => {
		expect(deviceInterval(value)).toBe(seconds);
	});

	it.each([
		undefined,
		null,
		0,
		-5,
		'',
		'soon',
		Number.NaN,
		Number.POSITIVE_INFINITY,
		'Infinity',
		true,
		{},
	])('interval %j → the 5 s default', value => {
		expect(deviceInterval(value)).toBeUndefined();
	});

	it.each([
		[900, 900],
		['600', 600],
		[1e10, 1800],
		[7200, 1800],
		[Number.POSITIVE_INFINITY, 900],
		[-1, 900],
		[0, 900],
		['never', 900],
		[undefined, 900],
	])('expires_in %j → %j s', (value, seconds) => {
		expect(deviceLifetime(value, 900)).toBe(seconds);
	});
});
