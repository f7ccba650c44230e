import {Box, Text} from 'ink';
import TextInput from 'ink-text-input';
import {useState} from 'react';
import {normalizeEnterpriseDomain} from '../../engine/login.js';
import {isPiAuthError} from '../../errors.js';
import type {Provider} from '../../providers/types.js';
import {KeyHints} from '../components/key-hints.js';
import {theme} from '../theme.js';

/** Copilot: GitHub Enterprise host, typed (blank = github.com; docs/providers.md keeps only the host). */
export const EnterpriseStep = ({
	provider,
	onSubmit,
}: {
	provider: Provider;
	onSubmit: (domain: string | undefined) => void;
}) => {
	const [value, setValue] = useState('');
	const [error, setError] = useState<string>();
	const submit = (text: string) => {
		try {
			onSubmit(normalizeEnterpriseDomain(text));
		} catch (error_) {
			if (!isPiAuthError(error_)) throw error_;
			setError(error_.message);
		}
	};

	return (
		<Box flexDirection="column">
			<Text bold>{provider.name}: GitHub Enterprise host?</Text>
			<Text color={theme.muted}>
				Leave it blank for github.com; otherwise type the host, like
				github.example.com.
			</Text>
			<Box marginTop={1}>
				<Text color={theme.accent}>{'> '}</Text>
				<TextInput
					value={value}
					placeholder="github.com"
					onChange={next => {
						setError(undefined);
						// ink-text-input keeps a line break that arrives inside pasted text
						// (docs/testing.md): a pasted "host\n" submits, as the Enter key would.
						const lineBreak = next.search(/[\r\n]/);
						if (lineBreak === -1) {
							setValue(next);
						} else {
							setValue(next.slice(0, lineBreak));
							submit(next.slice(0, lineBreak));
						}
					}}
					onSubmit={submit}
				/>
			</Box>
			{error ? <Text color={theme.error}>{error}</Text> : null}
			<KeyHints
				hints={[
					['Enter', 'continue'],
					['Esc', 'back'],
				]}
			/>
		</Box>
	);
};
