import {Text} from 'ink';
import {theme} from '../theme.js';

/**
A URL on a line of its own, never inside a box (a hard-wrapped sign-in link is a common
complaint), as an OSC 8 hyperlink where the terminal understands it: a click opens the whole URL
even when the terminal wraps the text. BEL-terminated, the form wrap-ansi (Ink's wrapper)
understands.
*/
export const Link = ({url, hyperlink}: {url: string; hyperlink: boolean}) => (
	<Text color={theme.accent}>
		{hyperlink ? `\u001B]8;;${url}\u0007${url}\u001B]8;;\u0007` : url}
	</Text>
);
