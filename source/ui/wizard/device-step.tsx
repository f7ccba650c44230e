import {Box, Text, useInput} from 'ink';
import {useState} from 'react';
import {formatDuration} from '../../format.js';
import {printable} from '../../printable.js';
import type {Provider} from '../../providers/types.js';
import {KeyHints} from '../components/key-hints.js';
import {Link} from '../components/link.js';
import {Spinner} from '../components/spinner.js';
import {useDeviceLogin} from '../hooks/use-device-login.js';
import {useNow} from '../hooks/use-now.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';
import type {LoginSummary} from './wizard-state.js';

/** Device-code sign-in: the code large and clear, where to enter it, and the time left. */
export const DeviceStep = ({
	provider,
	enterpriseDomain,
	attempt,
	onSuccess,
	onError,
}: {
	provider: Provider;
	enterpriseDomain?: string;
	attempt: number;
	onSuccess: (summary: LoginSummary) => void;
	onError: (error: unknown) => void;
}) => {
	const services = useServices();
	const state = useDeviceLogin(
		provider,
		{...(enterpriseDomain ? {enterpriseDomain} : {}), attempt},
		{onSuccess, onError},
	);
	const now = useNow();
	const [copied, setCopied] = useState(false);
	/** What `o` did, said under the code: a key that changes nothing visible reads as broken. */
	const [opening, setOpening] = useState<'opening' | 'opened' | 'failed'>();

	useInput((input, key) => {
		// Ctrl+C arrives as `c` with ctrl set: it quits (the wizard's handler), it does not copy.
		if (state.status !== 'waiting' || key.ctrl || key.meta) return;
		if (input === 'c') {
			services.copy(state.userCode);
			setCopied(true);
		} else if (input === 'o' && services.canOpenBrowser) {
			setOpening('opening');
			services.openBrowser(state.verificationUri).then(
				opened => {
					setOpening(opened ? 'opened' : 'failed');
				},
				() => {
					setOpening('failed');
				},
			);
		}
	});

	if (state.status === 'starting') {
		return (
			<Text>
				<Spinner /> Asking {provider.name} for a device code…
			</Text>
		);
	}

	return (
		<Box flexDirection="column">
			<Text bold>
				Sign in to {provider.name}
				{enterpriseDomain ? ` (${enterpriseDomain})` : ''} with a device code
			</Text>
			<Box marginTop={1}>
				<Text>
					{state.opened
						? 'Your browser should open this page; on another device, go to:'
						: 'On any device, go to:'}
				</Text>
			</Box>
			{/* The code and the page come from the provider (printable.ts). */}
			<Link url={printable(state.verificationUri)} hyperlink={services.links} />
			<Text>and enter the code:</Text>
			<Box
				borderStyle="round"
				borderColor={theme.accent}
				paddingX={2}
				alignSelf="flex-start"
			>
				<Text bold color={theme.accent}>
					{[...printable(state.userCode)].join(' ')}
				</Text>
			</Box>
			<Text color={copied ? theme.success : theme.muted}>
				{copied ? 'Code copied to the clipboard.' : 'Press c to copy the code.'}
			</Text>
			{opening ? (
				<Text color={opening === 'failed' ? theme.warning : theme.muted}>
					{opening === 'opening'
						? 'Opening the page in your browser…'
						: opening === 'opened'
							? 'The page was handed to your browser.'
							: 'No browser could be started here: open the page above yourself.'}
				</Text>
			) : null}
			<Box marginTop={1}>
				<Text>
					<Spinner /> Waiting for approval · the code expires in{' '}
					{formatDuration(state.expiresAt - now)}
				</Text>
			</Box>
			<KeyHints
				hints={[
					['c', 'copy code'],
					...(services.canOpenBrowser
						? [['o', 'open page'] as [string, string]]
						: []),
					['Esc', 'back'],
					['Ctrl+C', 'quit'],
				]}
			/>
		</Box>
	);
};
