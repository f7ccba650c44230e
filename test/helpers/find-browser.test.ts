import {describe, expect, it} from 'vitest';
import {NOT_FOUND, browserCandidates, findBrowser} from './find-browser.js';

const only =
	(...present: string[]) =>
	(file: string) =>
		present.includes(file);

describe('finding a browser for npm run test:browser', () => {
	it('takes the first usual place that holds one: the Debian binary before its noisy wrapper', () => {
		const candidates = browserCandidates('linux');
		expect(
			findBrowser({
				env: {},
				candidates,
				isExecutable: only('/usr/bin/chromium', '/usr/lib/chromium/chromium'),
			}),
		).toBe('/usr/lib/chromium/chromium');
		expect(
			findBrowser({
				env: {},
				candidates,
				isExecutable: only('/opt/google/chrome/chrome'),
			}),
		).toBe('/opt/google/chrome/chrome');
		expect(browserCandidates('darwin', '/Users/me')).toContain(
			'/Users/me/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
		);
	});

	it('prefers CHROMIUM_PATH, and says so when it names no executable', () => {
		const candidates = browserCandidates('linux');
		expect(
			findBrowser({
				env: {CHROMIUM_PATH: '/home/me/chrome'},
				candidates,
				isExecutable: only('/home/me/chrome', '/usr/bin/chromium'),
			}),
		).toBe('/home/me/chrome');
		expect(() =>
			findBrowser({
				env: {CHROMIUM_PATH: '/nowhere/chrome'},
				candidates,
				isExecutable: only('/usr/bin/chromium'),
			}),
		).toThrow(/^CHROMIUM_PATH=\/nowhere\/chrome is not an executable file/);
	});

	it('fails with one line naming the package to install when there is none', () => {
		expect(() =>
			findBrowser({
				env: {},
				candidates: browserCandidates('linux'),
				isExecutable: only(),
			}),
		).toThrow(NOT_FOUND);
		expect(NOT_FOUND).not.toContain('\n');
		expect(NOT_FOUND).toContain('apt-get install chromium');
	});
});
