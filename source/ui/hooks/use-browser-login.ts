import {useRef, useState} from 'react';
import type {PiAuthError} from '../../errors.js';
import {createPasteQueue, type PasteQueue} from '../../oauth/race.js';
import type {Provider} from '../../providers/types.js';
import {useServices} from '../services-context.js';
import {finishLogin, useSignInTarget} from '../wizard/finish-login.js';
import {type LoginHandlers, useLoginTask} from './use-login-task.js';

export type BrowserLoginState =
	| {status: 'starting'}
	| {
			status: 'waiting' | 'exchanging';
			url: string;
			/** Undefined: every callback port was busy, so only a paste can finish the sign-in. */
			port: number | undefined;
			/** The callback's host as the redirect_uri names it (localhost, or 127.0.0.1). */
			host: string;
			busyPorts: readonly number[];
			opened: boolean;
	  };

/**
Browser sign-in: starts the callback server and the authorize URL, opens the browser when allowed,
then waits for the callback or a paste, whichever brings a valid code first. Unmounting (Esc,
Ctrl+C, a retry) aborts it, which closes the callback server.
*/
export const useBrowserLogin = (
	provider: Provider,
	attempt: number,
	handlers: LoginHandlers,
) => {
	const services = useServices();
	const target = useSignInTarget();
	const [state, setState] = useState<BrowserLoginState>({status: 'starting'});
	const [rejected, setRejected] = useState<string>();
	const pastes = useRef<PasteQueue | undefined>(undefined);

	useLoginTask(
		async signal => {
			const queue = createPasteQueue();
			pastes.current = queue;
			signal.addEventListener('abort', () => {
				queue.end();
			});
			const login = await services.startBrowserLogin(provider, signal);
			const opened = services.canOpenBrowser;
			if (opened) void services.openBrowser(login.url);
			const waiting = {
				url: login.url,
				port: login.port,
				host: new URL(login.redirectUri).hostname,
				busyPorts: login.busyPorts,
				opened,
			};
			setState({status: 'waiting', ...waiting});
			try {
				const credential = await login.complete(queue, (error: PiAuthError) => {
					setRejected(error.message);
				});
				setState({status: 'exchanging', ...waiting});
				return await finishLogin(
					services,
					provider,
					'oauth',
					credential,
					target,
				);
			} finally {
				await login.close();
			}
		},
		[services, provider, attempt],
		handlers,
	);

	return {
		state,
		rejected,
		paste(text: string) {
			setRejected(undefined);
			pastes.current?.push(text);
		},
		/** The refusal of the last paste goes once the user edits the next one. */
		clearRejected() {
			setRejected(undefined);
		},
	};
};
