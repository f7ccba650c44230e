/*
What the secrets suites (secrets.stress.ts, secrets-ui.stress.ts) look for, and the one exception.

A secret leaks when any 7-character piece of its random part shows up where it should not. The
secrets are every token the fakes issued (access, refresh, GitHub and Copilot tokens), the suites'
own API keys and setup tokens, every PKCE verifier sent to a token endpoint, and every OAuth
`state`.

The state is the exception, and the exact rule is: a state may appear only inside the authorize URL
pi-auth printed for its attempt (the user must open that URL, and it carries the state by design),
that is, inside a match of AUTHORIZE_URL, the URL as printed: on its own line, and as the target
of its OSC 8 link. Everywhere else (every other part of stdout, stderr or the terminal, and every
file) no piece of it may appear. The verifier has no exception at all: it is never in a URL.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import type {World} from './world.js';

export const WINDOW = 7;

/** Every piece of each secret's random end (prefixes such as sk-ant-oat01- or ghu_ are public). */
export const fragmentsOf = (secrets: readonly string[]): string[] => {
	const pieces = new Set<string>();
	for (const secret of secrets) {
		const end = secret.slice(-24);
		for (let index = 0; index + WINDOW <= end.length; index++) {
			pieces.add(end.slice(index, index + WINDOW));
		}
	}

	return [...pieces];
};

export const leaksIn = (text: string, fragments: readonly string[]) =>
	fragments.filter(fragment => text.includes(fragment));

/** An authorize URL of the fakes as pi-auth prints it; it ends where the URL's characters end. */
export const AUTHORIZE_URL =
	/https?:\/\/(?:127\.0\.0\.1|localhost)(?::\d+)?\/oauth\/authorize\?[\w\-.~%&=+]+/g;

/** `text` with every printed authorize URL cut out: what the states are checked against. */
export const withoutAuthorizeUrls = (text: string) =>
	text.replaceAll(AUTHORIZE_URL, '«authorize URL»');

/**
The OAuth secrets the fakes saw: the state of every authorize page that was loaded, and the PKCE
verifier of every code exchange (Anthropic's JSON body, Codex's form body; the Codex device flow's
verifier is the server's own, exchanged the same way).
*/
export const oauthSecrets = (world: World) => {
	const {anthropic, codex} = world.sandbox;
	const fakes = [anthropic, codex];
	const states = fakes.flatMap(fake =>
		fake
			.requests('authorize')
			.filter(request => request.method === 'GET')
			.map(request => request.query['state'] ?? '')
			.filter(state => state !== ''),
	);
	const verifiers = fakes.flatMap(fake =>
		fake
			.requests('token')
			.map(request => request.body as Record<string, unknown> | undefined)
			.filter(body => body?.['grant_type'] === 'authorization_code')
			.map(body => String(body?.['code_verifier'] ?? ''))
			.filter(verifier => verifier !== ''),
	);
	return {states: [...new Set(states)], verifiers: [...new Set(verifiers)]};
};

export const filesUnder = async (directory: string): Promise<string[]> => {
	const entries = await fs.readdir(directory, {withFileTypes: true});
	const nested = await Promise.all(
		entries.map(async entry => {
			const full = path.join(directory, entry.name);
			return entry.isDirectory() ? [full, ...(await filesUnder(full))] : [full];
		}),
	);
	return nested.flat();
};

/** Files under `home` other than the credential file, with the pieces each holds. */
export const leaksInFiles = async (
	home: string,
	authFile: string,
	fragments: readonly string[],
) => {
	const leaks: string[] = [];
	const scanned: string[] = [];
	for (const file of await filesUnder(home)) {
		if (file === authFile) continue;
		const stat = await fs.stat(file);
		if (stat.isDirectory()) continue;
		scanned.push(path.relative(home, file));
		const found = leaksIn(await fs.readFile(file, 'utf8'), fragments);
		if (found.length > 0) leaks.push(`file ${file}: ${found.join(', ')}`);
	}

	return {leaks, scanned};
};
