import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {type Sandbox, startSandbox} from '../../source/sandbox/sandbox.js';
import {cleanEnv} from '../helpers/cli.js';
import {spawnPty} from '../helpers/pty.js';
import {makeTempDir} from '../helpers/temp-dir.js';

let sandbox: Sandbox;
beforeEach(async () => {
	sandbox = await startSandbox();
});
afterEach(async () => {
	await sandbox.close();
});

const HOUR = 3_600_000;

/** The fake's answer: one 5-hour window at `used` %, resetting `resetsIn` from now. */
const usage = (used: number, resetsIn = 2 * HOUR) => ({
	five_hour: {
		utilization: used,
		resets_at: new Date(Date.now() + resetsIn).toISOString(),
	},
});

const OSC9 = '\u001B]9;';
const notifications = (raw: string) =>
	raw
		.split(OSC9)
		.slice(1)
		.map(part => part.slice(0, part.indexOf('\u0007')));
/** Bells outside an OSC sequence (which ends with one too). */
const bells = (raw: string) =>
	raw.replaceAll(/\u001B\][^\u0007]*\u0007/g, '').split('\u0007').length - 1;

const setup = async (extraArgs: string[] = []) => {
	const home = await makeTempDir();
	const file = path.join(home, 'auth.json');
	const config = path.join(home, 'pi-auth.json');
	await fs.writeFile(config, JSON.stringify(sandbox.config));
	const grant = sandbox.anthropic.issueGrant();
	await fs.writeFile(
		file,
		JSON.stringify({
			anthropic: {
				type: 'oauth',
				access: grant.access,
				refresh: grant.refresh,
				expires: Date.now() + 3 * HOUR,
			},
		}),
	);
	sandbox.anthropic.settings.usage = usage(50);
	// iTerm2 shows OSC 9 as a desktop notification (engine/notify.ts).
	const env = cleanEnv(home, {TERM_PROGRAM: 'iTerm.app'});
	const panel = spawnPty(
		['status', '--auth-file', file, '--config', config, ...extraArgs],
		{env},
	);
	await panel.waitFor(/5h\s+█+░+\s+50% used/);
	/** Sets the fake's numbers, presses r, and waits until the answer is drawn. */
	const answer = async (used: number, resetsIn?: number) => {
		sandbox.anthropic.settings.usage = usage(used, resetsIn);
		const before = sandbox.anthropic.answered('usage');
		panel.write('r');
		await expect
			.poll(() => sandbox.anthropic.answered('usage'), {timeout: 10_000})
			.toBeGreaterThan(before);
		await panel.waitFor(new RegExp(`\\s${Math.round(used)}% used`));
	};

	return {panel, file, answer};
};

describe('alerts in a real terminal', () => {
	it('rings and notifies once per event: 80 %, 95 %, a reset after exhaustion, a needed sign-in', async () => {
		const {panel, file, answer} = await setup();
		expect(notifications(panel.raw())).toEqual([]);

		await answer(85);
		expect(notifications(panel.raw())).toEqual([
			'pi-auth: The 5h window of Anthropic is 85 % used (resets ' +
				/\(resets ([^)]+)\)/.exec(notifications(panel.raw())[0] ?? '')?.[1] +
				').',
		]);
		expect(bells(panel.raw())).toBe(1);

		// The same numbers again, and a second of clock redraws: nothing new.
		await answer(85);
		await panel.waitFor(/resets in \d+h \d+m/);
		await answer(90);
		expect(notifications(panel.raw())).toHaveLength(1);

		await answer(96);
		expect(notifications(panel.raw())).toHaveLength(2);
		expect(notifications(panel.raw())[1]).toMatch(/is 96 % used/);
		await answer(100);
		expect(notifications(panel.raw())).toHaveLength(2);

		// The window resets after being exhausted: said once.
		await answer(3, 5 * HOUR);
		expect(notifications(panel.raw())).toHaveLength(3);
		expect(notifications(panel.raw())[2]).toBe(
			'pi-auth: The 5h window of Anthropic has reset: 3 % used.',
		);
		await answer(4, 5 * HOUR);
		expect(notifications(panel.raw())).toHaveLength(3);

		// Another process records that the token needs a new sign-in.
		const data = JSON.parse(await fs.readFile(file, 'utf8')) as Record<
			string,
			Record<string, unknown>
		>;
		data['anthropic'] = {
			...data['anthropic'],
			needsLogin: {reason: 'invalid_grant', at: Date.now()},
		};
		await fs.writeFile(`${file}.tmp`, JSON.stringify(data));
		await fs.rename(`${file}.tmp`, file);
		await panel.waitFor('[needs login]');
		expect(notifications(panel.raw())).toHaveLength(4);
		expect(notifications(panel.raw())[3]).toMatch(
			/Anthropic refused its stored token\. Sign in again: pi-auth login anthropic/,
		);
		expect(bells(panel.raw())).toBe(4);

		panel.write('q');
		expect(await panel.exited()).toBe(0);
		expect(notifications(panel.raw())).toHaveLength(4);
	});

	it('stays quiet with --no-notify', async () => {
		const {panel, answer} = await setup(['--no-notify']);
		await answer(85);
		await answer(97);
		expect(notifications(panel.raw())).toEqual([]);
		expect(bells(panel.raw())).toBe(0);
		panel.write('q');
		expect(await panel.exited()).toBe(0);
	});
});
