import {type Config, providerContext} from '../config.js';
import type {AuthData} from '../credentials/auth-file.js';
import {
	EXPIRING_WITHIN_MS,
	type OAuthCredential,
	isRecord,
	parseCredential,
} from '../credentials/credential.js';
import type {AuthStore} from '../credentials/store.js';
import {
	type Rotated,
	keepForRecovery,
	mergeRotated,
} from '../credentials/recovery.js';
import {PiAuthError, isPiAuthError} from '../errors.js';
import {neverExpires} from '../format.js';
import type {Provider} from '../providers/types.js';

export type RefreshDeps = {
	store: AuthStore;
	config: Config;
	fetch: typeof fetch;
	now: () => number;
	signal?: AbortSignal;
	/** Told when refreshed tokens could only be kept in the recovery file. */
	warn?: (message: string) => void;
};

export type RefreshOptions = {
	/** Refresh when less than this is left (default 5 minutes). */
	minValidityMs?: number;
	/** Refresh even when still valid (`refresh --force`). */
	force?: boolean;
};

export type RefreshOutcome = {
	credential: OAuthCredential;
	/** True when this call refreshed; false when the stored token was good (maybe another process refreshed it). */
	refreshed: boolean;
};

/** cli-contract.md: permanent failures are recorded on the entry; every other field stays. */
const PERMANENT: ReadonlySet<string> = new Set(['revoked']);

const notSignedIn = (provider: Provider) =>
	new PiAuthError(
		'not-signed-in',
		`Not signed in to ${provider.name}. Run: pi-auth login ${provider.id}`,
	);

export const needsLoginError = (provider: Provider, reason: string) =>
	new PiAuthError(
		'needs-login',
		`${provider.name} needs a new sign-in (the refresh token was rejected: ${reason}). Run: pi-auth login ${provider.id}`,
		{serverCode: reason},
	);

const cannotRefresh = (provider: Provider) =>
	new PiAuthError(
		'token-expired',
		`The ${provider.name} token is expiring and cannot be refreshed (a setup token or a token without a refresh token). Sign in again: pi-auth login ${provider.id}`,
	);

/**
The single refresh path (token, refresh, the panel). Under the file lock it re-reads the entry and
refreshes only if the entry on disk still needs it, so N processes racing on a single-use refresh
token make one refresh and all use its result. A failure never deletes or blanks the entry.
*/
export const refreshCredential = async (
	deps: RefreshDeps,
	provider: Provider,
	{minValidityMs = EXPIRING_WITHIN_MS, force = false}: RefreshOptions = {},
): Promise<RefreshOutcome> => {
	type Result = RefreshOutcome | {error: unknown};
	// Set once the provider has answered: from then on its tokens must reach the file.
	let answered: Rotated | undefined;
	const update = deps.store
		.getState()
		.update<Result>(async (current: AuthData) => {
			const raw = current[provider.id];
			const credential = parseCredential(raw);
			if (!credential || !isRecord(raw)) throw notSignedIn(provider);
			if (credential.type !== 'oauth') {
				throw new PiAuthError(
					'usage',
					`${provider.name} uses an API key, which does not expire or refresh.`,
				);
			}

			const fresh =
				!credential.needsLogin &&
				credential.expires - deps.now() >= minValidityMs;
			if (fresh && !force) return {result: {credential, refreshed: false}};
			// A permanent key (OpenRouter, providers.md) has nothing to refresh, even when forced.
			if (neverExpires(credential.expires) && !credential.needsLogin) {
				return {result: {credential, refreshed: false}};
			}

			if (credential.needsLogin && !force) {
				throw needsLoginError(provider, credential.needsLogin.reason);
			}

			if (!credential.refresh || !provider.refresh)
				throw cannotRefresh(provider);
			try {
				const fields = await provider.refresh(
					providerContext(deps, provider, credential.enterpriseUrl),
					credential,
				);
				const {needsLogin: _cleared, ...rest} = raw;
				// providers.md: the response may omit refresh_token; keep the old one then.
				const next = {
					...rest,
					...fields,
					refresh: fields.refresh || credential.refresh,
				} as OAuthCredential;
				answered = {id: provider.id, entry: next, spent: credential.refresh};
				return {
					data: {...current, [provider.id]: next},
					result: {credential: next, refreshed: true},
				};
			} catch (error) {
				if (!(error instanceof PiAuthError) || !PERMANENT.has(error.code)) {
					return {result: {error}};
				}

				const reason = error.serverCode ?? error.code;
				return {
					data: {
						...current,
						[provider.id]: {...raw, needsLogin: {reason, at: deps.now()}},
					},
					result: {error: needsLoginError(provider, reason)},
				};
			}
		});
	let result: Result;
	try {
		result = await update;
	} catch (error) {
		if (!answered) throw error;
		return saveAnswered(deps, answered, error);
	}

	if ('error' in result) throw result.error;
	return result;
};

const sleep = async (ms: number) =>
	new Promise<void>(resolve => {
		setTimeout(resolve, ms);
	});

/**
The provider answered, and writing its tokens failed (a write error, a lock taken over while this
process was paused): try again under a fresh lock, merging into what the file holds now, then keep
them in the recovery file for the next command (credentials/recovery.ts). The tokens are valid
either way, so the caller gets them.
*/
const saveAnswered = async (
	deps: RefreshDeps,
	rotated: Rotated,
	failure: unknown,
): Promise<RefreshOutcome> => {
	const outcome = {
		credential: rotated.entry as OAuthCredential,
		refreshed: true,
	};
	for (const wait of [0, 250, 1000]) {
		await sleep(wait);
		try {
			await deps.store.getState().update(current => {
				const merged = mergeRotated(current, rotated);
				return merged ? {data: merged, result: undefined} : {result: undefined};
			});
			return outcome;
		} catch {
			// Tried again below, then kept for recovery.
		}
	}

	const {file} = deps.store.getState();
	let kept: string;
	try {
		kept = keepForRecovery(file, rotated);
	} catch {
		throw failure;
	}

	deps.warn?.(
		`The refreshed ${rotated.id} tokens could not be written to ${file} (${isPiAuthError(failure) ? failure.message : String(failure)}). They are kept in ${kept}, and the next pi-auth command writes them to the credential file.`,
	);
	return outcome;
};
