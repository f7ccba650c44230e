import {Box, Text} from 'ink';
import {useState} from 'react';
import {isPiAuthError} from '../../errors.js';
import type {Provider} from '../../providers/types.js';
import {KeyHints} from '../components/key-hints.js';
import {PasteField} from '../components/paste-field.js';
import {Spinner} from '../components/spinner.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';
import {finishLogin, useSignInTarget} from './finish-login.js';
import type {LoginSummary, SecretMethod} from './wizard-state.js';

const copy: Record<
	SecretMethod,
	{title: string; hint: (provider: Provider) => string}
> = {
	'setup-token': {
		title: 'Paste your setup token',
		hint: () =>
			'Run `claude setup-token` in another terminal and paste the sk-ant-oat01-… token it prints.',
	},
	'api-key': {
		title: 'Paste your API key',
		hint: provider =>
			`Create one at ${provider.apiKeyUrl ?? 'the provider console'}; it is stored in the credential file, mode 0600. pi's forms work too: !command (its output is the key) or $VARIABLE.`,
	},
};

/** Setup token or API key: a masked field, validated on submit; a bad value can be pasted again. */
export const SecretStep = ({
	provider,
	method,
	onSuccess,
	onError,
}: {
	provider: Provider;
	method: SecretMethod;
	onSuccess: (summary: LoginSummary) => void;
	onError: (error: unknown) => void;
}) => {
	const services = useServices();
	const target = useSignInTarget();
	const [invalid, setInvalid] = useState<string>();
	const [saving, setSaving] = useState(false);
	const submit = (value: string) => {
		if (!provider.fromSecret) return;
		let credential;
		try {
			credential = provider.fromSecret(method, value, services.clock.now());
		} catch (error) {
			if (!isPiAuthError(error)) throw error;
			setInvalid(error.message);
			return;
		}

		setInvalid(undefined);
		setSaving(true);
		finishLogin(services, provider, method, credential, target).then(
			onSuccess,
			onError,
		);
	};

	return (
		<Box flexDirection="column">
			<Text bold>
				{copy[method].title} for {provider.name}
			</Text>
			<Text color={theme.muted}>{copy[method].hint(provider)}</Text>
			<Box marginTop={1}>
				{saving ? (
					<Text>
						<Spinner /> Saving…
					</Text>
				) : (
					<PasteField
						mask
						placeholder="paste here"
						onSubmit={submit}
						onEdit={() => {
							setInvalid(undefined);
						}}
					/>
				)}
			</Box>
			{invalid ? <Text color={theme.error}>{invalid}</Text> : null}
			<KeyHints
				hints={[
					['Enter', 'save'],
					['Esc', 'back'],
				]}
			/>
		</Box>
	);
};
