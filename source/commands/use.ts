import {PiAuthError} from '../errors.js';
import {parseTarget} from '../profiles/names.js';
import {useProfile} from '../profiles/use.js';
import {resolveProvider} from '../providers/resolve.js';
import {type CommandContext, writeJson, writeLine} from './io.js';

/** `use <provider>:<profile>`: that account becomes the provider's entry, the one pi uses. */
export const useCommand = async (
	context: CommandContext,
	{target}: {target: string},
): Promise<number> => {
	const {id, profile} = parseTarget(target);
	const provider = resolveProvider(id);
	if (profile === undefined) {
		throw new PiAuthError(
			'usage',
			`use takes a profile: pi-auth use ${provider.id}:<profile>. See them with: pi-auth profiles ${provider.id}`,
		);
	}

	const {store} = context;
	await store.getState().reload();
	const {error, profilesError, file} = store.getState();
	if (error) throw error;
	if (profilesError) throw profilesError;
	const result = await useProfile(file, provider, profile, {now: context.now});
	await store.getState().reload();
	if (context.json) {
		writeJson(context.stdout, result);
		return 0;
	}

	const name = `${provider.id}:${profile}`;
	if (result.already) {
		writeLine(context.stderr, `${name} is already the active profile.`);
		return 0;
	}

	if (result.replacedProfile) {
		writeLine(
			context.stderr,
			`The ${provider.id} entry in ${file} was another account, signed in by another program (not ${provider.id}:${result.replacedProfile}): kept it as ${provider.id}:${result.keptAs ?? ''}.`,
		);
	}

	const kept =
		result.keptAs && !result.replacedProfile
			? ` ${provider.id}:${result.keptAs} is kept as an inactive profile.`
			: '';
	writeLine(
		context.stderr,
		`Now using ${name}: pi and pi-auth token ${provider.id} use this account.${kept}`,
	);
	return 0;
};
