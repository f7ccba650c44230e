import {Text} from 'ink';
import {theme} from '../theme.js';

/** The footer line: "Enter try again · Esc back". */
export const KeyHints = ({hints}: {hints: ReadonlyArray<[string, string]>}) => (
	<Text color={theme.muted}>
		{hints.map(([key, action]) => `${key} ${action}`).join(' · ')}
	</Text>
);
