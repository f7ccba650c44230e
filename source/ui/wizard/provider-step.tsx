import {Box, Text} from 'ink';
import {useState} from 'react';
import {useStore} from 'zustand';
import {listCredentials} from '../../credentials/view.js';
import {formatDuration, neverExpires} from '../../format.js';
import {providers} from '../../providers/registry.js';
import type {Provider} from '../../providers/types.js';
import {KeyHints} from '../components/key-hints.js';
import {SelectList} from '../components/select-list.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';

type Badge = {text: string; color: string};

const badgeFor = (
	view: ReturnType<typeof listCredentials>[number] | undefined,
	now: number,
): Badge | undefined => {
	if (!view) return undefined;
	const source = view.source === 'env' ? ` (${view.variable ?? 'env'})` : '';
	switch (view.state) {
		case 'valid':
			return {
				text:
					view.expires === null
						? `signed in${source}`
						: neverExpires(view.expires)
							? 'signed in · does not expire'
							: `signed in · expires in ${formatDuration(view.expires - now)}`,
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
	onSelect: (provider: Provider) => void;
	/** What Esc does here: leave the wizard ("quit", or "back to the panel"). */
	leaveLabel: string;
}) => {
	const services = useServices();
	const data = useStore(services.store, state => state.data);
	const now = services.clock.now();
	const views = listCredentials(data, services.env, now);
	const [highlighted, setHighlighted] = useState(providers[0]);
	const items = providers.map(provider => {
		const badge = badgeFor(
			views.find(view => view.provider === provider),
			now,
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
						onSelect(item.value);
					}}
				/>
			</Box>
			<Box marginTop={1} minHeight={1}>
				{highlighted?.notice ? (
					<Text color={theme.warning}>Note: {highlighted.notice}</Text>
				) : null}
			</Box>
			<KeyHints
				hints={[
					['↑/↓', 'choose'],
					['Enter', 'select'],
					['Esc', leaveLabel],
				]}
			/>
		</Box>
	);
};
