import {printableText} from '../printable.js';

/*
Tolerant readers for the undocumented usage bodies (docs/usage.md: "every field may be
missing, null, or of a new kind"). Each returns undefined for anything it cannot read, so callers
drop the field instead of inventing a value.
*/

export const record = (value: unknown): Record<string, unknown> | undefined =>
	typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;

const NUMERIC = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?\s*$/i;

/** A finite number, or a string holding one ("42.5"); '' and booleans are not numbers. */
export const number = (value: unknown): number | undefined => {
	if (typeof value === 'number')
		return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && NUMERIC.test(value)) {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : undefined;
	}

	return undefined;
};

/** A used percentage: not negative. Above 100 is kept (a provider may report overage). */
export const percent = (value: unknown): number | undefined => {
	const parsed = number(value);
	return parsed !== undefined && parsed >= 0 ? parsed : undefined;
};

export const boolean = (value: unknown): boolean | undefined => {
	if (typeof value === 'boolean') return value;
	if (value === 'true') return true;
	if (value === 'false') return false;
	return undefined;
};

/** Free text (plan names, logins, currencies), made printable where it is read (printable.ts). */
export const text = (value: unknown): string | undefined =>
	printableText(value)?.trim() || undefined;

// Below this a number is unix seconds, above it milliseconds (1e11 s is the year 5138).
const SECONDS_LIMIT = 1e11;

// The furthest a Date reaches either side of 1970 (ECMAScript: 100 million days, the year 275760).
const MAX_DATE_MS = 8.64e15;

/**
A time as epoch ms when a Date can hold it, else undefined: a reset in the year 10^290 has no clock
time to show (the panel printed "NaN-NaN-NaN NaN:NaN") and reads as no reset time at all.
*/
export const dateMs = (ms: number): number | undefined =>
	Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;

/**
A point in time as epoch ms: an ISO date or date-time, unix seconds or epoch ms (also as strings).
Undefined for anything else, for 0 or negative numbers, which servers use for "none", and for
times beyond what a Date can hold.
*/
export const epochMs = (value: unknown): number | undefined => {
	const numeric = number(value);
	if (numeric !== undefined) {
		if (numeric <= 0) return undefined;
		return dateMs(
			Math.round(numeric < SECONDS_LIMIT ? numeric * 1000 : numeric),
		);
	}

	if (typeof value !== 'string') return undefined;
	const parsed = Date.parse(value);
	return Number.isFinite(parsed) ? parsed : undefined;
};

/**
A label fragment from a provider's free text: "Claude Opus 4.1" → "claude-opus-4-1"; at most 32
characters, cut before the dashes are trimmed so a cut never leaves one at the end. Empty when
nothing in it is a Latin letter or a digit.
*/
export const slug = (value: string): string =>
	value
		.toLowerCase()
		.replaceAll(/[^a-z\d]+/g, '-')
		.replace(/^-+/, '')
		.slice(0, 32)
		.replace(/-+$/, '');
