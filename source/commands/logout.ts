import {listCredentials} from '../credentials/view.js';
import {findProvider} from '../providers/registry.js';
import {resolveStoredId} from '../providers/resolve.js';
import {type CommandContext, writeJson, writeLine} from './io.js';

export type LogoutOptions = {ids: readonly string[]; all: boolean};

/**
Removes entries; never needs the network, works with dead tokens. Any id stored in the file can
be named (a `groq` key pi uses too); other entries stay as they are.
*/
export const logoutCommand = async (
	context: CommandContext,
	{ids, all}: LogoutOptions,
): Promise<number> => {
	const {store} = context;
	await store.getState().reload();
	const {data, error} = store.getState();
	if (error) throw error;
	const views = listCredentials(data, context.env, context.now());
	const targets = all
		? views.filter(view => view.source === 'file').map(view => view.provider.id)
		: ids.map(id => resolveStoredId(id, data));
	const removed =
		targets.length > 0 ? await store.getState().remove(targets) : [];
	const notStored = targets.filter(id => !removed.includes(id));
	// Environment credentials cannot be removed from here: say which variable keeps them alive.
	const fromEnv = listCredentials(
		store.getState().data,
		context.env,
		context.now(),
	)
		.filter(
			view =>
				view.source === 'env' && (all || targets.includes(view.provider.id)),
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

	if (all && targets.length === 0 && fromEnv.length === 0) {
		writeLine(context.stderr, 'No credentials stored, nothing to remove.');
	}

	for (const entry of fromEnv) {
		writeLine(
			context.stderr,
			`${entry.provider}: still available from the environment variable ${entry.variable ?? ''}; unset it to sign out completely.`,
		);
	}

	return 0;
};
