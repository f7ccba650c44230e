import {Box, Text} from 'ink';
import {useState} from 'react';
import {isProfileName} from '../../profiles/names.js';
import {KeyHints} from '../components/key-hints.js';
import {PasteField} from '../components/paste-field.js';
import {Spinner} from '../components/spinner.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';
import {saveNamed} from './finish-login.js';
import type {LoginSummary, PendingProfile} from './wizard-state.js';

/** Why a typed name cannot be used, or undefined. */
const problemWith = (name: string, taken: readonly string[]) => {
	if (!isProfileName(name)) {
		return 'Use 1 to 64 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit.';
	}

	return taken.includes(name)
		? `${name} is another account's profile already. Choose another name.`
		: undefined;
};

/**
The added account's profile name: Enter takes the one offered (from the account, when the provider
said whose it is). Saved only now; Esc discards this sign-in.
*/
export const NameStep = ({
	pending,
	onSuccess,
	onError,
}: {
	pending: PendingProfile;
	onSuccess: (summary: LoginSummary) => void;
	onError: (error: unknown) => void;
}) => {
	const services = useServices();
	const [problem, setProblem] = useState<string>();
	const [saving, setSaving] = useState(false);
	const submit = (typed: string) => {
		const name = typed.trim() || pending.suggested;
		const wrong = problemWith(name, pending.taken);
		setProblem(wrong);
		if (wrong) return;
		setSaving(true);
		saveNamed(services, pending, name).then(onSuccess, onError);
	};

	return (
		<Box flexDirection="column">
			<Text bold>
				Signed in to {pending.provider.name}
				{pending.account ? ` as ${pending.account}` : ''}. Name this account:
			</Text>
			<Text color={theme.muted}>
				A profile name, used as {pending.provider.id}:&lt;name&gt; (pi-auth use,
				pi-auth token). Enter keeps {pending.suggested}.
			</Text>
			<Box marginTop={1}>
				{saving ? (
					<Text>
						<Spinner /> Saving…
					</Text>
				) : (
					<PasteField placeholder={pending.suggested} onSubmit={submit} />
				)}
			</Box>
			{problem ? <Text color={theme.error}>{problem}</Text> : null}
			<KeyHints
				hints={[
					['Enter', 'save'],
					['Esc', 'discard this sign-in'],
				]}
			/>
		</Box>
	);
};
