import type {CredentialView} from '../../credentials/view.js';
import {EXIT_INTERRUPTED} from '../wizard/wizard-state.js';

/** The panel's screens: the list, a question about the selected credential, or the wizard (`l`). */
export type PanelMode =
	| {kind: 'list'}
	| {kind: 'confirm-logout'; view: CredentialView}
	| {kind: 'confirm-switch'; view: CredentialView}
	| {kind: 'wizard'};

export type PanelState = {
	mode: PanelMode;
	selected: number;
	showLeft: boolean;
	/** What the last key could not do (R on an API key, a failed switch), until the next key. */
	notice?: string;
};

/** What a key asks of the outside world; the panel runs it (docs/architecture.md "House style": reducers, effects apart). */
export type PanelEffect =
	| {type: 'exit'; code: number}
	| {type: 'logout'; view: CredentialView}
	| {type: 'use'; view: CredentialView}
	| {type: 'refresh-token'; view: CredentialView}
	| {type: 'refresh-usage'; view: CredentialView};

export type PanelKey = {
	input: string;
	upArrow?: boolean;
	downArrow?: boolean;
	return?: boolean;
	ctrl?: boolean;
};

export const initialPanelState: PanelState = {
	mode: {kind: 'list'},
	selected: 0,
	showLeft: false,
};

/** Said instead of d, R, l or a switch while the credential file cannot be read. */
export const FILE_NOTICE =
	'The credential file cannot be read (see above): fix or move it first. pi-auth will not change it.';

/** Why `R` has nothing to do for this entry, said once instead of a refresh that cannot happen. */
export const whyNotRefreshable = (view: CredentialView): string | undefined => {
	const {name} = view.provider;
	if (view.credential?.type === 'api_key') {
		return `${name} uses an API key: it does not expire, so there is nothing to refresh.`;
	}

	if (!view.managed) {
		return `pi-auth does not sign in to ${name}, so it cannot refresh it; pi refreshes its own entries when it uses them.`;
	}

	if (view.source === 'env') {
		return `${name} comes from the environment variable ${view.variable ?? ''}; pi-auth does not refresh it.`;
	}

	if (view.credential?.type === 'oauth' && !view.credential.refresh) {
		return `${name} holds a token without a refresh token (a setup token): it cannot be refreshed. Press l to sign in again when it expires.`;
	}

	return undefined;
};

const answer = (
	state: PanelState,
	key: PanelKey,
): {state: PanelState; effects: PanelEffect[]} => {
	const {mode} = state;
	const list: PanelState = {...state, mode: {kind: 'list'}};
	const yes = key.input === 'y' || key.input === 'Y';
	if (mode.kind === 'confirm-logout') {
		return {
			state: list,
			effects:
				yes && mode.view.source === 'file'
					? [{type: 'logout', view: mode.view}]
					: [],
		};
	}

	if (mode.kind === 'confirm-switch') {
		return {
			state: list,
			effects: yes || key.return ? [{type: 'use', view: mode.view}] : [],
		};
	}

	return {state, effects: []};
};

/**
One key in the list (or in a question about the selected credential). Pure: the next state and
what to do, decided from the state and the credentials as listed when the key arrived.
*/
export const panelKey = (
	current: PanelState,
	key: PanelKey,
	views: readonly CredentialView[],
	{fileUnreadable = false}: {fileUnreadable?: boolean} = {},
): {state: PanelState; effects: PanelEffect[]} => {
	const state: PanelState = {...current, notice: undefined};
	if (key.ctrl && key.input === 'c') {
		return {state, effects: [{type: 'exit', code: EXIT_INTERRUPTED}]};
	}

	if (state.mode.kind !== 'list') return answer(state, key);
	const last = Math.max(0, views.length - 1);
	const index = Math.min(state.selected, last);
	const view = views[index];
	const {input} = key;
	if (key.downArrow || input === 'j') {
		return {
			state: {...state, selected: Math.min(index + 1, last)},
			effects: [],
		};
	}

	if (key.upArrow || input === 'k') {
		return {state: {...state, selected: Math.max(index - 1, 0)}, effects: []};
	}

	if (input === 'q') return {state, effects: [{type: 'exit', code: 0}]};
	// Nothing that writes the file can work while it cannot be read: said, not attempted.
	const writes =
		input === 'd' ||
		input === 'R' ||
		input === 'l' ||
		input === 's' ||
		key.return === true;
	if (fileUnreadable && writes) {
		return {state: {...state, notice: FILE_NOTICE}, effects: []};
	}

	if (input === 'l')
		return {state: {...state, mode: {kind: 'wizard'}}, effects: []};
	if (input === 'u') {
		return {state: {...state, showLeft: !state.showLeft}, effects: []};
	}

	if (!view) return {state, effects: []};
	if (input === 'r') return {state, effects: [{type: 'refresh-usage', view}]};
	if (input === 'R') {
		const why = whyNotRefreshable(view);
		return why
			? {state: {...state, notice: why}, effects: []}
			: {state, effects: [{type: 'refresh-token', view}]};
	}

	if (input === 'd') {
		return {
			state: {...state, mode: {kind: 'confirm-logout', view}},
			effects: [],
		};
	}

	if (key.return || input === 's') {
		if (view.active || view.profile === undefined) {
			return {
				state: {
					...state,
					notice:
						view.profile === undefined
							? `${view.provider.name} has no profiles to switch between.`
							: `${view.provider.id}:${view.profile} is already the one pi uses.`,
				},
				effects: [],
			};
		}

		return {
			state: {...state, mode: {kind: 'confirm-switch', view}},
			effects: [],
		};
	}

	return {state, effects: []};
};
