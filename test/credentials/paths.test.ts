import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	resolveAuthFile,
	resolveConfigFile,
} from '../../source/credentials/paths.js';

const home = '/home/someone';
const cwd = '/work/here';

describe('resolveAuthFile', () => {
	it('prefers --auth-file over everything', () => {
		expect(
			resolveAuthFile({
				flag: 'mine.json',
				env: {PI_AUTH_FILE: '/env/file.json', PI_CODING_AGENT_DIR: '/agent'},
				home,
				cwd,
			}),
		).toBe(path.join(cwd, 'mine.json'));
	});

	it('then PI_AUTH_FILE', () => {
		expect(
			resolveAuthFile({
				env: {PI_AUTH_FILE: '/env/file.json', PI_CODING_AGENT_DIR: '/agent'},
				home,
				cwd,
			}),
		).toBe('/env/file.json');
	});

	it('then $PI_CODING_AGENT_DIR/oauth.json', () => {
		expect(
			resolveAuthFile({env: {PI_CODING_AGENT_DIR: '/agent'}, home, cwd}),
		).toBe('/agent/oauth.json');
	});

	it('then ~/.pi/agent/oauth.json', () => {
		expect(resolveAuthFile({env: {}, home, cwd})).toBe(
			'/home/someone/.pi/agent/oauth.json',
		);
	});

	it('ignores empty variables', () => {
		expect(
			resolveAuthFile({
				env: {PI_AUTH_FILE: '', PI_CODING_AGENT_DIR: ''},
				home,
				cwd,
			}),
		).toBe('/home/someone/.pi/agent/oauth.json');
	});
});

describe('resolveConfigFile', () => {
	it('follows --config > PI_AUTH_CONFIG > the optional default', () => {
		expect(
			resolveConfigFile({
				flag: 'c.json',
				env: {PI_AUTH_CONFIG: '/e.json'},
				home,
				cwd,
			}),
		).toEqual({file: path.join(cwd, 'c.json'), optional: false});
		expect(
			resolveConfigFile({env: {PI_AUTH_CONFIG: '/e.json'}, home, cwd}),
		).toEqual({
			file: '/e.json',
			optional: false,
		});
		expect(resolveConfigFile({env: {}, home, cwd})).toEqual({
			file: '/home/someone/.pi/agent/pi-auth.json',
			optional: true,
		});
	});
});
