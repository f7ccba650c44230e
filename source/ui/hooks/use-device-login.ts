import {useEffect, useState} from 'react';
import type {Provider} from '../../providers/types.js';
import {useServices} from '../services-context.js';
import {finishLogin} from '../wizard/finish-login.js';
import type {LoginSummary} from '../wizard/wizard-state.js';
import {useLatest} from './use-latest.js';

export type DeviceLoginState =
	| {status: 'starting'}
	| {
			status: 'waiting';
			userCode: string;
			verificationUri: string;
			expiresAt: number;
			opened: boolean;
	  };

/**
Device-code sign-in: asks the provider for a code, shows it, and polls (RFC 8628) until it is
approved, denied or expired. Unmounting aborts the polling.
*/
export const useDeviceLogin = (
	provider: Provider,
	options: {enterpriseDomain?: string; attempt: number},
	handlers: {
		onSuccess: (summary: LoginSummary) => void;
		onError: (error: unknown) => void;
	},
) => {
	const services = useServices();
	const latest = useLatest(handlers);
	const [state, setState] = useState<DeviceLoginState>({status: 'starting'});
	const {enterpriseDomain, attempt} = options;

	useEffect(() => {
		const controller = new AbortController();
		const run = async () => {
			const login = await services.startDeviceLogin(
				provider,
				enterpriseDomain ? {enterpriseDomain} : {},
				controller.signal,
			);
			const opened = services.canOpenBrowser;
			if (opened) services.openBrowser(login.verificationUri);
			setState({
				status: 'waiting',
				userCode: login.userCode,
				verificationUri: login.verificationUri,
				expiresAt: login.expiresAt,
				opened,
			});
			return finishLogin(services, provider, 'device', await login.complete());
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
		};
	}, [services, provider, enterpriseDomain, attempt, latest]);

	return state;
};
