import {Box, Static, Text} from 'ink';
import {createContext, useContext} from 'react';
import {theme} from '../theme.js';

export type TranscriptEntry = {id: string; label: string; url: string};

export const TranscriptContext = createContext<
	(entry: TranscriptEntry) => void
>(() => undefined);

/** Prints a line once, above the live screen (see Transcript). */
export const usePrint = () => useContext(TranscriptContext);

/**
The title and the sign-in links, printed once above the live screen and never redrawn. Ink hard-wraps text to the
terminal width, and a hard-wrapped sign-in URL copied from the screen carries line breaks (a
common complaint); here each URL is one long line in a box as wide as the URL, which the
terminal soft-wraps, so selecting and copying it gives the URL whole. It is also an OSC 8
hyperlink where the terminal understands one.
*/
export const Transcript = ({
	entries,
	hyperlinks,
	title = true,
}: {
	entries: readonly TranscriptEntry[];
	hyperlinks: boolean;
	/** The wizard opened from the panel prints no title: the panel has its own. */
	title?: boolean;
}) => (
	<Static items={title ? [undefined, ...entries] : [...entries]}>
		{entry =>
			entry === undefined ? (
				<Box key="title" paddingX={1} marginBottom={1}>
					<Text color={theme.accent} bold>
						pi-auth
					</Text>
					<Text color={theme.muted}> · sign in to your AI subscriptions</Text>
				</Box>
			) : (
				<Box
					key={entry.id}
					flexDirection="column"
					paddingX={1}
					marginBottom={1}
				>
					<Text color={theme.muted}>{entry.label}</Text>
					<Box width={entry.url.length + 1}>
						<Text color={theme.accent}>
							{hyperlinks
								? `\u001B]8;;${entry.url}\u0007${entry.url}\u001B]8;;\u0007`
								: entry.url}
						</Text>
					</Box>
				</Box>
			)
		}
	</Static>
);
