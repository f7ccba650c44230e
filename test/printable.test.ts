import {describe, expect, it} from 'vitest';
import {printable, printableText} from '../source/printable.js';

describe('printable', () => {
	it('removes every C0 control, DEL and every C1 control', () => {
		const controls = [
			...Array.from({length: 0x20}, (_, code) => String.fromCharCode(code)),
			'\u007F',
			...Array.from({length: 0x20}, (_, code) =>
				String.fromCharCode(0x80 + code),
			),
		];
		expect(printable(`a${controls.join('')}b`)).toBe('ab');
	});

	it('defuses OSC 52, OSC 8, CSI and their C1 forms, keeping the visible text', () => {
		expect(
			printable(
				'eve\u001B]52;c;cm0gLXJmIH4=\u0007\u009B2J\u009D8;;x\u001B\\@example.com\r\n',
			),
		).toBe('eve]52;c;cm0gLXJmIH4=2J8;;x\\@example.com');
	});

	it('keeps letters of any script, emoji and format characters', () => {
		const text = 'Zoë 山田 🙂 \u200Fabc';
		expect(printable(text)).toBe(text);
	});

	it('printableText: undefined for non-strings and for nothing left', () => {
		expect(printableText(42)).toBeUndefined();
		expect(printableText(undefined)).toBeUndefined();
		expect(printableText('\u001B\u0007')).toBeUndefined();
		expect(printableText('ok\u009B')).toBe('ok');
	});
});
