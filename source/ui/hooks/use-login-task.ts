import {type DependencyList, useEffect} from 'react';
import type {LoginSummary} from '../wizard/wizard-state.js';
import {useLatest} from './use-latest.js';

export type LoginHandlers = {
	onSuccess: (summary: LoginSummary) => void;
	onError: (error: unknown) => void;
};

/**
Runs one sign-in while the component is mounted (and again when `deps` change). Unmounting —
Esc, Ctrl+C, a retry — aborts its signal, which closes a callback server and stops polling; an
aborted sign-in reports nothing.
*/
export const useLoginTask = (
	task: (signal: AbortSignal) => Promise<LoginSummary>,
	deps: DependencyList,
	handlers: LoginHandlers,
) => {
	const latest = useLatest({task, handlers});
	useEffect(() => {
		const controller = new AbortController();
		latest.current.task(controller.signal).then(
			summary => {
				if (!controller.signal.aborted)
					latest.current.handlers.onSuccess(summary);
			},
			(error: unknown) => {
				if (!controller.signal.aborted) latest.current.handlers.onError(error);
			},
		);
		return () => {
			controller.abort();
		};
		// The task is read through `latest`; `deps` say when a new sign-in starts.
	}, deps);
};
