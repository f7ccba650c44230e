/*
The grants a fake has issued: rotating, single-use refresh tokens grouped in families, and the
access tokens of each family. docs/providers.md ("Rotating refresh tokens"): a refresh token works once;
presenting a used one is taken as theft and revokes the whole family (what logs users out when two
processes refresh at once, claude-code #41507, codex #10332), access tokens included.

Public API: createGrants({now, refreshPrefix}) → Grants (see the type).
*/
import {BoundedMap, randomToken} from './tokens.js';

/** Who a grant belongs to and what it may do. */
export type Grant = {
	family: string;
	scopes: readonly string[];
	email: string;
	/** Provider-specific ids (ChatGPT account id, GitHub login). */
	subject: Record<string, string>;
	revoked: boolean;
};

export type RefreshUse =
	| {kind: 'ok'; grant: Grant}
	/** A used token came back: the family is revoked now. */
	| {kind: 'reused'; grant: Grant}
	| {kind: 'revoked'; grant: Grant}
	| {kind: 'unknown'};

export type AccessCheck =
	| {kind: 'ok'; grant: Grant; expiresAt: number}
	| {kind: 'expired' | 'revoked' | 'unknown'};

export type Grants = {
	/** A new family, as a sign-in creates. */
	start: (input: Omit<Grant, 'family' | 'revoked'>) => Grant;
	issueRefresh: (grant: Grant) => string;
	/** Registers an access token of `grant`, valid until `expiresAt` (epoch ms). */
	addAccess: (grant: Grant, token: string, expiresAt: number) => void;
	/** Consumes a refresh token (single use). */
	useRefresh: (token: string) => RefreshUse;
	/** Makes a consumed refresh token usable again (a response that did not rotate it). */
	restore: (token: string) => void;
	checkAccess: (token: string) => AccessCheck;
	/** Revokes the family of any refresh or access token; false when the token is unknown. */
	revoke: (token: string) => boolean;
	/** Every token issued (newest 1000): tests assert none of them leaks into output. */
	secrets: () => string[];
};

const MAX_TOKENS = 10_000;
const MAX_SECRETS = 1000;

export const createGrants = (options: {
	now: () => number;
	refreshPrefix: string;
}): Grants => {
	const refresh = new BoundedMap<string, {grant: Grant; used: boolean}>(
		MAX_TOKENS,
	);
	const access = new BoundedMap<string, {grant: Grant; expiresAt: number}>(
		MAX_TOKENS,
	);
	const issued: string[] = [];
	const remember = (token: string) => {
		issued.push(token);
		if (issued.length > MAX_SECRETS) issued.shift();
	};

	return {
		start: input => ({
			...input,
			family: randomToken('family-', 9),
			revoked: false,
		}),
		issueRefresh(grant) {
			const token = randomToken(options.refreshPrefix, 48);
			refresh.set(token, {grant, used: false});
			remember(token);
			return token;
		},
		addAccess(grant, token, expiresAt) {
			access.set(token, {grant, expiresAt});
			remember(token);
		},
		useRefresh(token) {
			const entry = refresh.get(token);
			if (!entry) return {kind: 'unknown'};
			const {grant} = entry;
			if (grant.revoked) return {kind: 'revoked', grant};
			if (entry.used) {
				grant.revoked = true;
				return {kind: 'reused', grant};
			}

			entry.used = true;
			return {kind: 'ok', grant};
		},
		restore(token) {
			const entry = refresh.get(token);
			if (entry) entry.used = false;
		},
		checkAccess(token) {
			const entry = access.get(token);
			if (!entry) return {kind: 'unknown'};
			if (entry.grant.revoked) return {kind: 'revoked'};
			if (options.now() >= entry.expiresAt) return {kind: 'expired'};
			return {kind: 'ok', grant: entry.grant, expiresAt: entry.expiresAt};
		},
		revoke(token) {
			const grant = refresh.get(token)?.grant ?? access.get(token)?.grant;
			if (!grant) return false;
			grant.revoked = true;
			return true;
		},
		secrets: () => [...issued],
	};
};
