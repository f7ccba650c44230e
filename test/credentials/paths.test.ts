import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	agentDir,
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
		).toEqual({file: path.join(cwd, 'mine.json'), isDefault: false});
	});

	it('then PI_AUTH_FILE', () => {
		expect(
			resolveAuthFile({
				env: {PI_AUTH_FILE: '/env/file.json', PI_CODING_AGENT_DIR: '/agent'},
				home,
				cwd,
			}),
		).toEqual({file: '/env/file.json', isDefault: false});
	});

	it("then pi's $PI_CODING_AGENT_DIR/auth.json", () => {
		expect(
			resolveAuthFile({env: {PI_CODING_AGENT_DIR: '/agent'}, home, cwd}),
		).toEqual({file: '/agent/auth.json', isDefault: true});
	});

	it("then pi's ~/.pi/agent/auth.json", () => {
		expect(resolveAuthFile({env: {}, home, cwd})).toEqual({
			file: '/home/someone/.pi/agent/auth.json',
			isDefault: true,
		});
	});

	it('ignores empty variables', () => {
		expect(
			resolveAuthFile({
				env: {PI_AUTH_FILE: '', PI_CODING_AGENT_DIR: ''},
				home,
				cwd,
			}),
		).toEqual({file: '/home/someone/.pi/agent/auth.json', isDefault: true});
	});
});

describe('agentDir, expanded as pi expands PI_CODING_AGENT_DIR', () => {
	const cases: Array<[string, string]> = [
		['~', home],
		['~/agents/pi', '/home/someone/agents/pi'],
		['file:///srv/pi%20agent', '/srv/pi agent'],
		['relative/dir', '/work/here/relative/dir'],
		// pi expands only a leading `~` or `~/`: `~user` is a folder named so, relative to cwd.
		['~other/x', '/work/here/~other/x'],
	];
	for (const [value, expected] of cases) {
		it(`${value} → ${expected}`, () => {
			expect(agentDir({env: {PI_CODING_AGENT_DIR: value}, home, cwd})).toBe(
				expected,
			);
		});
	}
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
