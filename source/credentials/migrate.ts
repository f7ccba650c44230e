import fs from 'node:fs';
import path from 'node:path';
import {isRecord} from './credential.js';
import {withFileLock} from './file-lock.js';
import {realTarget} from './real-path.js';

/*
pi's one-time move to auth.json (docs/pi-compat.md), done exactly as pi does it when pi-auth is the
first to start, so the order in which the two tools first run changes nothing:
- only when auth.json does not exist;
- every entry of oauth.json becomes `{"type": "oauth", …entry}`, and oauth.json is renamed to
  oauth.json.migrated (a file that does not parse is left where it is);
- string values of `apiKeys` in settings.json become `{"type": "api_key", "key": …}` unless the id
  is already there, and `apiKeys` is removed from settings.json;
- auth.json is written (0600, pi's own layout) only when something was migrated.
pi does it without a lock; pi-auth holds the credential file's lock and creates auth.json only if
nobody (pi) has created it meanwhile.
*/

export type Migration = {providers: string[]; sources: string[]};

const readJson = (file: string): unknown => {
	const text = fs.readFileSync(file, 'utf8');
	return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
};

const tempBeside = (file: string) =>
	path.join(
		path.dirname(file),
		`.${path.basename(file)}.${process.pid}.migrate.tmp`,
	);

/** Writes `text` to `file` atomically, keeping the mode an existing file had. */
const replaceFile = (file: string, text: string, mode: number) => {
	const target = realTarget(file);
	const temp = tempBeside(target);
	try {
		fs.writeFileSync(temp, text, {mode, flag: 'w'});
		fs.chmodSync(temp, mode);
		fs.renameSync(temp, target);
	} finally {
		fs.rmSync(temp, {force: true});
	}
};

/** Creates `file` only if it does not exist (a link never replaces): false when it did exist. */
const createExclusive = (file: string, text: string): boolean => {
	const target = realTarget(file);
	const temp = tempBeside(target);
	try {
		fs.writeFileSync(temp, text, {mode: 0o600});
		fs.linkSync(temp, target);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	} finally {
		fs.rmSync(temp, {force: true});
	}
};

const migrateUnlocked = (authFile: string): Migration => {
	const none: Migration = {providers: [], sources: []};
	if (fs.existsSync(authFile)) return none;
	const folder = path.dirname(authFile);
	const oauthFile = path.join(folder, 'oauth.json');
	const settingsFile = path.join(folder, 'settings.json');
	const migrated: Record<string, unknown> = {};
	const sources: string[] = [];

	let oauthMigrated = false;
	if (fs.existsSync(oauthFile)) {
		try {
			const oauth = readJson(oauthFile);
			for (const [id, entry] of Object.entries(oauth as object)) {
				migrated[id] = {type: 'oauth', ...(entry as object)};
			}

			oauthMigrated = true;
		} catch {
			// pi skips a file it cannot read, and leaves it where it is.
		}
	}

	let settings: Record<string, unknown> | undefined;
	if (fs.existsSync(settingsFile)) {
		try {
			const parsed = readJson(settingsFile);
			if (
				isRecord(parsed) &&
				parsed['apiKeys'] &&
				typeof parsed['apiKeys'] === 'object'
			) {
				for (const [id, key] of Object.entries(parsed['apiKeys'])) {
					if (!migrated[id] && typeof key === 'string') {
						migrated[id] = {type: 'api_key', key};
					}
				}

				settings = parsed;
			}
		} catch {
			// pi skips a settings file it cannot read.
		}
	}

	// auth.json first: a crash after it leaves old files that pi and pi-auth no longer read,
	// never credentials that exist nowhere.
	const providers = Object.keys(migrated);
	if (
		providers.length > 0 &&
		!createExclusive(authFile, JSON.stringify(migrated, null, 2))
	) {
		return none;
	}

	if (oauthMigrated) {
		fs.renameSync(oauthFile, `${oauthFile}.migrated`);
		sources.push('oauth.json');
	}

	if (settings) {
		const {apiKeys: _moved, ...rest} = settings;
		replaceFile(
			settingsFile,
			JSON.stringify(rest, null, 2),
			fs.statSync(settingsFile).mode & 0o7777,
		);
		sources.push('settings.json');
	}

	return {providers, sources};
};

/**
Runs pi's migration into `authFile` (pi's default auth.json) under the credential file's lock,
when that file is missing and an old one is there. Cheap when there is nothing to do.
*/
export const migrateLegacyFiles = async (
	authFile: string,
): Promise<Migration> => {
	const folder = path.dirname(authFile);
	if (
		fs.existsSync(authFile) ||
		!(
			fs.existsSync(path.join(folder, 'oauth.json')) ||
			fs.existsSync(path.join(folder, 'settings.json'))
		)
	) {
		return {providers: [], sources: []};
	}

	return withFileLock(authFile, async () => migrateUnlocked(authFile));
};
