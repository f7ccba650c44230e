import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseArgs} from '../source/args.js';
import {fastParse} from '../source/fast-args.js';

const sink = {write: () => true};
const io = {
	stdout: sink,
	stderr: sink,
	stdin: {isTTY: true},
} as unknown as Parameters<typeof parseArgs>[1];

/** meow's answer, or the error it gives. */
const meowParse = async (argv: string[]) => {
	try {
		return await parseArgs(argv, io);
	} catch (error) {
		return `error: ${(error as Error).message}`;
	}
};

const word = fc.constantFrom(
	'token',
	'status',
	'login',
	'logout',
	'refresh',
	'use',
	'profiles',
	'help',
	'anthropic',
	'openai-codex:work',
	'nonsense',
);
const value = fc.constantFrom(
	'1h',
	'30s',
	'',
	'-x',
	'a=b',
	'{provider} {used}',
	'80',
);
const flag = fc.oneof(
	fc.constantFrom(
		'--json',
		'--force',
		'--all',
		'--check',
		'--usage',
		'--line',
		'--no-browser',
		'--no-notify',
		'--help',
		'--version',
		'-h',
		'-',
		'--',
		'--bogus',
		'--json=1',
	),
	fc
		.tuple(
			fc.constantFrom(
				'--max-age',
				'--format',
				'--usage-over',
				'--profile',
				'--min-validity',
				'--auth-file',
				'--method',
			),
			value,
			fc.boolean(),
		)
		.map(([name, text, inline]) =>
			inline ? [`${name}=${text}`] : [name, text],
		),
);
const argv = fc
	.array(
		fc.oneof(
			word.map(text => [text]),
			flag.map(f => [f].flat()),
		),
		{
			maxLength: 6,
		},
	)
	.map(parts => parts.flat());

describe('fastParse', () => {
	it('parses the plain invocations scripts and status bars run', () => {
		for (const plain of [
			['token', 'anthropic'],
			['status', '--line', '--max-age', '1h'],
			['status', '--json'],
			['status', '--format={provider} {used}', '--line'],
			['refresh', '--force', 'openai-codex'],
			[],
		]) {
			expect(fastParse(plain)).toBeDefined();
		}
	});

	it('agrees with meow whenever it answers', async () => {
		await fc.assert(
			fc.asyncProperty(argv, async args => {
				const fast = fastParse(args);
				if (fast === undefined) return;
				expect(fast).toEqual(await meowParse(args));
			}),
			{numRuns: 1000},
		);
	});

	it('leaves a flag given twice to meow, which refuses it as typed', async () => {
		const argv = ['status', '--line', '--max-age', '1h', '--max-age=2h'];
		expect(fastParse(argv)).toBeUndefined();
		await expect(parseArgs(argv, io)).rejects.toMatchObject({
			code: 'usage',
			message: '--max-age is given more than once. Give it once.',
		});
	});
});
