import {useState} from 'react';
import type {Provider} from '../../providers/types.js';
import {useServices} from '../services-context.js';
import {finishLogin, useSignInTarget} from '../wizard/finish-login.js';
import {type LoginHandlers, useLoginTask} from './use-login-task.js';

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
	handlers: LoginHandlers,
) => {
	const services = useServices();
	const target = useSignInTarget();
	const [state, setState] = useState<DeviceLoginState>({status: 'starting'});
	const {enterpriseDomain, attempt} = options;
	useLoginTask(
		async signal => {
			const login = await services.startDeviceLogin(
				provider,
				enterpriseDomain ? {enterpriseDomain} : {},
				signal,
			);
			const opened = services.canOpenBrowser;
			if (opened) void services.openBrowser(login.verificationUri);
			setState({
				status: 'waiting',
				userCode: login.userCode,
				verificationUri: login.verificationUri,
				expiresAt: login.expiresAt,
				opened,
			});
			return finishLogin(
				services,
				provider,
				'device',
				await login.complete(),
				target,
			);
		},
		[services, provider, enterpriseDomain, attempt],
		handlers,
	);
	return state;
};
