/*
Hostile and broken input, in-process, with fast-check: every parser that reads something from
outside (a paste, the credential file, a provider's token or usage answer, the config file) either
returns a well-formed value or throws a PiAuthError with a known code. Anything else — a TypeError,
a RangeError, a value of the wrong shape — fails the property, and fast-check prints the smallest
input that shows it.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseConfig} from '../../source/config.js';
import {
	parseAuthData,
	readAuthFile,
} from '../../source/credentials/auth-file.js';
import {parseCredential} from '../../source/credentials/credential.js';
import {listCredentials} from '../../source/credentials/view.js';
import {type ErrorCode, PiAuthError} from '../../source/errors.js';
import {parsePaste} from '../../source/oauth/paste.js';
import {providers} from '../../source/providers/registry.js';
import {readTokenResponse} from '../../source/providers/token-response.js';
import {parseAnthropicUsage} from '../../source/usage/anthropic.js';
import {parseCopilotUsage} from '../../source/usage/github-copilot.js';
import {parseCodexUsage} from '../../source/usage/openai-codex.js';
import type {UsageReport} from '../../source/usage/types.js';
import {makeTempDir} from '../helpers/temp-dir.js';
import {report} from './helpers/processes.js';

const RUNS = Number(process.env['STRESS_RUNS'] ?? 2000);
const NOW = Date.UTC(2026, 5, 1);
const MARKER = 'SECRETMARKER';

/** Runs `fn`; returns 'ok' or the PiAuthError's code. Anything else thrown fails the test. */
const outcome = (fn: () => unknown): 'ok' | ErrorCode => {
	try {
		fn();
		return 'ok';
	} catch (error) {
		if (error instanceof PiAuthError) return error.code;
		throw error;
	}
};

const outcomeAsync = async (
	fn: () => Promise<unknown>,
): Promise<'ok' | ErrorCode> => {
	try {
		await fn();
		return 'ok';
	} catch (error) {
		if (error instanceof PiAuthError) return error.code;
		throw error;
	}
};

const tally = () => {
	const counts: Record<string, number> = {};
	return {
		add(key: string) {
			counts[key] = (counts[key] ?? 0) + 1;
		},
		counts,
	};
};

const figures: Record<string, unknown> = {};

// Text that looks like what people paste: URLs, queries, code#state, plus noise and markers.
const pasteLike = fc.oneof(
	fc.string({unit: 'grapheme', maxLength: 200}),
	fc.string({unit: 'binary', maxLength: 200}),
	fc
		.tuple(
			fc.webUrl(),
			fc.dictionary(
				fc.constantFrom('code', 'state', 'error', 'iss', 'x'),
				fc.string({maxLength: 60}),
			),
			fc.string({maxLength: 30}),
		)
		.map(
			([url, params, fragment]) =>
				`${url}?${new URLSearchParams(params).toString()}#${fragment}`,
		),
	fc
		.tuple(fc.string({maxLength: 80}), fc.string({maxLength: 80}))
		.map(([code, state]) => `${code}#${state}`),
	fc
		.tuple(
			fc.constantFrom('', '?', '/callback?', '\u001B[200~', '  '),
			fc.string({maxLength: 80}),
			fc.constantFrom('', '&state=s', '\r\n', '\u001B[201~', '#x'),
		)
		.map(([before, code, after]) => `${before}code=${code}${after}`),
);

const isUsageReport = (value: UsageReport) => {
	expect(Array.isArray(value.windows)).toBe(true);
	for (const window of value.windows) {
		expect(typeof window.label).toBe('string');
		expect(Number.isFinite(window.usedPercent)).toBe(true);
		// A reset time is one a Date can hold (the panel shows it as a clock time).
		expect(
			window.resetsAt === null ||
				!Number.isNaN(new Date(window.resetsAt).getTime()),
		).toBe(true);
	}

	// What the panel and status --json do with it: it must serialise.
	expect(() => JSON.stringify(value)).not.toThrow();
};

