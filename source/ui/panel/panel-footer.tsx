import {Text} from 'ink';
import {KeyHints} from '../components/key-hints.js';
import {flowPhrases, linesOf} from '../flow.js';
import {theme} from '../theme.js';
import type {PanelState} from './panel-keys.js';

/** The question about the selected credential, when one is asked. */
const questionOf = (state: PanelState, file: string): string | undefined => {
	const {mode} = state;
	if (mode.kind === 'confirm-logout') {
		const {view} = mode;
		// The profile is named where there is a choice: not for a lone `default`.
		const name =
			view.profile && (!view.active || view.profile !== 'default')
				? `${view.provider.name} (${view.profile})`
				: view.provider.name;
		return view.source === 'env'
			? `${view.provider.name} comes from the environment variable ${view.variable ?? ''}; unset it to sign out. Press any key.`
			: `Sign out of ${name}? This removes it from ${view.active ? file : "pi-auth's profile store"}.${view.provider.logoutNote ? ` ${view.provider.logoutNote}` : ''} y to confirm, any other key to keep it.`;
	}

	if (mode.kind === 'confirm-switch') {
		const {view} = mode;
		return `Switch ${view.provider.name} to ${view.profile ?? ''}${view.account ? ` (${view.account})` : ''}? pi then uses this account. Enter or y to switch, any other key to stay.`;
	}

	return undefined;
};

const hintsOf = (state: PanelState): Array<[string, string]> => [
	['↑/↓', 'select'],
	['Enter/s', 'use this account'],
	['r', 'usage now'],
	['R', 'refresh token'],
	['l', 'sign in'],
	['d', 'sign out'],
	['u', state.showLeft ? 'show used' : 'show left'],
	['q', 'quit'],
];

/** The lines the footer takes in `width` columns (the panel keeps them on screen). */
export const footerHeight = (
	state: PanelState,
	file: string,
	width: number,
) => {
	const question = questionOf(state, file);
	return question
		? linesOf(question, width)
		: flowPhrases(
				hintsOf(state).map(([key, action]) => `${key} ${action}`),
				width,
			).length;
};

/** The question about the selected credential on screen, or the panel's keys. */
export const PanelFooter = ({
	state,
	file,
}: {
	state: PanelState;
	file: string;
}) => {
	const question = questionOf(state, file);
	return question ? (
		<Text color={theme.warning}>{question}</Text>
	) : (
		<KeyHints hints={hintsOf(state)} />
	);
};
