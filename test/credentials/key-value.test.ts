import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {
	keyKind,
	resolveKey,
	templateVariables,
} from '../../source/credentials/key-value.js';
import {PiAuthError} from '../../source/errors.js';
import {piModule} from '../helpers/pi.js';

type PiResolve = {
	resolveConfigValue: (
		value: string,
		env?: Record<string, string>,
	) => string | undefined;
};

const entry = (key: string, env?: Record<string, string>) => ({
	type: 'api_key' as const,
	key,
	...(env ? {env} : {}),
});

const outcome = async (
	key: string,
	env: Record<string, string>,
	processEnv: NodeJS.ProcessEnv,
): Promise<string | undefined> =>
	resolveKey('groq', entry(key, env), processEnv).catch((error: unknown) => {
		expect(error).toBeInstanceOf(PiAuthError);
		return undefined;
	});

describe('API-key values, as pi resolves them', () => {
	it('names the kind without resolving anything', () => {
		expect(keyKind('gsk_plain')).toBe('literal');
		expect(keyKind('price$$5')).toBe('literal');
		expect(keyKind('${')).toBe('literal');
		expect(keyKind('!op read op://vault/groq')).toBe('command');
		expect(keyKind('$GROQ_KEY')).toBe('env-template');
		expect(keyKind('sk-${PART}-x')).toBe('env-template');
		expect(templateVariables('a$A${B}$$C$!')).toEqual(['A', 'B']);
	});

	it('resolves templates from the entry’s env map, then the environment', async () => {
		const processEnv = {FROM_PROCESS: 'p', SHARED: 'process'};
		expect(
			await resolveKey(
				'groq',
				entry('k-${SHARED}-$FROM_PROCESS-$$-$!', {SHARED: 'entry'}),
				processEnv,
			),
		).toBe('k-entry-p-$-!');
		// An empty value in the map falls through to the environment, as in pi.
		expect(
			await resolveKey('groq', entry('$SHARED', {SHARED: ''}), processEnv),
		).toBe('process');
	});

	it('says which variable is missing, never a value', async () => {
		const error = await resolveKey('groq', entry('sk-$MISSING_VAR'), {}).catch(
			(error_: unknown) => error_,
		);
		expect(error).toMatchObject({code: 'not-signed-in'});
		expect((error as Error).message).toMatch(
			/environment variable MISSING_VAR, which is not set/,
		);
	});

	it('gives the same key as pi for any template (property, against pi 1.6’s own resolver)', async () => {
		const pi = await piModule<PiResolve>('dist/core/resolve-config-value.js');
		const names = ['PIAUTH_TA', 'PIAUTH_TB', 'PIAUTH_EMPTY'];
		const processEnv = {...process.env, PIAUTH_TA: 'alpha', PIAUTH_EMPTY: ''};
		const saved = {...process.env};
		Object.assign(process.env, {PIAUTH_TA: 'alpha', PIAUTH_EMPTY: ''});
		try {
			const piece = fc.constantFrom(
				'$',
				'{',
				'}',
				'!',
				'_',
				'x',
				'1',
				'-',
				...names,
				...names.map(name => `\${${name}}`),
				...names.map(name => `$${name}`),
			);
			await fc.assert(
				fc.asyncProperty(
					fc.array(piece, {maxLength: 8}).map(parts => parts.join('')),
					fc.dictionary(fc.constantFrom(...names), fc.constantFrom('', 'm')),
					async (key, map) => {
						fc.pre(!key.startsWith('!'));
						const ours = await outcome(key, map, processEnv);
						const theirs = pi.resolveConfigValue(key, map);
						expect(ours).toBe(theirs);
					},
				),
				{numRuns: 400},
			);
		} finally {
			for (const name of names) {
				if (saved[name] === undefined) delete process.env[name];
			}
		}
	});

	it('runs a !command through the shell: trimmed stdout is the key', async () => {
		expect(
			await resolveKey('groq', entry(`!printf '  sk-%s \\n' "$PART"`), {
				PATH: process.env['PATH'],
				PART: 'from-env',
			}),
		).toBe('sk-from-env');
	});

	it('says a command failed or printed nothing, without its output', async () => {
		const failed = await resolveKey(
			'groq',
			entry('!echo SECRET-OUTPUT; exit 3'),
			{PATH: process.env['PATH']},
		).catch((error: unknown) => error);
		expect((failed as Error).message).toMatch(/it failed \(exit code 3\)/);
		expect((failed as Error).message).not.toContain('SECRET-OUTPUT');
		const empty = await resolveKey('groq', entry('!true'), {
			PATH: process.env['PATH'],
		}).catch((error: unknown) => error);
		expect((empty as Error).message).toMatch(/printed nothing/);
	});
});