// Bodies shaped like the real ones, with every value replaced by something odd now and then.
const oddValue = fc.oneof(
	fc.constant(null),
	fc.constant(undefined),
	fc.boolean(),
	fc.double(),
	fc.integer(),
	fc.string({maxLength: 20}),
	fc.constant(Number.NaN),
	fc.constant('1e400'),
	fc.constant(-1),
	fc.constant(1e308),
	fc.array(fc.jsonValue(), {maxLength: 3}),
	fc.jsonValue(),
);
const windowLike = fc.record(
	{
		utilization: oddValue,
		resets_at: oddValue,
		used_percent: oddValue,
		limit_window_seconds: oddValue,
		reset_after_seconds: oddValue,
		reset_at: oddValue,
		percent: oddValue,
		kind: fc.oneof(
			fc.constantFrom('session', 'weekly_all', 'weekly_scoped'),
			oddValue,
		),
		scope: oddValue,
		group: oddValue,
	},
	{requiredKeys: []},
);
const usageLike = fc.oneof(
	fc.anything(),
	fc.record(
		{
			five_hour: windowLike,
			seven_day: windowLike,
			seven_day_opus: windowLike,
			limits: fc.oneof(fc.array(windowLike, {maxLength: 5}), oddValue),
			extra_usage: fc.oneof(
				fc.record(
					{
						is_enabled: oddValue,
						monthly_limit: oddValue,
						utilization: oddValue,
					},
					{requiredKeys: []},
				),
				oddValue,
			),
			rate_limit: fc.oneof(
				fc.record(
					{
						primary_window: windowLike,
						secondary_window: windowLike,
						limit_reached: oddValue,
						allowed: oddValue,
					},
					{requiredKeys: []},
				),
				oddValue,
			),
			credits: oddValue,
			plan_type: oddValue,
			quota_snapshots: fc.oneof(
				fc.dictionary(
					fc.constantFrom('premium_interactions', 'chat', 'completions'),
					fc.oneof(
						fc.record(
							{
								entitlement: oddValue,
								remaining: oddValue,
								percent_remaining: oddValue,
								unlimited: oddValue,
								overage_count: oddValue,
							},
							{requiredKeys: []},
						),
						oddValue,
					),
				),
				oddValue,
			),
			quota_reset_date_utc: oddValue,
			limited_user_quotas: oddValue,
			monthly_quotas: oddValue,
		},
		{requiredKeys: []},
	),
);

