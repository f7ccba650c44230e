import {Box, Text} from 'ink';
import {useEffect, useState} from 'react';
import {busyPortNote} from '../../engine/login.js';
import {printable} from '../../printable.js';
import type {Provider} from '../../providers/types.js';
import {KeyHints} from '../components/key-hints.js';
import {PasteField} from '../components/paste-field.js';
import {Spinner} from '../components/spinner.js';
import {usePrint} from '../components/transcript.js';
import {useBrowserLogin} from '../hooks/use-browser-login.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';
import type {LoginSummary} from './wizard-state.js';

/**
Steps 3 and 4 of a browser sign-in: the link (opened, printed, copyable), then the callback and
the paste field racing; whichever brings a valid code first moves the wizard on by itself.
*/
export const BrowserStep = ({
	provider,
	attempt,
	onSuccess,
	onError,
}: {
	provider: Provider;
	attempt: number;
	onSuccess: (summary: LoginSummary) => void;
	onError: (error: unknown) => void;
}) => {
	const services = useServices();
	const {state, rejected, paste, clearRejected} = useBrowserLogin(
		provider,
		attempt,
		{
			onSuccess,
			onError,
		},
	);
	const [copied, setCopied] = useState(false);
	const print = usePrint();
	const url = state.status === 'starting' ? undefined : state.url;
	useEffect(() => {
		if (url) {
			print({
				id: `${provider.id}-${attempt}`,
				// Printed once and kept (copyable whole); a later attempt says the earlier link is dead.
				label:
					attempt > 0
						? `New sign-in link for ${provider.name} (attempt ${attempt + 1}; the links above no longer work):`
						: `Sign-in link for ${provider.name}:`,
				url,
			});
		}
	}, [print, provider, attempt, url]);

	if (state.status === 'starting') {
		return (
			<Text>
				<Spinner /> Preparing the sign-in link…
			</Text>
		);
	}

	const note = busyPortNote(state.busyPorts, state.port);
	return (
		<Box flexDirection="column">
			<Text bold>Sign in to {provider.name} in your browser</Text>
			{provider.notice ? (
				<Text color={theme.warning}>Note: {provider.notice}</Text>
			) : null}
			<Box marginTop={1}>
				<Text>
					{state.opened
						? 'Your browser should open the sign-in link above; if it did not, open it yourself.'
						: 'Open the sign-in link above in a browser.'}
				</Text>
			</Box>
			<Text color={copied ? theme.success : theme.muted}>
				{copied
					? 'Link copied to the clipboard.'
					: 'Press c to copy it (OSC 52, works over SSH).'}
			</Text>
			{note ? <Text color={theme.warning}>{note}</Text> : null}
			{state.port !== undefined && services.ssh ? (
				<Text color={theme.muted}>
					Over SSH, forward the port first so the browser can reach it: ssh -L{' '}
					{state.port}:127.0.0.1:{state.port} &lt;this host&gt;
				</Text>
			) : null}
			<Box marginTop={1}>
				{state.status === 'exchanging' ? (
					<Text>
						<Spinner /> Code received, signing in…
					</Text>
				) : (
					<Text>
						<Spinner />{' '}
						{state.port === undefined
							? 'Waiting for you to paste the code.'
							: `Waiting for the browser to come back to ${state.host}:${state.port}…`}
					</Text>
				)}
			</Box>
			<Text>
				{provider.pasteWholeUrl
					? 'Or paste the whole address the browser ended on (from the address bar):'
					: 'Or paste the code, or the whole address the browser ended on:'}
			</Text>
			<PasteField
				isActive={state.status === 'waiting'}
				placeholder={
					provider.pasteWholeUrl
						? 'the whole callback URL'
						: 'code or redirect URL'
				}
				shortcuts={{
					c() {
						services.copy(state.url);
						setCopied(true);
					},
				}}
				onSubmit={paste}
				onEdit={clearRejected}
			/>
			{rejected ? <Text color={theme.error}>{printable(rejected)}</Text> : null}
			<KeyHints
				hints={[
					['Enter', 'submit'],
					['Esc', 'back'],
					['Ctrl+C', 'quit'],
				]}
			/>
		</Box>
	);
};
