import {PassThrough} from 'node:stream';
import type {CommandContext} from '../../source/commands/io.js';
import {type Config, emptyConfig} from '../../source/config.js';
import {createAuthStore} from '../../source/credentials/store.js';
import {createServices, type Services} from '../../source/ui/services.js';

/**
The UI's real services over a real temp credential file and, when given, a config pointing the
providers at local fake servers. `copied` and `opened` record what the UI asked the terminal and
the browser to do.
*/
export const makeServices = (options: {
	file: string;
	config?: Config;
	env?: NodeJS.ProcessEnv;
	/** As if a browser could be opened here (a desktop session), recorded instead of started. */
	canOpenBrowser?: boolean;
}): Services & {copied: string[]; opened: string[]} => {
	const stdout = new PassThrough();
	const context: CommandContext = {
		store: createAuthStore({file: options.file}),
		config: options.config ?? emptyConfig,
		env: options.env ?? {},
		now: Date.now,
		stdin: new PassThrough(),
		stdout,
		stderr: new PassThrough(),
		fetch: async () => globalThis.fetch,
		json: false,
	};
	const services = createServices(context, {browser: false});
	const copied: string[] = [];
	const opened: string[] = [];
	return {
		...services,
		canOpenBrowser: options.canOpenBrowser ?? services.canOpenBrowser,
		copied,
		opened,
		copy(text) {
			copied.push(text);
			services.copy(text);
		},
		async openBrowser(url) {
			opened.push(url);
			return true;
		},
	};
};
