import type {Method, Provider} from '../../providers/types.js';
import type {WizardState, WizardStep} from './wizard-state.js';

export const stepForMethod = (
	provider: Provider,
	method: Method,
	enterpriseDomain: string | undefined | null,
): WizardStep => {
	switch (method) {
		case 'oauth':
			return {kind: 'browser', provider, attempt: 0};
		case 'device':
			// null: not asked yet. Copilot asks for the enterprise host first (blank = github.com).
			if (provider.asksEnterpriseDomain && enterpriseDomain === null) {
				return {kind: 'enterprise', provider};
			}

			return {
				kind: 'device',
				provider,
				...(enterpriseDomain ? {enterpriseDomain} : {}),
				attempt: 0,
			};
		case 'setup-token':
		case 'api-key':
			return {kind: 'secret', provider, method};
	}
};

/** The step after choosing a provider: its only method runs at once, otherwise the method list. */
export const stepForProvider = (
	provider: Provider,
	method: Method | undefined,
	/** null: ask; undefined: github.com; a host: that host. */
	enterpriseDomain: string | undefined | null,
): WizardStep => {
	const only = provider.methods.length === 1 ? provider.methods[0] : undefined;
	const chosen = method && provider.methods.includes(method) ? method : only;
	return chosen
		? stepForMethod(provider, chosen, enterpriseDomain)
		: {kind: 'method', provider};
};

/**
The wizard starts at the first step not given by flags. Steps that were skipped are not in the
history, except the provider list, so Esc always has somewhere sensible to go. A preset provider
that already has an account starts at the account step, unless `--profile` named the profile.
*/
export const initialWizardState = (
	presets: {
		provider?: Provider;
		method?: Method;
		/** undefined: ask (where the provider asks); a string or '' for github.com: given. */
		enterpriseDomain?: string;
		/** `--profile NAME`: the sign-in goes to that profile; no account step. */
		profile?: string;
		/** The preset provider already has an account (stored, active or not). */
		existing?: boolean;
	} = {},
): WizardState => {
	const start: WizardStep = {kind: 'provider'};
	const enterpriseDomain =
		presets.enterpriseDomain === undefined
			? null
			: presets.enterpriseDomain || undefined;
	const base: WizardState = {
		history: [start],
		presets: {
			...(presets.method ? {method: presets.method} : {}),
			enterpriseDomain,
		},
		...(presets.profile
			? {target: {mode: 'named' as const, name: presets.profile}}
			: {}),
	};
	if (!presets.provider) return base;
	const next: WizardStep =
		presets.existing && !presets.profile
			? {kind: 'account', provider: presets.provider}
			: stepForProvider(presets.provider, presets.method, enterpriseDomain);
	return {...base, history: [start, next]};
};
