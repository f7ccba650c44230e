import fs from 'node:fs';
import path from 'node:path';
import {type Config, loadConfig} from './config.js';
import type {CommandContext} from './commands/io.js';
import {resolveAuthFile, resolveConfigFile} from './credentials/paths.js';
import {hasRecovery} from './credentials/recovery.js';
import {hasPending} from './profiles/profile-file.js';
import {createAuthStore} from './credentials/store.js';
import type {Flags} from './flags.js';
import {parseDuration} from './format.js';
import type {Fetch} from './oauth/http-client.js';
import type {RunOptions} from './run.js';

/** pi's move from oauth.json to auth.json, done as pi does it when pi-auth starts first; said once. */
const migrate = async (file: string, stderr: NodeJS.WritableStream) => {
	if (fs.existsSync(file)) return;
	const {migrateLegacyFiles} = await import('./credentials/migrate.js');
	const {providers, sources} = await migrateLegacyFiles(file);
	if (providers.length === 0) return;
	const moved = sources.includes('oauth.json')
		? ' (oauth.json is kept as oauth.json.migrated)'
		: '';
	stderr.write(
		`Moved ${providers.join(', ')} from ${sources.join(' and ')} into ${file}, as pi does${moved}.\n`,
	);
};

/** Tokens a refresh could not write last time (credentials/recovery.ts) go where they belong first. */
const restoreRotated = async (file: string, stderr: NodeJS.WritableStream) => {
	const {restoreKept} = await import('./profiles/rotated.js');
	try {
		const restored = await restoreKept(file);
		if (restored.length > 0) {
			stderr.write(
				`Wrote the refreshed ${restored.join(', ')} tokens kept from an earlier refresh into ${file}.\n`,
			);
		}
	} catch {
		// Still not writable: the tokens stay in the recovery file for the next command.
	}
};

/** A profile switch a crash left half done (profiles/journal.ts) is finished before anything else. */
const finishSwitch = async (file: string, stderr: NodeJS.WritableStream) => {
	const {settlePending} = await import('./profiles/journal.js');
	try {
		const provider = await settlePending(file);
		if (provider) {
			stderr.write(
				`Finished switching the ${provider} profile that an interrupted pi-auth left half done.\n`,
			);
		}
	} catch {
		// Busy or unwritable: every later write finishes it first (the store's update does).
	}
};

/**
A folder others can write lets them replace the credential file (rename over it): said, not
refused, since the folder may be managed on purpose. Once per process: one stat of the folder.
*/
const warnIfOthersCanWrite = (file: string, stderr: NodeJS.WritableStream) => {
	let mode: number;
	try {
		mode = fs.statSync(path.dirname(file)).mode;
	} catch {
		return;
	}

	// A sticky folder (/tmp) lets nobody replace another user's file: nothing to warn about.
	if ((mode & 0o022) !== 0 && (mode & 0o1000) === 0) {
		stderr.write(
			`Warning: the folder ${path.dirname(file)} can be written by other users, who could replace the credential file. Run: chmod go-w ${path.dirname(file)}\n`,
		);
	}
};

/** The world every command and the UI work against: file, store, config, proxy-aware fetch, I/O. */
export const buildContext = async (
	options: RunOptions,
	flags: Flags,
): Promise<CommandContext> => {
	const {file, isDefault} = resolveAuthFile({
		flag: flags.authFile,
		env: options.env,
	});
	// A broken config file stops every command before any file is touched (exit 2).
	const config: Config = await loadConfig(
		resolveConfigFile({flag: flags.config, env: options.env}),
	);
	// process.stderr is built on first use (cli.ts), ~5 ms for a pipe: only a message pays for it.
	const stderr = {
		write: (text: string) => options.stderr.write(text),
	} as NodeJS.WritableStream;
	if (isDefault) await migrate(file, stderr);
	warnIfOthersCanWrite(file, stderr);
	if (hasPending(file)) await finishSwitch(file, stderr);
	if (hasRecovery(file)) await restoreRotated(file, stderr);
	const waitMs = parseDuration(options.env['PI_AUTH_LOCK_WAIT'] ?? '');
	const store = createAuthStore({
		file,
		...(waitMs === undefined ? {} : {lock: {waitMs}}),
	});
	let fetchPromise: Promise<Fetch> | undefined;
	return {
		store,
		config,
		...(waitMs === undefined ? {} : {lockWaitMs: waitMs}),
		env: options.env,
		now: options.now,
		// Getters, not copies: creating process.stdin or a stream for a pipe costs start-up time,
		// and most commands never touch stdin.
		get stdin() {
			return options.stdin;
		},
		get stdout() {
			return options.stdout;
		},
		get stderr() {
			return options.stderr;
		},
		json: flags.json,
		fetch() {
			fetchPromise ??= import('./oauth/http.js').then(async http =>
				http.createFetch(options.env),
			);
			return fetchPromise;
		},
	};
};
