/*
A corrupt credential file is never treated as empty and never overwritten:
every command that needs it exits 1 naming the file and the parse error, writes nothing, leaves no
temp file or lock behind, and starts no sign-in. A broken config file stops every command with exit
2 naming the file and the key, before the credential file or the network is touched.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {type Exit, pool, report} from './helpers/processes.js';
import {type World, codexEntry, makeWorld} from './helpers/world.js';

const MARKER = 'CORRUPTSECRETMARKER';
const API_KEY = `sk-ant-api03-${MARKER}-key`;
const SETUP_TOKEN = `sk-ant-oat01-${'T'.repeat(80)}${MARKER}`;

const validFile = JSON.stringify(
	{
		anthropic: {
			type: 'oauth',
			access: `sk-ant-oat01-${MARKER}-access`,
			refresh: `sk-ant-ort01-${MARKER}-refresh`,
			expires: 1_767_304_352_803,
		},
		'some-other-tool': {type: 'api_key', key: MARKER},
	},
	null,
	2,
);

// Broken files as they happen: cut short, the wrong JSON type, binary junk, two writers' output
// glued together, UTF-16, and random bytes. An empty file and a BOM before valid JSON are not among
// them: pi reads both (docs/pi-compat.md; test/credentials/auth-file.test.ts).
const randomBytes = fc.sample(fc.uint8Array({minLength: 1, maxLength: 300}), {
	numRuns: 4,
	seed: 42,
});
const SAMPLES: Array<[string, Buffer]> = [
	['cut in half', Buffer.from(validFile.slice(0, validFile.length / 2))],
	['cut before the last brace', Buffer.from(validFile.slice(0, -1))],
	['an array', Buffer.from('[{"anthropic": {}}]\n')],
	['null', Buffer.from('null\n')],
	['a number', Buffer.from('42\n')],
	['a string', Buffer.from(`"${MARKER}"\n`)],
	['NUL bytes', Buffer.alloc(64)],
	['two objects glued', Buffer.from(`${validFile}${validFile}`)],
	[
		'trailing comma',
		Buffer.from('{"anthropic": {"type": "api_key", "key": "k"},}'),
	],
	[
		'BOM before a cut file',
		Buffer.concat([
			Buffer.from([0xef, 0xbb, 0xbf]),
			Buffer.from(validFile.slice(0, -1)),
		]),
	],
	['UTF-16', Buffer.from(validFile, 'utf16le')],
	['2 MB of junk', Buffer.alloc(2 * 1024 * 1024, 0x7b)],
	...randomBytes.map((bytes, index): [string, Buffer] => [
		`random bytes #${index + 1}`,
		Buffer.from(bytes),
	]),
];

type Command = {args: string[]; input?: string};
const EVERY_COMMAND: Command[] = [
	{args: ['status']},
	{args: ['status', '--json']},
	{args: ['status', '--check']},
	{args: ['status', '--usage']},
	{args: ['token', 'anthropic']},
	{args: ['token', 'openai-codex', '--min-validity', '10m']},
	{args: ['refresh']},
	{args: ['refresh', 'openai-codex', '--force']},
	{args: ['logout', 'anthropic']},
	{args: ['logout', '--all']},
	{args: ['login', 'anthropic', '--method', 'api-key'], input: `${API_KEY}\n`},
	{
		args: ['login', 'anthropic', '--method', 'setup-token'],
		input: `${SETUP_TOKEN}\n`,
	},
	{args: ['login', 'openai-codex', '--method', 'device']},
	{args: ['login', 'github-copilot', '--method', 'device']},
];
// The commands most likely to write: run against every sample; the full set against a few.
const WRITERS = EVERY_COMMAND.filter(({args}) =>
	['login', 'logout', 'token'].includes(args[0]!),
);
const FULL_SET_SAMPLES = new Set([
	'NUL bytes',
	'cut in half',
	'an array',
	'random bytes #1',
]);

const leftovers = async (world: World) =>
	(await fs.readdir(path.dirname(world.authFile))).filter(
		name => name !== 'auth.json',
	);

const deviceStarts = (world: World) =>
	world.sandbox.codex.count('deviceUserCode') +
	world.sandbox.github.count('deviceCode');

describe('a corrupt credential file', () => {
	it('every command exits 1 naming the file, and nothing is written', async () => {
		// A sign-in that starts when it should not gives up quickly (and fails the checks below).
		const world = await makeWorld({env: {PI_AUTH_LOGIN_TIMEOUT: '3s'}});
		let runs = 0;
		const perSample: string[] = [];
		for (const [name, bytes] of SAMPLES) {
			await fs.writeFile(world.authFile, bytes, {mode: 0o600});
			const commands = FULL_SET_SAMPLES.has(name) ? EVERY_COMMAND : WRITERS;
			const results = await pool(
				commands.map(command => async (): Promise<[Command, Exit]> => [
					command,
					await world.run(
						command.args,
						command.input === undefined ? {} : {input: command.input},
					),
				]),
				6,
			);
			// The harm first: a corrupt file read as empty gets overwritten by the next write.
			expect(
				Buffer.compare(await fs.readFile(world.authFile), bytes),
				`${name}: the file is unchanged (exits: ${results.map(([command, result]) => `${command.args.join(' ')} → ${result.code}`).join('; ')})`,
			).toBe(0);
			expect(await leftovers(world), `${name}: temp files or a lock`).toEqual(
				[],
			);
			for (const [command, result] of results) {
				const what = `${name}: pi-auth ${command.args.join(' ')}`;
				expect(result.code, `${what}\n${result.stderr}`).toBe(1);
				expect(result.stdout, what).toBe('');
				expect(result.stderr, what).toContain(world.authFile);
				expect(result.stderr, what).toMatch(
					/is not valid JSON|not a JSON object|larger than 1 MiB/,
				);
				expect(result.stderr, what).not.toContain(MARKER);
				expect(result.stderr, what).not.toMatch(/Unexpected error|\n\s+at /);
			}

			runs += results.length;
			perSample.push(
				`${name.padEnd(26)} ${String(results.length).padStart(2)} commands, all exit 1, file unchanged`,
			);
		}

		expect(deviceStarts(world), 'no sign-in was started').toBe(0);
		expect(world.sandbox.anthropic.count('token')).toBe(0);
		expect(world.sandbox.codex.count('token')).toBe(0);
		report(
			`corrupt credential file: ${SAMPLES.length} files, ${runs} command runs`,
			[...perSample, 'device sign-ins started: 0; token requests sent: 0'],
		);
	});
});

describe('a broken config file', () => {
	it('every command exits 2 naming the file and the key; the credential file is untouched', async () => {
		const world = await makeWorld();
		await world.writeAuth({
			'openai-codex': codexEntry(world),
			'some-other-tool': {type: 'api_key', key: MARKER},
		});
		const before = await world.rawAuth();
		const configs: Array<[string, string, RegExp]> = [
			['not JSON', '{"providers": ', /\(top level\).*not valid JSON/],
			['an array', '[]', /\(top level\): expected a JSON object/],
			['unknown top-level key', '{"provider": {}}', /at provider: unknown key/],
			[
				'http to another host',
				JSON.stringify({
					providers: {
						'openai-codex': {endpoints: {token: 'http://example.com/token'}},
					},
				}),
				/providers\.openai-codex\.endpoints\.token: http:\/\/ is allowed only for localhost/,
			],
			[
				'a look-alike of localhost',
				JSON.stringify({
					providers: {
						anthropic: {endpoints: {token: 'http://localhost.evil.test/token'}},
					},
				}),
				/providers\.anthropic\.endpoints\.token/,
			],
			[
				'unknown provider',
				JSON.stringify({providers: {'open-ai': {}}}),
				/providers\.open-ai: unknown provider/,
			],
			[
				'unknown endpoint',
				JSON.stringify({
					providers: {anthropic: {endpoints: {tokens: 'https://x.test'}}},
				}),
				/providers\.anthropic\.endpoints\.tokens: unknown endpoint name/,
			],
			[
				'callbackPort out of range',
				JSON.stringify({providers: {anthropic: {callbackPort: 70_000}}}),
				/providers\.anthropic\.callbackPort/,
			],
		];
		const commands: Command[] = [
			{args: ['status', '--json']},
			{args: ['token', 'openai-codex']},
			{args: ['refresh', '--force']},
			{args: ['logout', 'openai-codex']},
			{
				args: ['login', 'anthropic', '--method', 'api-key'],
				input: `${API_KEY}\n`,
			},
		];
		const lines: string[] = [];
		for (const [name, text, key] of configs) {
			await fs.writeFile(world.configFile, text);
			const results = await pool(
				commands.map(
					command => async () =>
						world.run(
							command.args,
							command.input === undefined ? {} : {input: command.input},
						),
				),
				5,
			);
			for (const [index, result] of results.entries()) {
				const what = `${name}: pi-auth ${commands[index]!.args.join(' ')}`;
				expect(result.code, `${what}\n${result.stderr}`).toBe(2);
				expect(result.stdout, what).toBe('');
				expect(result.stderr, what).toContain(world.configFile);
				expect(result.stderr, what).toMatch(key);
				expect(result.stderr, what).not.toContain(MARKER);
			}

			expect(await world.rawAuth(), name).toBe(before);
			lines.push(
				`${name.padEnd(26)} ${results.length} commands, all exit 2: ${results[0]!.stderr
					.trim()
					.replace(/^.* has a problem at /, 'at ')
					.slice(0, 100)}`,
			);
		}

		expect(world.sandbox.codex.count('token')).toBe(0);
		report(
			`broken config file: ${configs.length} configs × ${commands.length} commands`,
			lines,
		);
	});
});
