import {Box, Text} from 'ink';
import {printable} from '../../printable.js';
import {KeyHints} from '../components/key-hints.js';
import {theme} from '../theme.js';

/** The engine's message (what happened and what to do); Enter retries, Esc goes back (the wizard's keys). */
export const ErrorStep = ({message}: {message: string}) => {
	return (
		<Box flexDirection="column">
			<Text color={theme.error} bold>
				✘ {printable(message)}
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
