import {type Config, providerContext} from '../config.js';
import type {AuthData} from '../credentials/auth-file.js';
import {
	EXPIRING_WITHIN_MS,
	type OAuthCredential,
	isRecord,
	parseCredential,
} from '../credentials/credential.js';
import type {AuthStore} from '../credentials/store.js';
import {type Rotated, keepForRecovery} from '../credentials/recovery.js';
import {PiAuthError, isPiAuthError} from '../errors.js';
import {neverExpires} from '../format.js';
import type {Fetch} from '../oauth/http-client.js';
import type {Provider} from '../providers/types.js';

export type RefreshDeps = {
	store: AuthStore;
	config: Config;
	fetch: Fetch;
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
	/** An inactive profile's name: messages then name `provider:profile` and `--profile`. */
	profile?: string;
	/**
	Refresh the provider's entry only while it is this profile (checked under the lock): a switch
	may have brought another account in since the caller looked (`token anthropic:work`).
	*/
	expectProfile?: string;
};

/** The named profile is not where the caller found it any more (a switch moved it): look again. */
export class ProfileMoved extends Error {
	override readonly name = 'ProfileMoved';
}

export type RefreshOutcome = {
	credential: OAuthCredential;
	/** True when this call refreshed; false when the stored token was good (maybe another process refreshed it). */
	refreshed: boolean;
};

/** docs/contract.md: permanent failures are recorded on the entry; every other field stays. */
const PERMANENT: ReadonlySet<string> = new Set(['revoked']);

const notSignedIn = (provider: Provider) =>
	new PiAuthError(
		'not-signed-in',
		`Not signed in to ${provider.name}. Run: pi-auth login ${provider.id}`,
	);

/** The command that signs in to this provider (or profile) again. */
const loginHint = (provider: Provider, profile?: string) =>
	`pi-auth login ${provider.id}${profile ? ` --profile ${profile}` : ''}`;

const labelOf = (provider: Provider, profile?: string) =>
	profile ? `${provider.name} (profile ${profile})` : provider.name;

export const needsLoginError = (
	provider: Provider,
	reason: string,
	profile?: string,
) =>
	new PiAuthError(
		'needs-login',
		`${labelOf(provider, profile)} needs a new sign-in (the refresh token was rejected: ${reason}). Run: ${loginHint(provider, profile)}`,
		{serverCode: reason},
	);

const cannotRefresh = (provider: Provider, profile?: string) =>
	new PiAuthError(
		'token-expired',
		`The ${labelOf(provider, profile)} token is expiring and cannot be refreshed (a setup token or a token without a refresh token). Sign in again: ${loginHint(provider, profile)}`,
	);

/** What one refresh of one stored entry came to; `entry` is what to store, when anything. */
export type EntryRefresh = {
	entry?: Record<string, unknown>;
	result: RefreshOutcome | {error: unknown};
	/** Set once the provider has answered: from then on its tokens must reach a file. */
	answered?: Rotated;
};

