import {describe, expect, it} from 'vitest';
import {callbackPortsFor, endpointsFor, parseConfig} from '../source/config.js';
import {PiAuthError} from '../source/errors.js';
import {isLoopbackUrl} from '../source/oauth/loopback.js';
import {findProvider} from '../source/providers/registry.js';

const file = '/tmp/pi-auth.json';
const parse = (value: unknown) => parseConfig(JSON.stringify(value), file);
const failure = (value: unknown) => {
	try {
		parse(value);
	} catch (error) {
		expect(error).toBeInstanceOf(PiAuthError);
		expect((error as PiAuthError).code).toBe('config');
		expect((error as PiAuthError).message).toContain(file);
		return (error as PiAuthError).message;
	}

	throw new Error('expected a config error');
};

describe('the config file', () => {
	it('overrides endpoints and the callback port', () => {
		const config = parse({
			providers: {
				'openai-codex': {
					endpoints: {token: 'http://127.0.0.1:9999/oauth/token'},
					callbackPort: 0,
				},
			},
		});
		const codex = findProvider('openai-codex')!;
		expect(endpointsFor(config, codex)['token']).toBe(
			'http://127.0.0.1:9999/oauth/token',
		);
		expect(endpointsFor(config, codex)['authorize']).toBe(
			'https://auth.openai.com/oauth/authorize',
		);
		expect(callbackPortsFor(config, codex)).toEqual([0]);
		expect(callbackPortsFor(parse({}), codex)).toEqual([1455, 1457]);
	});

	it('builds GitHub Enterprise endpoints from the domain', () => {
		const copilot = findProvider('github-copilot')!;
		expect(
			endpointsFor(parse({}), copilot, 'ghe.example.com')['copilotToken'],
		).toBe('https://api.ghe.example.com/copilot_internal/v2/token');
	});

	it('names the key of every problem', () => {
		expect(failure({providers: {gemini: {}}})).toMatch(
			/providers\.gemini.*unknown provider/,
		);
		expect(
			failure({providers: {anthropic: {endpoints: {nope: 'https://x'}}}}),
		).toMatch(
			/providers\.anthropic\.endpoints\.nope.*valid: authorize, token, usage/,
		);
		expect(
			failure({
				providers: {anthropic: {endpoints: {token: 'http://example.com/t'}}},
			}),
		).toMatch(
			/providers\.anthropic\.endpoints\.token.*http:\/\/ is allowed only/,
		);
		expect(
			failure({providers: {anthropic: {endpoints: {token: 'ftp://x'}}}}),
		).toMatch(/only https/);
		expect(failure({providers: {anthropic: {callbackPort: 70_000}}})).toMatch(
			/callbackPort/,
		);
		expect(failure({providers: {anthropic: {colour: 'red'}}})).toMatch(
			/providers\.anthropic\.colour/,
		);
		expect(failure({other: 1})).toMatch(
			/unknown key \(valid: providers, notify\)/,
		);
		expect(failure({notify: 'no'})).toMatch(
			/at notify: expected true or false/,
		);
		expect(parseConfig('{"notify": false}', file)).toEqual({
			file,
			providers: {},
			notify: false,
		});
		expect(failure([])).toMatch(/expected a JSON object/);
		expect(() => parseConfig('{nope', file)).toThrow(/not valid JSON/);
	});
});

describe('isLoopbackUrl', () => {
	it('accepts only literal loopback hosts', () => {
		for (const url of [
			'http://localhost:1/x',
			'http://127.0.0.1/x',
			'http://127.255.0.9:80/',
			'http://[::1]:8080/',
		]) {
			expect(isLoopbackUrl(url), url).toBe(true);
		}

		for (const url of [
			'http://localhost.evil.com/',
			'http://128.0.0.1/',
			'http://10.0.0.1/',
			'http://[::2]/',
			'http://example.com/',
			'not a url',
		]) {
			expect(isLoopbackUrl(url), url).toBe(false);
		}
	});
});
