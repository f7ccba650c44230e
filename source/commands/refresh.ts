import {parseCredential} from '../credentials/credential.js';
import {refreshCredential} from '../engine/refresh.js';
import {isPiAuthError} from '../errors.js';
import {formatValidUntil} from '../format.js';
import {findProvider} from '../providers/registry.js';
import type {Provider} from '../providers/types.js';
import {type CommandContext, writeJson, writeLine} from './io.js';

export type RefreshCommandOptions = {
	providers: readonly Provider[];
	force: boolean;
};

/** One attempt per entry (15 s timeout); retrying with backoff is the live panel's job. */
export const refreshCommand = async (
	context: CommandContext,
	options: RefreshCommandOptions,
): Promise<number> => {
	const {store} = context;
	await store.getState().reload();
	const {data, error} = store.getState();
	if (error) throw error;
	const targets =
		options.providers.length > 0
			? options.providers
			: Object.keys(data)
					.filter(id => parseCredential(data[id])?.type === 'oauth')
					.flatMap(id => findProvider(id) ?? []);
	const fetch = await context.fetch();
	const results = [];
	for (const provider of targets) {
		try {
			const {credential, refreshed} = await refreshCredential(
				{
					store,
					config: context.config,
					fetch,
					now: context.now,
					warn: message => {
						writeLine(context.stderr, message);
					},
				},
				provider,
				{force: options.force},
			);
			results.push({
				provider: provider.id,
				refreshed,
				expires: credential.expires,
			});
		} catch (error_) {
			if (!isPiAuthError(error_)) throw error_;
			results.push({
				provider: provider.id,
				error: error_.message,
				code: error_.code,
			});
		}
	}

	const failed = results.filter(result => 'error' in result);
	if (context.json) {
		writeJson(context.stdout, {results});
	} else if (results.length === 0) {
		writeLine(context.stderr, 'No OAuth credentials to refresh.');
	} else {
		for (const result of results) {
			if ('error' in result) {
				writeLine(context.stderr, `${result.provider}: ${result.error}`);
			} else {
				const what = result.refreshed
					? 'refreshed'
					: 'still valid, not refreshed';
				writeLine(
					context.stderr,
					`${result.provider}: ${what}, ${formatValidUntil(result.expires, context.now())}.`,
				);
			}
		}
	}

	return failed.length > 0 ? 1 : 0;
};
