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

	useInput((input, key) => {
		// Ctrl+C arrives as `c` with ctrl set: it quits (the wizard's handler), it does not copy.
		if (state.status !== 'waiting' || key.ctrl || key.meta) return;
		if (input === 'c') {
			services.copy(state.userCode);
			setCopied(true);
		} else if (input === 'o' && services.canOpenBrowser) {
			services.openBrowser(state.verificationUri);
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
