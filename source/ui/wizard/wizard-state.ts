import type {Credential} from '../../credentials/credential.js';
import type {SavedSignIn} from '../../profiles/sign-in.js';
import type {Method, Provider} from '../../providers/types.js';
import {stepForMethod, stepForProvider} from './wizard-start.js';

export {initialWizardState} from './wizard-start.js';

/**
Where the sign-in goes (docs/contract.md "Profiles"): the active profile (`replace`), a new profile
named once the account is known (`add`), or the profile `login --profile NAME` named.
*/
export type SignInTarget =
	{mode: 'replace'} | {mode: 'add'} | {mode: 'named'; name: string};

/** A sign-in to add as another account, waiting for its profile name (nothing saved yet). */
export type PendingProfile = {
	provider: Provider;
	method: Method;
	credential: Credential;
	account?: string;
	/** The name offered (Enter takes it): derived from the account when it is known. */
	suggested: string;
	/** The provider's profile names already in use. */
	taken: readonly string[];
};

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
	/** Set instead of `saved` when the account still needs a profile name (the `name` step). */
	pending?: PendingProfile;
};

export type SecretMethod = 'setup-token' | 'api-key';

/** The wizard's screens (docs/architecture.md "House style": a discriminated union rendered by an exhaustive switch). */
export type WizardStep =
	| {kind: 'provider'}
	/** The provider already has an account: sign in to it again, or add another. */
	| {kind: 'account'; provider: Provider}
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
	| {kind: 'name'; pending: PendingProfile}
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
	/** Where the sign-in goes; the active profile unless the account step or --profile said otherwise. */
	target?: SignInTarget;
	exit?: number;
};

export type WizardAction =
	/** `existing`: the provider already has an account (the account step asks what to do). */
	| {type: 'provider'; provider: Provider; existing?: boolean}
	| {type: 'account'; mode: 'replace' | 'add'}
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

const replaceCurrent = (state: WizardState, step: WizardStep): WizardState => ({
	...state,
	history: [...state.history.slice(0, -1), step],
});

const push = (state: WizardState, step: WizardStep): WizardState => ({
	...state,
	history: [...state.history, step],
});

/** The sign-in step for a chosen provider, with the flags' method and host. */
const signInStep = (state: WizardState, provider: Provider) =>
	stepForProvider(
		provider,
		state.presets?.method,
		state.presets ? state.presets.enterpriseDomain : null,
	);

const back = (state: WizardState): WizardState => {
	const step = currentStep(state);
	if (step.kind === 'success') return {...state, exit: 0};
	// The error replaced the step that failed: popping it lands on the step before that one.
	const history = state.history.slice(0, -1);
	return history.length === 0
		? {...state, exit: EXIT_CANCELLED}
		: {...state, history};
};

export const wizardReducer = (
	state: WizardState,
	action: WizardAction,
): WizardState => {
	if (state.exit !== undefined) return state;
	const step = currentStep(state);
	switch (action.type) {
		case 'provider': {
			if (step.kind !== 'provider') return state;
			// Only --profile outlives a change of provider; the account step asks again.
			const {target: _chosen, ...rest} = state;
			const next: WizardState = state.target?.mode === 'named' ? state : rest;
			return push(
				next,
				action.existing && next.target === undefined
					? {kind: 'account', provider: action.provider}
					: signInStep(next, action.provider),
			);
		}

		case 'account':
			return step.kind === 'account'
				? push(
						{...state, target: {mode: action.mode}},
						signInStep(state, step.provider),
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
			// An added account without a name yet is named first; nothing is saved until then.
			return replaceCurrent(
				state,
				action.summary.pending && step.kind !== 'name'
					? {kind: 'name', pending: action.summary.pending}
					: {kind: 'success', summary: action.summary},
			);
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
					? {
							history: [{kind: 'provider'}],
							...(state.presets ? {presets: state.presets} : {}),
						}
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
