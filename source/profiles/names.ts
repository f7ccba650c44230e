import {PiAuthError} from '../errors.js';

/** docs/contract.md "Profiles": a profile name. */
export const PROFILE_NAME = /^[a-z\d][a-z\d._-]{0,63}$/;

/** The first sign-in to a provider is this profile unless `--profile` names another. */
export const DEFAULT_PROFILE = 'default';

export const isProfileName = (name: string): boolean => PROFILE_NAME.test(name);

/** `--profile NAME` or the name part of a target; anything else is a usage error (exit 2). */
export const checkProfileName = (name: string): string => {
	if (!isProfileName(name)) {
		throw new PiAuthError(
			'usage',
			`"${name.slice(0, 80)}" is not a profile name. Use 1 to 64 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit (e.g. work, personal, team-2).`,
		);
	}

	return name;
};

/** `anthropic` (the provider's active credential) or `anthropic:work` (a named profile). */
export type Target = {id: string; profile?: string};

export const parseTarget = (text: string): Target => {
	const colon = text.indexOf(':');
	if (colon === -1) return {id: text};
	return {
		id: text.slice(0, colon),
		profile: checkProfileName(text.slice(colon + 1)),
	};
};

export const profileKey = (provider: string, name: string) =>
	`${provider}:${name}`;

/** `anthropic:work` → ['anthropic', 'work']; undefined for a key that is not one. */
export const splitKey = (key: string): [string, string] | undefined => {
	const colon = key.lastIndexOf(':');
	if (colon <= 0) return undefined;
	const name = key.slice(colon + 1);
	return isProfileName(name) ? [key.slice(0, colon), name] : undefined;
};

const slug = (text: string) =>
	text
		.toLowerCase()
		.replaceAll(/[^a-z\d._-]+/g, '-')
		.replace(/^[^a-z\d]+/, '')
		.slice(0, 64)
		.replace(/[-.]+$/, '');

/**
A name for an account that has none yet (the wizard's suggestion, or the new name of an entry
another program replaced): the part of an email before the @, else the label itself, made into a
valid name; the whole address when the short form is taken, then a number. Never one of `taken`.
*/
export const nameFromAccount = (
	account: string | undefined,
	taken: ReadonlySet<string>,
	fallback = 'account',
): string => {
	const label = account?.trim() ?? '';
	const candidates = [
		slug(label.split('@')[0] ?? ''),
		slug(label.replace('@', '-')),
		slug(fallback),
	].filter(candidate => candidate !== '' && isProfileName(candidate));
	for (const candidate of candidates) {
		if (!taken.has(candidate)) return candidate;
	}

	const base = (candidates[0] ?? 'account').slice(0, 58);
	for (let number = 2; number < 10_000; number++) {
		const candidate = `${base}-${number}`;
		if (!taken.has(candidate)) return candidate;
	}

	// Unreachable in practice (ten thousand profiles of one provider); bounded all the same.
	return `${base}-${Date.now().toString(36)}`.slice(0, 64);
};
