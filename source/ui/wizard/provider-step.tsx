import {Box, Text} from 'ink';
import {useState} from 'react';
import {useStore} from 'zustand';
import type {CredentialView} from '../../credentials/view.js';
import {listAll} from '../../profiles/view.js';
import {formatDuration, neverExpires} from '../../format.js';
import {providers} from '../../providers/registry.js';
import type {Provider} from '../../providers/types.js';
import {KeyHints, choiceHints} from '../components/key-hints.js';
import {SelectList} from '../components/select-list.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';

type Badge = {text: string; color: string};

const badgeFor = (
	view: CredentialView | undefined,
	now: number,
	accounts: number,
): Badge | undefined => {
	if (!view) {
		return accounts > 0
			? {text: `${accounts} accounts, none active`, color: theme.warning}
			: undefined;
	}

	const many = accounts > 1 ? ` · ${accounts} accounts` : '';
	const source = view.source === 'env' ? ` (${view.variable ?? 'env'})` : '';
	switch (view.state) {
		case 'valid':
			return {
				text:
					view.expires === null
						? `signed in${source}${many}`
						: neverExpires(view.expires)
							? `signed in · does not expire${many}`
							: `signed in · expires in ${formatDuration(view.expires - now)}${many}`,
				color: theme.success,
			};
		case 'expiring':
			return {text: 'signed in · expiring soon', color: theme.warning};
		case 'expired':
			return {text: 'expired', color: theme.warning};
		case 'needs-login':
			return {text: 'needs sign-in', color: theme.error};
	}
};

/** Step 1: which subscription, with a badge for what is already signed in. */
export const ProviderStep = ({
	onSelect,
	leaveLabel,
}: {
	/** `existing`: the provider already has an account (the wizard then asks: another, or again?). */
	onSelect: (provider: Provider, existing: boolean) => void;
	/** What Esc does here: leave the wizard ("quit", or "back to the panel"). */
	leaveLabel: string;
}) => {
	const services = useServices();
	const data = useStore(services.store, state => state.data);
	const profiles = useStore(services.store, state => state.profiles);
	const now = services.clock.now();
	const views = listAll(data, profiles, services.env, now);
	const accounts = (provider: Provider) =>
		views.filter(view => view.provider === provider && view.source === 'file')
			.length;
	const [highlighted, setHighlighted] = useState(providers[0]);
	const items = providers.map(provider => {
		const badge = badgeFor(
			views.find(view => view.provider === provider && view.active),
			now,
			accounts(provider),
		);
		return {
			key: provider.id,
			label: provider.name,
			value: provider,
			detail: provider.subscription,
			...(badge ? {badge} : {}),
		};
	});
	return (
		<Box flexDirection="column">
			<Text bold>Which subscription do you want to sign in to?</Text>
			<Box marginTop={1}>
				<SelectList
					items={items}
					onHighlight={item => {
						setHighlighted(item.value);
					}}
					onSelect={item => {
						onSelect(item.value, accounts(item.value) > 0);
					}}
				/>
			</Box>
			<Box marginTop={1} minHeight={1}>
				{highlighted?.notice ? (
					<Text color={theme.warning}>Note: {highlighted.notice}</Text>
				) : null}
			</Box>
			<KeyHints hints={choiceHints(leaveLabel)} />
		</Box>
	);
};
