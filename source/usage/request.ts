import {PiAuthError} from '../errors.js';
import {DEFAULT_TIMEOUT_MS, getJson} from '../oauth/http.js';
import type {UsageContext, UsageOutcome, UsageReport} from './types.js';

/**
GETs a usage body with getJson's classification (kind 'api': a 401/403 is not a revoked grant;
429 carries retryAfterMs only when Retry-After is positive, docs/usage.md) and the 15 s bound.
`onStatus` may turn a failed status into an outcome or a clearer error; it sees no token.
*/
export const getUsage = async (
	context: UsageContext,
	headers: Record<string, string>,
	parse: (body: unknown, now: number) => UsageReport,
	onStatus?: (error: PiAuthError) => UsageOutcome | PiAuthError | undefined,
): Promise<UsageOutcome> => {
	let body: Record<string, unknown>;
	try {
		body = await getJson({
			fetch: context.fetch,
			url: context.url,
			kind: 'api',
			headers,
			timeoutMs: context.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			now: context.now,
			...(context.signal ? {signal: context.signal} : {}),
		});
	} catch (error) {
		const mapped =
			error instanceof PiAuthError && error.status !== undefined
				? onStatus?.(error)
				: undefined;
		if (mapped instanceof PiAuthError) throw mapped;
		if (mapped) return mapped;
		throw error;
	}

	const fetchedAt = context.now();
	return {status: 'ok', snapshot: {...parse(body, fetchedAt), fetchedAt}};
};

/** A 401 on a usage endpoint: the access token is stale (the refresh path fixes it), say so. */
export const accessRefused = (
	error: PiAuthError,
	provider: string,
): PiAuthError | undefined =>
	error.status === 401
		? new PiAuthError(
				'token-expired',
				`The usage endpoint refused the access token (HTTP 401). Refresh it with: pi-auth refresh ${provider}`,
				{status: 401, cause: error},
			)
		: undefined;
