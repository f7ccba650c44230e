import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {Provider} from '../../providers/types.js';
import {listAll} from '../../profiles/view.js';
import {KeyHints, choiceHints} from '../components/key-hints.js';
import {SelectList} from '../components/select-list.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';

type Choice = 'add' | 'replace';

/**
The provider already has an account (issue 12): add another one beside it, or sign in to the active
one again (which replaces its tokens). Adding is first: it never loses anything.
*/
export const AccountStep = ({
	provider,
	onSelect,
}: {
	provider: Provider;
	onSelect: (choice: Choice) => void;
}) => {
	const services = useServices();
	const data = useStore(services.store, state => state.data);
	const profiles = useStore(services.store, state => state.profiles);
	const mine = listAll(
		data,
		profiles,
		services.env,
		services.clock.now(),
	).filter(view => view.provider.id === provider.id && view.source === 'file');
	const active = mine.find(view => view.active);
	const who = (view: (typeof mine)[number]) =>
		`${view.profile ?? ''}${view.account ? ` (${view.account})` : ''}`;
	const items = [
		{
			key: 'add',
			label: 'Add another account',
			value: 'add' as const,
			detail:
				'kept beside the others; switch with pi-auth use or Enter in the panel',
		},
		...(active
			? [
					{
						key: 'replace',
						label: `Sign in to ${active.profile ?? 'it'} again`,
						value: 'replace' as const,
						detail: 'replaces its tokens (pi uses this one)',
					},
				]
			: []),
	];
	return (
		<Box flexDirection="column">
			<Text bold>
				{provider.name}: you have{' '}
				{mine.length === 1 ? 'an account' : `${mine.length} accounts`} here.
			</Text>
			{mine.map(view => (
				<Text key={view.key} color={theme.muted}>
					{'  '}
					{who(view)}
					{view.active ? ' — active, pi uses it' : ''}
				</Text>
			))}
			<Box marginTop={1}>
				<SelectList
					items={items}
					onSelect={item => {
						onSelect(item.value);
					}}
				/>
			</Box>
			<KeyHints hints={choiceHints('back')} />
		</Box>
	);
};
