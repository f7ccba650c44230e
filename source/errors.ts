/**
Every failure a user can meet has a code. The CLI maps `usage` and `config` to exit 2 and
everything else to exit 1; the UI maps a code to one sentence plus the next step. Messages never
contain a secret: build them from provider ids, paths and server error codes only.
*/
export type ErrorCode =
	// Command line and configuration
	| 'usage'
	| 'config'
	// The credential file
	| 'file-corrupt'
	| 'file-busy'
	| 'file-io'
	// Credentials
	| 'not-signed-in'
	| 'needs-login'
	| 'token-expired'
	| 'invalid-secret'
	// Sign-in
	| 'paste-invalid'
	| 'state-mismatch'
	| 'code-expired'
	| 'access-denied'
	| 'port-busy'
	| 'device-disabled'
	/** The provider wants the account to visit a page first (Meta's action_url). */
	| 'action-required'
	| 'login-timeout'
	| 'aborted'
	// Talking to a provider
	| 'rate-limited'
	| 'revoked'
	| 'network'
	| 'timeout'
	| 'server-error'
	| 'bad-response';

export type PiAuthErrorOptions = {
	cause?: unknown;
	/** When the server said when to come back (429 Retry-After), in ms from now. */
	retryAfterMs?: number;
	/** The provider's own error code (`invalid_grant`, `refresh_token_reused`, …), safe to show. */
	serverCode?: string;
	/** HTTP status of the response that failed, when there was one. */
	status?: number;
};

export class PiAuthError extends Error {
	override readonly name = 'PiAuthError';
	readonly code: ErrorCode;
	readonly retryAfterMs: number | undefined;
	readonly serverCode: string | undefined;
	readonly status: number | undefined;

	constructor(
		code: ErrorCode,
		message: string,
		options: PiAuthErrorOptions = {},
	) {
		super(
			message,
			options.cause === undefined ? undefined : {cause: options.cause},
		);
		this.code = code;
		this.retryAfterMs = options.retryAfterMs;
		this.serverCode = options.serverCode;
		this.status = options.status;
	}
}

/**
By name, not instanceof: the terminal UI is its own bundle with its own copy of this class
(scripts/build.js), and its errors reach run.ts, which must still map them to exit codes.
*/
export const isPiAuthError = (error: unknown): error is PiAuthError =>
	error instanceof Error &&
	error.name === 'PiAuthError' &&
	typeof (error as {code?: unknown}).code === 'string';

/** Transient failures are retried later with backoff; everything else needs the user. */
export const isTransient = (error: unknown): boolean =>
	isPiAuthError(error) &&
	(error.code === 'rate-limited' ||
		error.code === 'network' ||
		error.code === 'timeout' ||
		error.code === 'server-error' ||
		error.code === 'file-busy');

export const exitCodeFor = (error: unknown): number =>
	isPiAuthError(error) && (error.code === 'usage' || error.code === 'config')
		? 2
		: 1;
