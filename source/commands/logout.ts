import {isRecord} from '../credentials/credential.js';
import {listCredentials} from '../credentials/view.js';
import {findProvider} from '../providers/registry.js';
import {type ResolvedTarget, resolveTarget} from '../profiles/targets.js';
import {type CommandContext, writeJson, writeLine} from './io.js';

export type LogoutOptions = {
	/** Provider ids, any other stored ids, or `<provider>:<profile>`. */
	ids: readonly string[];
	all: boolean;
};

/**
Removes entries and profiles; never needs the network, works with dead tokens. Any id stored in
the file can be named (a `groq` key pi uses too); other entries stay as they are. Signing out of
a provider's entry leaves its inactive profiles (`use` brings one back); `--all` removes every
entry and every profile.
*/
export const logoutCommand = async (
	context: CommandContext,
	{ids, all}: LogoutOptions,
): Promise<number> => {
	const {store} = context;
	await store.getState().reload();
	const {data, error, profiles, profilesError} = store.getState();
	if (error) throw error;
	if (profilesError && (all || ids.some(id => id.includes(':')))) {
		throw profilesError;
	}

	const targets: ResolvedTarget[] = all
		? []
		: ids.map(id => resolveTarget(id, data, profiles));
	const {removeCredentials} = await import('../profiles/remove.js');
	const {removed, notStored} = await removeCredentials(
		store,
		all ? 'all' : targets,
	);
	// Environment credentials cannot be removed from here: say which variable keeps them alive.
	const fromEnv = listCredentials(
		store.getState().data,
		context.env,
		context.now(),
	)
		.filter(
			view =>
				view.source === 'env' &&
				(all ||
					targets.some(
						target => target.kind === 'entry' && target.id === view.provider.id,
					)),
		)
		.map(view => ({provider: view.provider.id, variable: view.variable}));

	// What removing the entry does not undo (OpenRouter's key lives on in the account).
	const notes = removed.flatMap(id => {
		const note = findProvider(id)?.logoutNote;
		return note ? [{provider: id, note}] : [];
	});
	if (context.json) {
		writeJson(context.stdout, {
			removed,
			notStored,
			env: fromEnv,
			...(notes.length > 0 ? {notes} : {}),
		});
		return 0;
	}

	for (const id of removed) {
		const note = notes.find(entry => entry.provider === id)?.note;
		writeLine(context.stderr, `Signed out of ${id}.${note ? ` ${note}` : ''}`);
	}

	for (const id of notStored) {
		if (!fromEnv.some(entry => entry.provider === id)) {
			writeLine(context.stderr, `${id}: not signed in, nothing to remove.`);
		}
	}

	if (all && removed.length === 0 && fromEnv.length === 0) {
		writeLine(context.stderr, 'No credentials stored, nothing to remove.');
	}

	for (const entry of fromEnv) {
		writeLine(
			context.stderr,
			`${entry.provider}: still available from the environment variable ${entry.variable ?? ''}; unset it to sign out completely.`,
		);
	}

	const left = removed.flatMap(id => {
		const prefix = `${id}:`;
		const names = Object.keys(store.getState().profiles.profiles).filter(key =>
			key.startsWith(prefix),
		);
		return !id.includes(':') &&
			names.length > 0 &&
			!isRecord(store.getState().data[id])
			? [
					`${id}: other accounts are still stored (${names.join(', ')}); make one active with: pi-auth use ${names[0] ?? ''}`,
				]
			: [];
	});
	for (const line of left) writeLine(context.stderr, line);
	return 0;
};
