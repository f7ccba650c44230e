import {Box, Text, useInput} from 'ink';
import {KeyHints} from '../components/key-hints.js';
import {theme} from '../theme.js';

/** The engine's message (what happened and what to do), then retry or go back. */
export const ErrorStep = ({
	message,
	onRetry,
}: {
	message: string;
	onRetry: () => void;
}) => {
	useInput((_input, key) => {
		if (key.return) onRetry();
	});
	return (
		<Box flexDirection="column">
			<Text color={theme.error} bold>
				✘ {message}
			</Text>
			<Box marginTop={1}>
				<KeyHints
					hints={[
						['Enter', 'try again'],
						['Esc', 'back'],
						['Ctrl+C', 'quit'],
					]}
				/>
			</Box>
		</Box>
	);
};
