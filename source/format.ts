/** "2d 3h", "3h 12m", "4m 10s", "12s"; negative durations read as "0s". */
export const formatDuration = (ms: number): string => {
	const seconds = Math.max(0, Math.floor(ms / 1000));
	const days = Math.floor(seconds / 86_400);
	const hours = Math.floor((seconds % 86_400) / 3600);
	const minutes = Math.floor((seconds % 3600) / 60);
	const rest = seconds % 60;
	if (days > 0) return `${days}d ${hours}h`;
	if (hours > 0) return `${hours}h ${minutes}m`;
	if (minutes > 0) return `${minutes}m ${rest}s`;
	return `${rest}s`;
};

const pad = (value: number) => String(value).padStart(2, '0');

/** A clock time, with the date when it is not today: "15:20" or "2026-11-23 15:20". */
export const formatClock = (epochMs: number, now: number): string => {
	const date = new Date(epochMs);
	const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
	return new Date(now).toDateString() === date.toDateString()
		? time
		: `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
};

/**
pi's mark for a credential that never expires: OpenRouter's sign-in yields a permanent API key,
stored with `expires: Number.MAX_SAFE_INTEGER` (docs/providers.md). Shown as "does not expire", never as a
countdown to the year 287396.
*/
export const NEVER_EXPIRES = Number.MAX_SAFE_INTEGER;

export const neverExpires = (expires: number): boolean =>
	expires >= NEVER_EXPIRES;

/** "expires in 3h 12m (15:20)", "expired 4m ago (14:58)" or "does not expire". */
export const formatExpiry = (expires: number, now: number): string => {
	if (neverExpires(expires)) return 'does not expire';
	return expires > now
		? `expires in ${formatDuration(expires - now)} (${formatClock(expires, now)})`
		: `expired ${formatDuration(now - expires)} ago (${formatClock(expires, now)})`;
};

/** "valid until 15:20" or "does not expire", for the line after a sign-in or a refresh. */
export const formatValidUntil = (expires: number, now: number): string =>
	neverExpires(expires)
		? 'does not expire'
		: `valid until ${formatClock(expires, now)}`;

const UNITS: Record<string, number> = {
	ms: 1,
	s: 1000,
	m: 60_000,
	h: 3_600_000,
	d: 86_400_000,
};

/** `--min-validity`: "10m", "30s", "1h", "90" (seconds). Undefined when it does not parse. */
export const parseDuration = (text: string): number | undefined => {
	const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
	if (!match) return undefined;
	return Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000);
};

/**
Word-wraps one paragraph to `width` columns (a terminal's width), breaking only at spaces; a word
longer than a line (a path, a URL) keeps a line of its own rather than being cut.
*/
export const wrapText = (text: string, width: number): string[] => {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/).filter(Boolean)) {
		if (line === '') line = word;
		else if (line.length + 1 + word.length <= width) line += ` ${word}`;
		else {
			lines.push(line);
			line = word;
		}
	}

	if (line !== '') lines.push(line);
	return lines;
};
