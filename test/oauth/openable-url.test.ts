import {describe, expect, it} from 'vitest';
import {onHosts, openableUrl} from '../../source/oauth/openable-url.js';

describe('openableUrl', () => {
	it.each([
		['https://github.com/login/device', 'https://github.com/login/device'],
		['HTTPS://GitHub.com/login/device', 'https://github.com/login/device'],
		[
			'http://127.0.0.1:8080/login/device',
			'http://127.0.0.1:8080/login/device',
		],
		['http://localhost:9/x', 'http://localhost:9/x'],
		['http://[::1]:9/x', 'http://[::1]:9/x'],
	])('takes %s', (value, href) => {
		expect(openableUrl(value)).toBe(href);
	});

	it.each([
		'-oProxyCommand=touch /tmp/x',
		'--new-window=file:///etc/passwd',
		'file:///etc/passwd',
		'javascript:alert(1)',
		'vscode://extension/x',
		'ftp://example.com/x',
		'http://example.com/login/device',
		'http://127.0.0.1.example.com/x',
		'github.com/login/device',
		'',
	])('refuses %j', value => {
		expect(openableUrl(value)).toBeUndefined();
	});

	it('hands back an href that starts with its scheme and holds no space or control', () => {
		expect(openableUrl(' \u0001https://github.com/a b\u0009c')).toBe(
			'https://github.com/a%20bc',
		);
	});
});

describe('onHosts', () => {
	it('compares host names without port, case-insensitively', () => {
		expect(onHosts('https://github.com:443/x', ['GitHub.com'])).toBe(true);
		expect(onHosts('https://github.com.evil.test/x', ['github.com'])).toBe(
			false,
		);
		expect(onHosts('https://github.com@evil.test/x', ['github.com'])).toBe(
			false,
		);
	});
});
