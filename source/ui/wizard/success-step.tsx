import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {formatClock, formatDuration, neverExpires} from '../../format.js';
import {printable} from '../../printable.js';
import {profilesFile} from '../../profiles/profile-file.js';
import {describeSaved} from '../../profiles/sign-in.js';
import type {Method} from '../../providers/types.js';
import {KeyHints} from '../components/key-hints.js';
import {useNow} from '../hooks/use-now.js';
import {theme} from '../theme.js';
import type {LoginSummary} from './wizard-state.js';

const methodNames: Record<Method, string> = {
	oauth: 'browser sign-in',
	device: 'a device code',
	'setup-token': 'a setup token',
	'api-key': 'an API key',
};

const Row = ({label, children}: {label: string; children: ReactNode}) => (
	<Text>
		<Text color={theme.muted}>{label.padEnd(10)}</Text>
		{children}
	</Text>
);

/** Who is signed in, until when, and where it was saved. Stays on screen after the wizard ends. */
export const SuccessSummary = ({summary}: {summary: LoginSummary}) => {
	const now = useNow();
	const {expires} = summary;
	return (
		<Box flexDirection="column">
			<Text color={theme.success} bold>
				✔ Signed in to {summary.provider.name} with{' '}
				{methodNames[summary.method]}
			</Text>
			<Box flexDirection="column" marginY={1} marginLeft={2}>
				{summary.account ? (
					<Row label="Account">{printable(summary.account)}</Row>
				) : null}
				<Row label="Expires">
					{expires === null
						? 'never (an API key does not expire)'
						: neverExpires(expires)
							? 'never (the key from this sign-in does not expire)'
							: `${formatClock(expires, now)} (in ${formatDuration(expires - now)})`}
				</Row>
				<Row label="Saved to">
					{printable(
						summary.saved && !summary.saved.active
							? profilesFile(summary.file)
							: summary.file,
					)}
				</Row>
			</Box>
			{summary.saved
				? describeSaved(summary.provider, summary.saved).map(line => (
						<Text key={line}>{line}</Text>
					))
				: null}
		</Box>
	);
};

/** The success screen: Enter signs in to another provider, any other key finishes (the wizard's keys). */
export const SuccessStep = ({
	summary,
	leaveLabel,
}: {
	summary: LoginSummary;
	leaveLabel: string;
}) => (
	<Box flexDirection="column">
		<SuccessSummary summary={summary} />
		<KeyHints
			hints={[
				['Enter', 'sign in to another provider'],
				['any other key', leaveLabel],
			]}
		/>
	</Box>
);
