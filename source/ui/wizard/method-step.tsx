import {Box, Text} from 'ink';
import {useState} from 'react';
import type {Method, Provider} from '../../providers/types.js';
import {KeyHints, choiceHints} from '../components/key-hints.js';
import {SelectList} from '../components/select-list.js';
import {theme} from '../theme.js';

const explain = (provider: Provider, method: Method): [string, string] => {
	switch (method) {
		case 'oauth':
			return [
				'Browser sign-in',
				provider.callback
					? provider.pasteWholeUrl
						? 'approve in the browser; it comes back here by itself (or paste the address it ends on)'
						: 'approve in the browser; it comes back here by itself (or paste the code it shows)'
					: 'paste the code shown after you approve',
			];
		case 'device':
			return [
				'Device code',
				'enter a short code on any device; works over SSH',
			];
		case 'setup-token':
			return [
				'Setup token',
				'paste the token printed by `claude setup-token` (one year, inference only)',
			];
		case 'api-key':
			return [
				'API key',
				'paste a key from the provider console (billed per use)',
			];
	}
};

/** Step 2: how to sign in, one line of explanation per method. */
export const MethodStep = ({
	provider,
	onSelect,
}: {
	provider: Provider;
	onSelect: (method: Method) => void;
}) => {
	const [highlighted, setHighlighted] = useState(provider.methods[0]);
	const items = provider.methods.map(method => {
		const [title, detail] = explain(provider, method);
		return {key: method, label: title, value: method, detail};
	});
	return (
		<Box flexDirection="column">
			<Text bold>How do you want to sign in to {provider.name}?</Text>
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
				{/* docs/providers.md: show the policy notice when the user picks a subscription sign-in. */}
				{provider.notice &&
				(highlighted === 'oauth' || highlighted === 'device') ? (
					<Text color={theme.warning}>Note: {provider.notice}</Text>
				) : null}
			</Box>
			<KeyHints hints={choiceHints('back')} />
		</Box>
	);
};
