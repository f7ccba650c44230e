import fs from 'node:fs';
import {fileURLToPath} from 'node:url';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const UNITS: Record<string, number> = {
	ms: 1,
	s: SECOND,
	m: MINUTE,
	h: HOUR,
	d: DAY,
};

/** Epoch ms of the UTC midnight that starts the day `at` falls in (what a date-only string reads as). */
export const startOfUtcDay = (at: number): number => at - (at % DAY);

/** `at` cut to a whole second (what a time in unix seconds reads back as). */
export const wholeSecond = (at: number): number => at - (at % SECOND);

const iso = (at: number) => new Date(at).toISOString();

/*
The shapes the usage endpoints send times in (docs/usage.md): `iso` as JavaScript writes it,
`utc` to the second with a `+00:00` offset and `micro` with microseconds (Anthropic's servers;
the digits below a millisecond are fixed at 479), `date` a day without a time (Copilot), `unix`
whole seconds as a number (Codex).
*/
const FORMATS: Record<string, (at: number) => string | number> = {
	iso,
	utc: at => iso(wholeSecond(at)).replace('.000Z', '+00:00'),
	micro: at => iso(at).replace('Z', '479+00:00'),
	date: at => iso(at).slice(0, 10),
	unix: at => wholeSecond(at) / SECOND,
};

const PLACEHOLDER = /^\{\{now((?:[+-]\d+(?:ms|s|m|h|d))*)(?:\|(\w+))?\}\}$/;
const OFFSET = /([+-])(\d+)(ms|s|m|h|d)/g;

/** A `{{now+3h+172ms|micro}}` placeholder filled in for `now`; any other value as it is. */
const fill = (value: unknown, now: number): unknown => {
	if (Array.isArray(value)) return value.map(item => fill(item, now));
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(
			Object.entries(value).map(([key, item]) => [key, fill(item, now)]),
		);
	}

	if (typeof value !== 'string' || !value.startsWith('{{')) return value;
	const match = PLACEHOLDER.exec(value);
	const format = FORMATS[match?.[2] ?? 'iso'];
	// A typo in a fixture fails loudly instead of reaching a parser as an odd string.
	if (!match || !format) throw new Error(`bad fixture placeholder ${value}`);
	let at = now;
	for (const [, sign, amount, unit] of (match[1] ?? '').matchAll(OFFSET)) {
		at += (sign === '-' ? -1 : 1) * Number(amount) * (UNITS[unit ?? ''] ?? 0);
	}

	return format(at);
};

/**
A recorded-shape usage body from test/fixtures/usage (written from docs/usage.md). Its times
are placeholders relative to `now`, so a test never depends on today's date: parser tests pass a
fixed clock, black-box tests of the built CLI (which reads the real clock) pass `Date.now()`, and
each computes what it expects from the same `now`.
*/
export const fixture = (name: string, now: number): unknown =>
	fill(
		JSON.parse(
			fs.readFileSync(
				fileURLToPath(
					new URL(`../fixtures/usage/${name}.json`, import.meta.url),
				),
				'utf8',
			),
		),
		now,
	);
