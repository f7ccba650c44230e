import {useEffect, useRef, useState} from 'react';
import type {PiAuthError} from '../../errors.js';
import {createPasteQueue, type PasteQueue} from '../../oauth/race.js';
import type {Provider} from '../../providers/types.js';
import {useServices} from '../services-context.js';
import {finishLogin} from '../wizard/finish-login.js';
import type {LoginSummary} from '../wizard/wizard-state.js';
import {useLatest} from './use-latest.js';

export type BrowserLoginState =
	| {status: 'starting'}
	| {
			status: 'waiting' | 'exchanging';
			url: string;
			/** Undefined: every callback port was busy, so only a paste can finish the sign-in. */
			port: number | undefined;
			busyPorts: readonly number[];
			opened: boolean;
	  };

/**
Browser sign-in: starts the callback server and the authorize URL, opens the browser when allowed,
then waits for the callback or a paste, whichever brings a valid code first. Unmounting (Esc,
Ctrl+C, a retry) aborts it and closes the callback server.
*/
export const useBrowserLogin = (
	provider: Provider,
	attempt: number,
	handlers: {
		onSuccess: (summary: LoginSummary) => void;
		onError: (error: unknown) => void;
	},
) => {
	const services = useServices();
	const latest = useLatest(handlers);
	const [state, setState] = useState<BrowserLoginState>({status: 'starting'});
	const [rejected, setRejected] = useState<string>();
	const pastes = useRef<PasteQueue | undefined>(undefined);

	useEffect(() => {
		const controller = new AbortController();
		const queue = createPasteQueue();
		pastes.current = queue;
		let close: (() => Promise<void>) | undefined;
		const run = async () => {
			const login = await services.startBrowserLogin(
				provider,
				controller.signal,
			);
			close = login.close;
			const opened = services.canOpenBrowser;
			if (opened) services.openBrowser(login.url);
			const waiting = {
				url: login.url,
				port: login.port,
				busyPorts: login.busyPorts,
				opened,
			};
			setState({status: 'waiting', ...waiting});
			const credential = await login.complete(queue, (error: PiAuthError) => {
				setRejected(error.message);
			});
			setState({status: 'exchanging', ...waiting});
			return finishLogin(services, provider, 'oauth', credential);
		};

		run().then(
			summary => {
				if (!controller.signal.aborted) latest.current.onSuccess(summary);
			},
			(error: unknown) => {
				if (!controller.signal.aborted) latest.current.onError(error);
			},
		);
		return () => {
			controller.abort();
			queue.end();
			void close?.();
		};
	}, [services, provider, attempt, latest]);

	return {
		state,
		rejected,
		paste(text: string) {
			setRejected(undefined);
			pastes.current?.push(text);
		},
	};
};
