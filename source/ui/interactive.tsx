import {render} from 'ink';
import type {CommandContext} from '../commands/io.js';
import {createPanelRuntime} from '../engine/panel-runtime.js';
import {normalizeEnterpriseDomain} from '../engine/login.js';
import {terminalNotifier} from '../engine/notify.js';
import type {Parsed} from '../flags.js';
import {checkProfileName} from '../profiles/names.js';
import {listAll} from '../profiles/view.js';
import {
	knownMethod,
	resolveMethod,
	resolveProvider,
} from '../providers/resolve.js';
import {Panel} from './panel/panel.js';
import {createServices} from './services.js';
import {ServicesContext} from './services-context.js';
import {Wizard} from './wizard/wizard.js';
import {initialWizardState} from './wizard/wizard-state.js';

/**
The wizard's presets from `login [provider] [--method m] [--enterprise host]`. A method given
without a provider applies once a provider that has it is chosen.
*/
const presetsOf = (parsed: Parsed) => {
	if (parsed.command !== 'login') return {};
	const [id] = parsed.input;
	const provider = id === undefined ? undefined : resolveProvider(id);
	const {method, enterprise, profile} = parsed.flags;

	return {
		...(provider ? {provider} : {}),
		...(profile ? {profile: checkProfileName(profile)} : {}),
		...(method === undefined
			? {}
			: {
					method: provider
						? resolveMethod(provider, method)
						: knownMethod(method),
				}),
		...(enterprise === undefined
			? {}
			: {enterpriseDomain: normalizeEnterpriseDomain(enterprise) ?? ''}),
	};
};

/**
The terminal session (bundled as its own ES module: Ink uses top-level await). Renders, waits for
the UI to finish, and returns the exit code; unmounting aborts every sign-in in flight, which
closes its callback server.
*/
export const runInteractive = async (
	parsed: Parsed,
	context: CommandContext,
): Promise<number> => {
	const presets = presetsOf(parsed);
	await context.store.getState().reload();
	const {error, data, profiles, profilesError} = context.store.getState();
	// A corrupt file is never overwritten: stop before asking the user for anything. The panel
	// still shows the credential file when only the profile store is broken (and says so).
	if (error) throw error;
	if (profilesError && parsed.command !== 'status') throw profilesError;
	const existing =
		presets.provider !== undefined &&
		listAll(data, profiles, context.env, context.now()).some(
			view => view.provider === presets.provider && view.source === 'file',
		);
	const services = createServices(context, {browser: parsed.flags.browser});
	// --no-notify or `"notify": false` in the config file: the panel stays quiet.
	const notify =
		parsed.flags.notify && context.config.notify !== false
			? terminalNotifier(context.stdout, context.env)
			: undefined;
	const runtime =
		parsed.command === 'status'
			? await createPanelRuntime(context, undefined, notify ? {notify} : {})
			: undefined;
	let code = 0;
	const onExit = (exitCode: number) => {
		code = exitCode;
		app.unmount();
	};

	const app = render(
		<ServicesContext.Provider value={services}>
			{runtime ? (
				<Panel runtime={runtime} onExit={onExit} />
			) : (
				<Wizard
					initial={initialWizardState({...presets, existing})}
					onExit={onExit}
				/>
			)}
		</ServicesContext.Provider>,
		{
			stdin: context.stdin as NodeJS.ReadStream,
			stdout: context.stdout as NodeJS.WriteStream,
			stderr: context.stderr as NodeJS.WriteStream,
			exitOnCtrlC: false,
			// The panel redraws about once a second when idle (its clock), never faster than this.
			maxFps: 10,
			// Off on purpose: Ink 6.8's incremental mode leaves stale lines on screen when a frame
			// changes height (usage arriving, a row added), as seen in tmux. Whole frames are
			// written in one synchronized update instead.
			incrementalRendering: false,
		},
	);
	runtime?.start();
	try {
		await app.waitUntilExit();
	} finally {
		if (runtime?.refreshing()) {
			context.stderr.write(
				'Finishing the token refresh under way first, so the new token is not lost…\n',
			);
		}

		await runtime?.stop();
	}

	return code;
};
