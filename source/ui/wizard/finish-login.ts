import {createContext, useContext} from 'react';
import type {Credential} from '../../credentials/credential.js';
import {freshName, profileNames} from '../../profiles/lookup.js';
import {profileOfAccount, saveSignIn} from '../../profiles/sign-in.js';
import {activeProfileOf} from '../../profiles/view.js';
import type {Method, Provider} from '../../providers/types.js';
import type {Services} from '../services.js';
import type {LoginSummary, SignInTarget} from './wizard-state.js';

/** Where the wizard's sign-in goes; the sign-in steps read it when they save. */
export const SignInTargetContext = createContext<SignInTarget>({
	mode: 'replace',
});

export const useSignInTarget = (): SignInTarget =>
	useContext(SignInTargetContext);

/**
Saves a new credential to the profile it belongs to (profiles/sign-in.ts) and describes it. To add
another account, a sign-in to an account no profile holds yet is not saved here: it comes back
`pending`, and the wizard asks for its name (the name step saves it).
*/
export const finishLogin = async (
	services: Services,
	provider: Provider,
	method: Method,
	credential: Credential,
	target: SignInTarget = {mode: 'replace'},
): Promise<LoginSummary> => {
	const {file} = services.store.getState();
	const account = provider.account?.(credential);
	const described = {
		provider,
		method,
		...(account ? {account} : {}),
		expires: credential.type === 'oauth' ? credential.expires : null,
		file,
	};
	if (target.mode === 'add') {
		await services.store.getState().reload();
		const {data: auth, profiles} = services.store.getState();
		if (!profileOfAccount(provider, credential, {auth, profiles})) {
			const active =
				auth[provider.id] === undefined
					? []
					: [activeProfileOf(auth, profiles, provider.id).name];
			const taken = [...active, ...profileNames(profiles, provider.id)];
			return {
				...described,
				pending: {
					provider,
					method,
					credential,
					...(account ? {account} : {}),
					suggested: freshName(profiles, provider.id, credential, taken),
					taken,
				},
			};
		}
	}

	const saved = await saveSignIn(
		file,
		provider,
		credential,
		target.mode === 'named'
			? {profile: target.name}
			: {adding: target.mode === 'add'},
	);
	await services.store.getState().reload();
	return {...described, saved};
};

/** The name step's save: the pending sign-in under the name the person chose. */
export const saveNamed = async (
	services: Services,
	pending: NonNullable<LoginSummary['pending']>,
	name: string,
): Promise<LoginSummary> =>
	finishLogin(services, pending.provider, pending.method, pending.credential, {
		mode: 'named',
		name,
	});
