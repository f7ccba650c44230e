import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {PiAuthError} from '../../source/errors.js';
import {parsePaste} from '../../source/oauth/paste.js';

const CODE = 'ac_Zx9-kQ.T~f8_Long-Enough-Code_123';
const STATE = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

const failure = (run: () => unknown): PiAuthError => {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(PiAuthError);
		return error as PiAuthError;
	}

	throw new Error('expected a PiAuthError');
};

describe('parsePaste', () => {
	it.each([
		[
			'full URL',
			`http://localhost:1455/auth/callback?code=${CODE}&state=${STATE}`,
		],
		[
			'URL with iss',
			`https://x.test/cb?iss=https%3A%2F%2Fx.test&state=${STATE}&code=${CODE}`,
		],
		['query with ?', `?code=${CODE}&state=${STATE}`],
		['query without ?', `code=${CODE}&state=${STATE}`],
		['state first', `state=${STATE}&code=${CODE}`],
		['path and query', `/callback?code=${CODE}&state=${STATE}`],
		['code#state', `${CODE}#${STATE}`],
		['fragment URL', `https://x.test/cb#code=${CODE}&state=${STATE}`],
	])('reads a %s', (_name, input) => {
		expect(parsePaste(input, STATE)).toEqual({code: CODE, state: STATE});
		expect(parsePaste(input)).toEqual({code: CODE, state: STATE});
	});

	it('reads a bare code, and a URL without state', () => {
		expect(parsePaste(CODE, STATE)).toEqual({code: CODE});
		expect(parsePaste(`https://x.test/cb?code=${CODE}`, STATE)).toEqual({
			code: CODE,
		});
		expect(parsePaste(`${CODE}#`)).toEqual({code: CODE});
	});

	it('decodes percent-encoded codes in a URL', () => {
		expect(parsePaste('https://x.test/cb?code=a%2Fb%2Bc%3D').code).toBe(
			'a/b+c=',
		);
	});

	it('strips whitespace, CR/LF and bracketed-paste markers anywhere', () => {
		const url = `http://localhost:1455/auth/callback?code=${CODE}&state=${STATE}`;
		const inputs = [
			`  ${CODE}\r\n`,
			`\u001B[200~${CODE}\u001B[201~\r`,
			`\u001B[200~${url.slice(0, 30)}\n${url.slice(30)}\u001B[201~`,
			`[200~${CODE}#${STATE}[201~`,
			`\t${url}\r\n`,
		];
		for (const input of inputs) {
			expect(parsePaste(input, STATE).code).toBe(CODE);
		}
	});

	it('refuses two states or two codes, as the callback server does', () => {
		for (const input of [
			`https://x.test/cb?code=${CODE}&state=${STATE}&state=other-state-value`,
			`https://x.test/cb?code=${CODE}&state=other-state-value&state=${STATE}`,
			`?state=${STATE}&code=${CODE}&code=another-code-value`,
			`code=${CODE}&code=${CODE}`,
			`https://x.test/cb#code=${CODE}&state=${STATE}&state=${STATE}`,
		]) {
			const error = failure(() => parsePaste(input, STATE));
			expect(error.code, input).toBe('paste-invalid');
			expect(error.message).toMatch(/two states or two codes/);
			expect(error.message).not.toContain(CODE);
		}
	});

	it('refuses a state from another attempt', () => {
		for (const input of [
			`https://x.test/cb?code=${CODE}&state=other-state-value`,
			`code=${CODE}&state=other`,
			`${CODE}#other-state-value`,
		]) {
			const error = failure(() => parsePaste(input, STATE));
			expect(error.code).toBe('state-mismatch');
			expect(error.message).not.toContain(CODE);
		}
	});

	it('turns error=access_denied into access-denied, other errors into paste-invalid', () => {
		const denied = failure(() =>
			parsePaste(`https://x.test/cb?error=access_denied&state=${STATE}`, STATE),
		);
		expect(denied.code).toBe('access-denied');
		expect(denied.serverCode).toBe('access_denied');

		const other = failure(() =>
			parsePaste(`?error=invalid_scope&state=${STATE}`),
		);
		expect(other.code).toBe('paste-invalid');
		expect(other.serverCode).toBe('invalid_scope');

		// A stale denial is stale first.
		expect(
			failure(() => parsePaste('?error=access_denied&state=old', STATE)).code,
		).toBe('state-mismatch');
		// Free text in `error` is not kept as a server code.
		expect(
			failure(() => parsePaste('?error=<script>')).serverCode,
		).toBeUndefined();
	});

	it.each([
		['empty', ''],
		['whitespace', ' \r\n\t '],
		['markers only', '\u001B[200~\u001B[201~'],
		['spaces inside', 'abcdefgh ijklmnop'],
		['too short', 'y'],
		['a word', 'quit'],
		['html', '<html>nope</html>'],
		['URL without code', 'https://x.test/cb?state=abc'],
		['empty code', '?code=&state=x'],
		['bad URL', 'https://[broken/cb?code=abc'],
		['query without code', '?state=abcdefgh'],
		['quotes', '"abcdefghijk"'],
	])('refuses %s as paste-invalid', (_name, input) => {
		const error = failure(() => parsePaste(input, STATE));
		expect(error.code).toBe('paste-invalid');
		if (input.trim().length >= 6) {
			expect(error.message).not.toContain(input.trim());
		}
	});

	it('never throws anything but PiAuthError, and never echoes the input', () => {
		const text = fc.oneof(
			fc.string({unit: 'binary', maxLength: 200}),
			fc
				.tuple(
					fc.constantFrom('', '?', 'https://x.test/cb?', '\u001B[200~'),
					fc.constantFrom('code=', 'state=', 'error=', '#', '&', ''),
					fc.string({maxLength: 60}),
				)
				.map(parts => parts.join('')),
		);
		fc.assert(
			fc.property(
				text,
				fc.option(fc.string(), {nil: undefined}),
				(input, expected) => {
					try {
						const result = parsePaste(input, expected);
						expect(result.code.length).toBeGreaterThan(0);
						if (result.state !== undefined && expected !== undefined) {
							expect(result.state).toBe(expected);
						}
					} catch (error) {
						expect(error).toBeInstanceOf(PiAuthError);
						const secret = input.trim();
						if (secret.length >= 12) {
							expect((error as Error).message).not.toContain(secret);
						}
					}
				},
			),
			{numRuns: 2000},
		);
	});
});
