/*
The help and the flag table say the same thing: every flag a command takes (flags.ts flagCommands)
is in that command's help, and its help names no flag the command does not take.
*/
import {describe, expect, it} from 'vitest';
import {
	type Command,
	commands,
	flagCommands,
	flagSpec,
	kebab,
} from '../source/flags.js';
import {commandHelp, helpFor} from '../source/help.js';

const spelled = (name: keyof typeof flagSpec) =>
	`--${'default' in flagSpec[name] && flagSpec[name].default === true ? 'no-' : ''}${kebab(name)}`;

describe('help', () => {
	for (const command of commands) {
		it(`pi-auth help ${command} lists the flags ${command} takes, and only those`, () => {
			const own = Object.entries(flagCommands)
				.filter(([, owners]) => owners?.includes(command as Command))
				.map(([name]) => spelled(name as keyof typeof flagSpec));
			const listed = commandHelp[command].flags
				.map(([flag]) => flag.split(' ')[0] ?? '')
				.filter(flag => flag.startsWith('--'));
			expect([...listed].sort()).toEqual([...own].sort());
			for (const line of helpFor(command).split('\n')) {
				expect(line.length, line).toBeLessThanOrEqual(80);
			}
		});
	}
});
