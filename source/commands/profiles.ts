import type {CredentialView} from '../credentials/view.js';
import {formatExpiry} from '../format.js';
import {profilesFile} from '../profiles/profile-file.js';
import {listAll} from '../profiles/view.js';
import {resolveProvider} from '../providers/resolve.js';
import {type CommandContext, writeJson, writeLine} from './io.js';
import {statusEntry} from './status.js';

const stateText = (view: CredentialView, now: number) => {
	const state = view.state === 'needs-login' ? 'needs login' : view.state;
	return view.expires === null
		? state
		: `${state}, ${formatExpiry(view.expires, now)}`;
};

/**
`profiles [provider]`: every signed-in account of the providers pi-auth signs in to, the active
one of each marked; `--json` as `status --json` (docs/contract.md).
*/
export const profilesCommand = async (
	context: CommandContext,
	{provider: id}: {provider?: string},
): Promise<number> => {
	const only = id === undefined ? undefined : resolveProvider(id);
	const {store} = context;
	await store.getState().reload();
	const {data, error, profiles, profilesError, file} = store.getState();
	if (error) throw error;
	if (profilesError) throw profilesError;
	const now = context.now();
	const views = listAll(data, profiles, context.env, now).filter(
		view =>
			view.managed &&
			view.source === 'file' &&
			(only === undefined || view.provider.id === only.id),
	);
	if (context.json) {
		writeJson(context.stdout, {
			file,
			profiles: profilesFile(file),
			providers: views.map(view => statusEntry(view, now)),
		});
		return 0;
	}

	if (views.length === 0) {
		writeLine(
			context.stdout,
			`No profiles${only ? ` of ${only.id}` : ''} yet. Sign in with: pi-auth login${only ? ` ${only.id}` : ''}`,
		);
		return 0;
	}

	const rows = views.map(view => [
		`${view.active ? '*' : ' '} ${view.provider.id}:${view.profile ?? ''}`,
		view.account ??
			(view.type === 'api_key' ? 'API key' : '(account not known)'),
		`${stateText(view, now)}${view.replaced ? ` — signed in by another program, not ${view.provider.id}:${view.replaced.profile}` : ''}`,
	]);
	const widths = [0, 1].map(column =>
		Math.max(...rows.map(row => row[column]?.length ?? 0)),
	);
	for (const [name = '', account = '', state = ''] of rows) {
		writeLine(
			context.stdout,
			`${name.padEnd(widths[0] ?? 0)}  ${account.padEnd(widths[1] ?? 0)}  ${state}`,
		);
	}

	writeLine(
		context.stdout,
		`* active: in ${file}, what pi uses. Switch with: pi-auth use <provider>:<profile>`,
	);
	return 0;
};
