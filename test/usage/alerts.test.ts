import {describe, expect, it} from 'vitest';
import {
	notificationBytes,
	notificationKind,
	terminalNotifier,
} from '../../source/engine/notify.js';
import {createAlerts} from '../../source/usage/alerts.js';

const window = (label: string, usedPercent: number) => ({
	label,
	usedPercent,
	resetsAt: 1_800_000_000_000,
});
const at = () => '15:20';

describe('usage alerts', () => {
	it('says 80 % and 95 % once each, never for what was so when the panel first looked', () => {
		const alerts = createAlerts();
		const seen = (used: number) =>
			alerts
				.usage('anthropic', 'Anthropic', [window('5h', used)], at)
				.map(alert => alert.title);
		expect(seen(85)).toEqual([]);
		expect(seen(86)).toEqual([]);
		const other = createAlerts();
		const next = (used: number) =>
			other
				.usage('anthropic', 'Anthropic', [window('5h', used)], at)
				.map(alert => alert.body);
		expect(next(50)).toEqual([]);
		expect(next(79.9)).toEqual([]);
		expect(next(80)).toEqual([
			'The 5h window of Anthropic is 80 % used (resets 15:20).',
		]);
		expect(next(80)).toEqual([]);
		expect(next(90)).toEqual([]);
		expect(next(96)).toEqual([
			'The 5h window of Anthropic is 96 % used (resets 15:20).',
		]);
		expect(next(99)).toEqual([]);
		expect(next(100)).toEqual([]);
		// Exhausted, then reset: said, and the thresholds are armed again.
		expect(next(3)).toEqual([
			'The 5h window of Anthropic has reset: 3 % used.',
		]);
		expect(next(4)).toEqual([]);
		expect(next(97)).toHaveLength(1);
	});

	it('says a jump past both thresholds once, keeps windows and credentials apart, and a reset from below 100 % quietly', () => {
		const alerts = createAlerts();
		const titles = (key: string, windows: ReturnType<typeof window>[]) =>
			alerts.usage(key, key, windows, at).map(alert => alert.title);
		expect(titles('a', [window('5h', 10), window('7d', 10)])).toEqual([]);
		expect(titles('b', [window('5h', 10)])).toEqual([]);
		expect(titles('a', [window('5h', 99), window('7d', 81)])).toEqual([
			'a: 5h at 99 %',
			'a: 7d at 81 %',
		]);
		expect(titles('b', [window('5h', 10)])).toEqual([]);
		expect(titles('a', [window('5h', 5), window('7d', 81)])).toEqual([]);
	});

	it('says once that a credential needs a new sign-in', () => {
		const alerts = createAlerts();
		const said = (state: 'valid' | 'expiring' | 'needs-login') =>
			alerts.credential(
				'openai-codex',
				'OpenAI Codex',
				state,
				'pi-auth login openai-codex',
			);
		expect(said('valid')).toEqual([]);
		expect(said('needs-login')).toEqual([
			{
				title: 'OpenAI Codex needs a new sign-in',
				body: 'OpenAI Codex refused its stored token. Sign in again: pi-auth login openai-codex',
			},
		]);
		expect(said('needs-login')).toEqual([]);
		expect(said('valid')).toEqual([]);
		expect(said('needs-login')).toHaveLength(1);
		// Already so when first seen: on screen, not news.
		const fresh = createAlerts();
		expect(
			fresh.credential('x', 'X', 'needs-login', 'pi-auth login x'),
		).toEqual([]);
	});
});

describe('terminal notifications', () => {
	const alert = {
		title: 'Anthropic: 5h at 82 %',
		body: 'The 5h window is 82 % used; soon.',
	};

	it('picks OSC 9 or OSC 777 from what the terminal says it is, else the bell alone', () => {
		expect(notificationKind({TERM_PROGRAM: 'iTerm.app'})).toBe('osc9');
		expect(notificationKind({TERM: 'xterm-kitty'})).toBe('osc9');
		expect(notificationKind({WT_SESSION: 'x'})).toBe('osc9');
		expect(notificationKind({TERM_PROGRAM: 'WezTerm'})).toBe('osc777');
		expect(notificationKind({TERM: 'foot'})).toBe('osc777');
		expect(notificationKind({TERM: 'rxvt-unicode-256color'})).toBe('osc777');
		expect(
			notificationKind({TERM_PROGRAM: 'tmux', GHOSTTY_RESOURCES_DIR: '/x'}),
		).toBe('osc777');
		expect(notificationKind({TERM: 'xterm-256color'})).toBe('bell');
		expect(notificationKind({})).toBe('bell');
	});

	it('writes the bell and the sequence, without controls, through tmux when inside it', () => {
		expect(notificationBytes(alert, 'bell', false)).toBe('\u0007');
		expect(notificationBytes(alert, 'osc9', false)).toBe(
			'\u0007\u001B]9;pi-auth: The 5h window is 82 % used; soon.\u0007',
		);
		expect(
			notificationBytes(
				{title: 'a;b\u001B', body: 'c;d\u0007'},
				'osc777',
				false,
			),
		).toBe('\u0007\u001B]777;notify;pi-auth: a,b;c;d\u0007');
		expect(notificationBytes(alert, 'osc9', true)).toBe(
			'\u0007\u001BPtmux;\u001B\u001B]9;pi-auth: The 5h window is 82 % used; soon.\u0007\u001B\\',
		);
		const written: string[] = [];
		terminalNotifier(
			{write: text => written.push(text)},
			{TERM_PROGRAM: 'iTerm.app'},
		)(alert);
		expect(written).toHaveLength(1);
	});
});