describe('hostile input: property tests', () => {
	it('parsePaste: any text gives a code or a typed paste error, never the pasted secret', () => {
		const seen = tally();
		fc.assert(
			fc.property(
				pasteLike,
				fc.option(fc.string({maxLength: 50})),
				(input, state) => {
					let result: unknown;
					const code = outcome(() => {
						result = parsePaste(input, state ?? undefined);
					});
					seen.add(code);
					if (code === 'ok') {
						const {code: value, state: got} = result as {
							code: string;
							state?: string;
						};
						expect(value).not.toBe('');
						expect(value).not.toMatch(/\s/);
						if (got !== undefined && state !== null) expect(got).toBe(state);
					} else {
						expect([
							'paste-invalid',
							'state-mismatch',
							'access-denied',
						]).toContain(code);
					}
				},
			),
			{numRuns: RUNS},
		);
		// A code or state with a secret in it is never repeated in the error message.
		fc.assert(
			fc.property(
				fc.string({maxLength: 40}),
				fc.constantFrom(
					(secret: string) => `${secret} ${secret}`,
					(secret: string) => `https://x.test/cb?code=${secret}&state=wrong`,
					(secret: string) => `code=${secret}&state=${secret}`,
					(secret: string) => `${secret}#${secret}`,
					(secret: string) => `https://x.test/cb?code=${secret}\u0000`,
					(secret: string) => secret,
				),
				(noise, shape) => {
					const secret = `${MARKER}${noise.replace(/[\s#&=?]/g, '')}`;
					try {
						parsePaste(shape(secret), 'expected-state');
					} catch (error) {
						expect(error).toBeInstanceOf(PiAuthError);
						expect((error as Error).message).not.toContain(MARKER);
					}
				},
			),
			{numRuns: RUNS / 4},
		);
		figures['parsePaste outcomes'] = seen.counts;
	});

	it('parseAuthData and readAuthFile: random bytes and random JSON give an object or file-corrupt, and the file is never changed', async () => {
		const directory = await makeTempDir('pi-auth-stress-');
		const file = path.join(directory, 'auth.json');
		const seen = tally();
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					fc.uint8Array({maxLength: 400}),
					fc.jsonValue().map(value => Buffer.from(JSON.stringify(value) ?? '')),
					fc
						.dictionary(fc.string({maxLength: 10}), fc.jsonValue({maxDepth: 3}))
						.map(value => Buffer.from(JSON.stringify(value))),
					// Valid JSON cut short, as a non-atomic writer killed mid-write leaves it.
					fc
						.tuple(
							fc.dictionary(
								fc.string({maxLength: 10}),
								fc.jsonValue({maxDepth: 2}),
								{
									minKeys: 1,
								},
							),
							fc.nat(),
						)
						.map(([value, cut]) => {
							const text = JSON.stringify(value, null, 2);
							return Buffer.from(text.slice(0, cut % text.length));
						}),
				),
				async bytes => {
					await fs.writeFile(file, bytes, {mode: 0o600});
					const code = await outcomeAsync(async () => readAuthFile(file));
					seen.add(code);
					expect(['ok', 'file-corrupt']).toContain(code);
					// pi's reading: a BOM is dropped, and an empty file (read under the lock) is {}.
					const text = Buffer.from(bytes).toString();
					const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
					const blank = body.trim() === '';
					let parsed: unknown = {};
					let valid = true;
					try {
						if (!blank) parsed = JSON.parse(body);
					} catch {
						valid = false;
					}

					const isObject =
						valid &&
						typeof parsed === 'object' &&
						parsed !== null &&
						!Array.isArray(parsed);
					expect(code === 'ok').toBe(isObject);
					if (isObject) {
						expect(parseAuthData(text, file, {emptyIsEmpty: true})).toEqual(
							parsed,
						);
						// What status does with whatever the file holds: no crash either.
						const views = listCredentials(
							parsed as Record<string, unknown>,
							{},
							NOW,
						);
						expect(() => JSON.stringify(views)).not.toThrow();
					}

					expect(Buffer.compare(await fs.readFile(file), bytes)).toBe(0);
				},
			),
			{
				numRuns: RUNS / 2,
				// A whitespace-only file and a BOM before an object (a Uint8Array's own
				// toString once turned [9] into "9" here).
				examples: [
					[Uint8Array.from([9])],
					[Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])],
				],
			},
		);
		figures['readAuthFile outcomes'] = seen.counts;
	});

	it('parseCredential and status views: any JSON entry under a known provider id', () => {
		fc.assert(
			fc.property(
				fc.record(
					{
						type: fc.oneof(fc.constantFrom('oauth', 'api_key'), oddValue),
						access: oddValue,
						refresh: oddValue,
						expires: oddValue,
						key: oddValue,
						needsLogin: oddValue,
						accountId: oddValue,
						enterpriseUrl: oddValue,
						account: oddValue,
					},
					{requiredKeys: []},
				),
				entry => {
					parseCredential(entry);
					for (const provider of providers) {
						const views = listCredentials({[provider.id]: entry}, {}, NOW);
						expect(views).toHaveLength(1);
					}
				},
			),
			{numRuns: RUNS},
		);
	});

	it('readTokenResponse: any body gives tokens or bad-response', () => {
		const seen = tally();
		fc.assert(
			fc.property(
				fc.oneof(
					fc.anything(),
					fc.record(
						{
							access_token: oddValue,
							refresh_token: oddValue,
							expires_in: oddValue,
							id_token: oddValue,
						},
						{requiredKeys: []},
					),
				),
				body => {
					let result: ReturnType<typeof readTokenResponse> | undefined;
					const code = outcome(() => {
						result = readTokenResponse(body);
					});
					seen.add(code);
					if (code === 'ok') {
						expect(typeof result?.accessToken).toBe('string');
						expect(result?.accessToken).not.toBe('');
						if (result?.expiresIn !== undefined) {
							expect(Number.isFinite(result.expiresIn)).toBe(true);
							expect(result.expiresIn).toBeGreaterThan(0);
						}
					} else {
						expect(code).toBe('bad-response');
					}
				},
			),
			{numRuns: RUNS},
		);
		figures['readTokenResponse outcomes'] = seen.counts;
	});

	it("each provider's refresh: any 200 body gives refreshed fields or a typed error", async () => {
		const seen = tally();
		const tokenish = fc.oneof(
			oddValue,
			// A JWT-shaped string with a random payload (Codex reads its claims).
			fc
				.jsonValue()
				.map(
					payload =>
						`h.${Buffer.from(JSON.stringify(payload) ?? '').toString('base64url')}.s`,
				),
		);
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(
					...providers.filter(provider => provider.refresh).map(({id}) => id),
				),
				fc.oneof(
					fc.anything(),
					fc.record(
						{
							access_token: tokenish,
							refresh_token: oddValue,
							expires_in: oddValue,
							id_token: tokenish,
							token: oddValue,
							expires_at: oddValue,
							refresh_in: oddValue,
						},
						{requiredKeys: []},
					),
				),
				async (id, body) => {
					const provider = providers.find(entry => entry.id === id)!;
					const text = body === undefined ? '' : JSON.stringify(body);
					const fetch = (async () =>
						new Response(text, {
							status: 200,
							headers: {'content-type': 'application/json'},
						})) as typeof globalThis.fetch;
					const code = await outcomeAsync(async () => {
						const fields = await provider.refresh!(
							{
								fetch,
								endpoints: provider.defaultEndpoints(),
								now: () => NOW,
							},
							{
								type: 'oauth',
								access: 'old-access',
								refresh: 'old-refresh',
								expires: NOW - 1,
								// Sign in with ChatGPT refreshes with the client id its sign-in issued.
								...(id === 'openai' ? {clientId: 'app_agent_stored'} : {}),
							},
						);
						expect(typeof fields.access).toBe('string');
						expect(fields.access, 'a blank access token').not.toBe('');
						expect(Number.isFinite(fields.expires)).toBe(true);
					});
					seen.add(`${provider.id}: ${code}`);
					// Meta names a page to visit when a body carries an http(s) action_url.
					expect([
						'ok',
						'bad-response',
						...(id === 'meta' ? ['action-required'] : []),
					]).toContain(code);
				},
			),
			{numRuns: RUNS / 2},
		);
		figures['provider refresh outcomes (200 with odd bodies)'] = seen.counts;
	});

	it('usage parsers: any body gives a report with finite numbers, never an exception', () => {
		fc.assert(
			fc.property(usageLike, body => {
				isUsageReport(parseAnthropicUsage(body));
				isUsageReport(parseCodexUsage(body, NOW));
				isUsageReport(parseCopilotUsage(body));
			}),
			{numRuns: RUNS},
		);
	});

	it('parseConfig: any text gives a config or a config error naming the file', () => {
		const seen = tally();
		const file = '/tmp/pi-auth-config.json';
		const endpointName = fc.constantFrom(
			'authorize',
			'token',
			'usage',
			'deviceCode',
			'copilotToken',
			'bogus',
		);
		const url = fc.oneof(
			fc.webUrl(),
			fc.constantFrom(
				'http://127.0.0.1:1/x',
				'http://localhost/x',
				'http://[::1]:9/x',
				'http://127.1/x',
				'http://10.0.0.1/x',
				'http://localhost.evil.test/x',
				'ftp://x.test/',
				'javascript:alert(1)',
				'',
			),
			oddValue,
		);
		const configLike = fc.record(
			{
				providers: fc.oneof(
					fc.dictionary(
						fc.oneof(
							fc.constantFrom('anthropic', 'openai-codex', 'github-copilot'),
							fc.string({maxLength: 8}),
						),
						fc.oneof(
							fc.record(
								{
									endpoints: fc.oneof(
										fc.dictionary(endpointName, url),
										oddValue,
									),
									callbackPort: fc.oneof(
										fc.integer({min: -10, max: 70_000}),
										oddValue,
									),
								},
								{requiredKeys: []},
							),
							oddValue,
						),
					),
					oddValue,
				),
				extra: oddValue,
			},
			{requiredKeys: []},
		);
		fc.assert(
			fc.property(
				fc.oneof(
					fc.string({maxLength: 200}),
					fc.jsonValue().map(value => JSON.stringify(value) ?? ''),
					configLike.map(value => JSON.stringify(value)),
				),
				text => {
					let error: unknown;
					try {
						const config = parseConfig(text, file);
						for (const entry of Object.values(config.providers)) {
							for (const value of Object.values(entry.endpoints)) {
								const parsed = new URL(value);
								// Plain http only ever reaches this machine.
								if (parsed.protocol === 'http:') {
									expect(
										/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(
											parsed.hostname,
										),
										value,
									).toBe(true);
								}
							}
						}

						seen.add('ok');
						return;
					} catch (error_) {
						error = error_;
					}

					expect(error).toBeInstanceOf(PiAuthError);
					expect((error as PiAuthError).code).toBe('config');
					expect((error as Error).message).toContain(file);
					seen.add('config');
				},
			),
			{numRuns: RUNS},
		);
		figures['parseConfig outcomes'] = seen.counts;
	});

	it('prints the figures', () => {
		report(
			`hostile input: property tests (${RUNS} runs per property)`,
			figures,
		);
		expect(Object.keys(figures).length).toBeGreaterThan(0);
	});
});
