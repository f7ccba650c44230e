/*
A device start's `interval` and `expires_in` (RFC 8628 §3.2) come from the server and drive timers
for up to half an hour. They are read once, here, into sane bounds: an interval of 1e10 s overflowed
setTimeout (Node then fires after 1 ms: 761 polls a second), and an endless lifetime would keep a
sign-in polling forever. Numbers may arrive as strings (Codex sends "5", docs/providers.md).
*/
// RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
export const DEFAULT_INTERVAL_S = 5;
// Sooner than once a second is hammering; slower than once a minute leaves a person waiting.
export const MIN_INTERVAL_S = 1;
export const MAX_INTERVAL_S = 60;
// The providers' codes live 15 minutes (docs/providers.md); twice that is the most anyone waits.
export const MAX_LIFETIME_S = 30 * 60;

const seconds = (value: unknown): number | undefined => {
	const number =
		typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof number === 'number' && Number.isFinite(number) && number > 0
		? number
		: undefined;
};

/** The polling interval in seconds, 1–60; undefined (the 5 s default) when absent or not a positive number. */
export const deviceInterval = (value: unknown): number | undefined => {
	const interval = seconds(value);
	return interval === undefined
		? undefined
		: Math.min(MAX_INTERVAL_S, Math.max(MIN_INTERVAL_S, interval));
};

/** The code's lifetime in seconds, at most 30 minutes; `fallback` when absent or not a positive number. */
export const deviceLifetime = (value: unknown, fallback: number): number =>
	Math.min(MAX_LIFETIME_S, seconds(value) ?? fallback);
