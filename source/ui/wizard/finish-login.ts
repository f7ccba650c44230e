import type {Credential} from '../../credentials/credential.js';
import {saveSignIn} from '../../profiles/sign-in.js';
import type {Method, Provider} from '../../providers/types.js';
import type {Services} from '../services.js';
import type {LoginSummary} from './wizard-state.js';

/** Saves a new credential to the profile it belongs to (profiles/sign-in.ts) and describes it. */
export const finishLogin = async (
	services: Services,
	provider: Provider,
	method: Method,
	credential: Credential,
	profile?: string,
): Promise<LoginSummary> => {
	const {file} = services.store.getState();
	const saved = await saveSignIn(
		file,
		provider,
		credential,
		profile ? {profile} : {},
	);
	await services.store.getState().reload();
	const account = provider.account?.(credential);
	return {
		provider,
		method,
		...(account ? {account} : {}),
		expires: credential.type === 'oauth' ? credential.expires : null,
		file,
		saved,
	};
};