/**
The decision and the call, for an entry wherever it is stored (the credential file or the profile
store): refresh only if the entry read under the lock still needs it, so N processes racing on a
single-use refresh token make one refresh and all use its result. A permanent failure is recorded
on the entry (needsLogin); a failure never deletes or blanks it.
*/
export const refreshEntry = async (
	deps: RefreshDeps,
	provider: Provider,
	raw: unknown,
	{minValidityMs = EXPIRING_WITHIN_MS, force = false, profile}: RefreshOptions,
	notStored: () => Error = () => notSignedIn(provider),
): Promise<EntryRefresh> => {
	const credential = parseCredential(raw);
	if (!credential || !isRecord(raw)) throw notStored();
	if (credential.type !== 'oauth') {
		throw new PiAuthError(
			'usage',
			`${provider.name} uses an API key, which does not expire or refresh.`,
		);
	}

	const fresh =
		!credential.needsLogin && credential.expires - deps.now() >= minValidityMs;
	if (fresh && !force) return {result: {credential, refreshed: false}};
	// A permanent key (OpenRouter, docs/providers.md) has nothing to refresh, even when forced.
	if (neverExpires(credential.expires) && !credential.needsLogin) {
		return {result: {credential, refreshed: false}};
	}

	if (credential.needsLogin && !force) {
		throw needsLoginError(provider, credential.needsLogin.reason, profile);
	}

	if (!credential.refresh || !provider.refresh) {
		throw cannotRefresh(provider, profile);
	}

	try {
		const fields = await provider.refresh(
			providerContext(deps, provider, credential.enterpriseUrl),
			credential,
		);
		const {needsLogin: _cleared, ...rest} = raw;
		// docs/providers.md: the response may omit refresh_token; keep the old one then.
		const next = {
			...rest,
			...fields,
			refresh: fields.refresh || credential.refresh,
		} as OAuthCredential;
		return {
			entry: next,
			result: {credential: next, refreshed: true},
			answered: {id: provider.id, entry: next, spent: credential.refresh},
		};
	} catch (error) {
		if (!(error instanceof PiAuthError) || !PERMANENT.has(error.code)) {
			return {result: {error}};
		}

		const reason = error.serverCode ?? error.code;
		return {
			entry: {...raw, needsLogin: {reason, at: deps.now()}},
			result: {error: needsLoginError(provider, reason, profile)},
		};
	}
};

/**
The single refresh path of a provider's entry in the credential file (token, refresh, the panel),
under the file's lock. Inactive profiles go through profiles/refresh-profile.ts, which shares
refreshEntry and saveAnswered.
*/
export const refreshCredential = async (
	deps: RefreshDeps,
	provider: Provider,
	options: RefreshOptions = {},
): Promise<RefreshOutcome> => {
	type Result = RefreshOutcome | {error: unknown};
	let answered: Rotated | undefined;
	const update = deps.store
		.getState()
		.update<Result>(async (current: AuthData) => {
			if (options.expectProfile !== undefined) {
				// Under the credential file's lock no switch is half done (journals are finished
				// first), so the profile store read now agrees with the file.
				const {readProfiles} = await import('../profiles/profile-file.js');
				const {activeProfileOf} = await import('../profiles/view.js');
				const {file} = deps.store.getState();
				if (
					current[provider.id] === undefined ||
					activeProfileOf(current, readProfiles(file), provider.id).name !==
						options.expectProfile
				) {
					throw new ProfileMoved(`${provider.id}:${options.expectProfile}`);
				}
			}

			const step = await refreshEntry(
				deps,
				provider,
				current[provider.id],
				options,
			);
			answered = step.answered;
			return step.entry
				? {data: {...current, [provider.id]: step.entry}, result: step.result}
				: {result: step.result};
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
process was paused): try again under fresh locks, merging into whichever copy still holds the
spent refresh token by then (the credential file's entry, or a profile: a switch may have moved
it), then keep them in the recovery file for the next command (credentials/recovery.ts). The tokens
are valid either way, so the caller gets them.
*/
export const saveAnswered = async (
	deps: RefreshDeps,
	rotated: Rotated,
	failure: unknown,
): Promise<RefreshOutcome> => {
	const outcome = {
		credential: rotated.entry as OAuthCredential,
		refreshed: true,
	};
	const {file} = deps.store.getState();
	const {mergeRotatedAnywhere} = await import('../profiles/rotated.js');
	for (const wait of [0, 250, 1000]) {
		await sleep(wait);
		try {
			await mergeRotatedAnywhere(file, [rotated]);
			await deps.store.getState().reload();
			return outcome;
		} catch {
			// Tried again below, then kept for recovery.
		}
	}

	let kept: string;
	try {
		kept = keepForRecovery(file, rotated);
	} catch {
		throw failure;
	}

	const what = rotated.profile
		? `${rotated.id}:${rotated.profile}`
		: rotated.id;
	deps.warn?.(
		`The refreshed ${what} tokens could not be written to ${file} (${isPiAuthError(failure) ? failure.message : String(failure)}). They are kept in ${kept}, and the next pi-auth command writes them to the credential file.`,
	);
	return outcome;
};
