import type {SavedSignIn} from '../../profiles/sign-in.js';
import type {Method, Provider} from '../../providers/types.js';

/** What the success screen shows. */
export type LoginSummary = {
	provider: Provider;
	method: Method;
	account?: string;
	/** Epoch ms; null for API keys. */
	expires: number | null;
	file: string;
	/** Which profile it went to, and what that changed (profiles/sign-in.ts). */
	saved?: SavedSignIn;
};

export type SecretMethod = 'setup-token' | 'api-key';

/** The wizard's screens (house-style.md: a discriminated union rendered by an exhaustive switch). */
export type WizardStep =
	| {kind: 'provider'}
	| {kind: 'method'; provider: Provider}
	| {kind: 'enterprise'; provider: Provider}
	| {kind: 'browser'; provider: Provider; attempt: number}
	| {
			kind: 'device';
			provider: Provider;
			enterpriseDomain?: string;
			attempt: number;
	  }
	| {kind: 'secret'; provider: Provider; method: SecretMethod}
	| {kind: 'success'; summary: LoginSummary}
	| {kind: 'error'; message: string; failed: WizardStep};

/** What `login [--method m] [--enterprise host]` gave without a provider: used once one is chosen. */
export type WizardPresets = {
	method?: Method;
	/** null: ask (where the provider asks); undefined: github.com; a host: that host. */
	enterpriseDomain: string | undefined | null;
};

/** `history` ends with the current step; Esc pops it. `exit` is set once the wizard is done. */
export type WizardState = {
	history: readonly WizardStep[];
	presets?: WizardPresets;
	exit?: number;
};

export type WizardAction =
	| {type: 'provider'; provider: Provider}
	| {type: 'method'; method: Method}
	| {type: 'enterprise'; domain: string | undefined}
	| {type: 'succeeded'; summary: LoginSummary}
	| {type: 'failed'; message: string}
	| {type: 'retry'}
	/**
	A plain key (not Esc, not Ctrl). It means something on the success and error screens, and is
	decided here, from the current step, so a key pressed the moment a screen appears is not lost
	before the screen's own handler is listening.
	*/
	| {type: 'key'; enter: boolean}
	| {type: 'back'}
	| {type: 'quit'; code: number};

/** Exit codes: 0 signed in, 1 cancelled with Esc, 130 interrupted with Ctrl+C. */
export const EXIT_CANCELLED = 1;
export const EXIT_INTERRUPTED = 130;

export const currentStep = (state: WizardState): WizardStep =>
	state.history.at(-1) ?? {kind: 'provider'};

const stepForMethod = (
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
const stepForProvider = (
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
history, except the provider list, so Esc always has somewhere sensible to go.
*/
export const initialWizardState = (
	presets: {
		provider?: Provider;
		method?: Method;
		/** undefined: ask (where the provider asks); a string or '' for github.com: given. */
		enterpriseDomain?: string;
	} = {},
): WizardState => {
	const start: WizardStep = {kind: 'provider'};
	const enterpriseDomain =
		presets.enterpriseDomain === undefined
			? null
			: presets.enterpriseDomain || undefined;
	if (!presets.provider) {
		return {
			history: [start],
			presets: {
				...(presets.method ? {method: presets.method} : {}),
				enterpriseDomain,
			},
		};
	}

	return {
		history: [
			start,
			stepForProvider(presets.provider, presets.method, enterpriseDomain),
		],
	};
};

const replaceCurrent = (state: WizardState, step: WizardStep): WizardState => ({
	history: [...state.history.slice(0, -1), step],
});

const push = (state: WizardState, step: WizardStep): WizardState => ({
	history: [...state.history, step],
});

const back = (state: WizardState): WizardState => {
	const step = currentStep(state);
	if (step.kind === 'success') return {...state, exit: 0};
	// The error replaced the step that failed: popping it lands on the step before that one.
	const history = state.history.slice(0, -1);
	return history.length === 0 ? {...state, exit: EXIT_CANCELLED} : {history};
};

export const wizardReducer = (
	state: WizardState,
	action: WizardAction,
): WizardState => {
	if (state.exit !== undefined) return state;
	const step = currentStep(state);
	switch (action.type) {
		case 'provider':
			return step.kind === 'provider'
				? push(
						state,
						stepForProvider(
							action.provider,
							state.presets?.method,
							state.presets ? state.presets.enterpriseDomain : null,
						),
					)
				: state;
		case 'method':
			return step.kind === 'method'
				? push(state, stepForMethod(step.provider, action.method, null))
				: state;
		case 'enterprise':
			return step.kind === 'enterprise'
				? push(state, {
						kind: 'device',
						provider: step.provider,
						...(action.domain ? {enterpriseDomain: action.domain} : {}),
						attempt: 0,
					})
				: state;
		case 'succeeded':
			return replaceCurrent(state, {kind: 'success', summary: action.summary});
		case 'failed':
			return step.kind === 'error' || step.kind === 'success'
				? state
				: replaceCurrent(state, {
						kind: 'error',
						message: action.message,
						failed: step,
					});
		case 'retry': {
			if (step.kind !== 'error') return state;
			const {failed} = step;
			const again =
				failed.kind === 'browser' || failed.kind === 'device'
					? {...failed, attempt: failed.attempt + 1}
					: failed;
			return replaceCurrent(state, again);
		}

		case 'key':
			if (step.kind === 'success') {
				// Enter: another provider; any other key: done.
				return action.enter
					? {history: [{kind: 'provider'}]}
					: {...state, exit: 0};
			}

			return step.kind === 'error' && action.enter
				? wizardReducer(state, {type: 'retry'})
				: state;
		case 'back':
			return back(state);
		case 'quit':
			// Leaving the success screen is not an interruption: the sign-in is saved.
			return {...state, exit: step.kind === 'success' ? 0 : action.code};
	}
};
