import type {Credential} from '../../credentials/credential.js';
import type {Method, Provider} from '../../providers/types.js';
import type {Services} from '../services.js';
import type {LoginSummary} from './wizard-state.js';

/** Saves a new credential (a login replaces the provider's whole entry) and describes it. */
export const finishLogin = async (
	services: Services,
	provider: Provider,
	method: Method,
	credential: Credential,
): Promise<LoginSummary> => {
	await services.store.getState().save(provider.id, credential);
	const account = provider.account?.(credential);
	return {
		provider,
		method,
		...(account ? {account} : {}),
		expires: credential.type === 'oauth' ? credential.expires : null,
		file: services.store.getState().file,
	};
};
