import {Box, Text} from 'ink';
import {flowPhrases} from '../flow.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {theme} from '../theme.js';

/**
The footer line: "Enter try again · Esc back". On a narrow terminal it takes more lines, breaking
only between hints: "l sign in" never ends up as "l sign" and "in". Every screen that shows hints
sits in a box with one column of padding on each side.
*/
/** The hints of every list the wizard asks from; `esc` says where Esc goes (back, or quit). */
export const choiceHints = (esc: string): Array<[string, string]> => [
	['↑/↓', 'choose'],
	['Enter', 'select'],
	['Esc', esc],
];

export const KeyHints = ({hints}: {hints: ReadonlyArray<[string, string]>}) => {
	const {columns} = useTerminalSize();
	const lines = flowPhrases(
		hints.map(([key, action]) => `${key} ${action}`),
		columns - 2,
	);
	return (
		<Box flexDirection="column">
			{lines.map(line => (
				<Text key={line.join()} color={theme.muted}>
					{line.join(' · ')}
				</Text>
			))}
		</Box>
	);
};
