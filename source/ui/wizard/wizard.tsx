import {Box, Text, useInput} from 'ink';
import {useCallback, useEffect, useReducer, useState} from 'react';
import {isPiAuthError} from '../../errors.js';
import {
	Transcript,
	TranscriptContext,
	type TranscriptEntry,
} from '../components/transcript.js';
import {useLatest} from '../hooks/use-latest.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';
import {AccountStep} from './account-step.js';
import {BrowserStep} from './browser-step.js';
import {DeviceStep} from './device-step.js';
import {EnterpriseStep} from './enterprise-step.js';
import {ErrorStep} from './error-step.js';
import {SignInTargetContext} from './finish-login.js';
import {MethodStep} from './method-step.js';
import {NameStep} from './name-step.js';
import {ProviderStep} from './provider-step.js';
import {SecretStep} from './secret-step.js';
import {SuccessStep, SuccessSummary} from './success-step.js';
import {
	EXIT_CANCELLED,
	EXIT_INTERRUPTED,
	type LoginSummary,
	type WizardAction,
	type WizardState,
	type WizardStep,
	currentStep,
	wizardReducer,
} from './wizard-state.js';

const REPLACE = {mode: 'replace'} as const;

const messageOf = (error: unknown): string =>
	isPiAuthError(error)
		? error.message
		: `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;

const renderStep = (
	step: WizardStep,
	dispatch: (action: WizardAction) => void,
	embedded: boolean,
) => {
	const onSuccess = (summary: LoginSummary) => {
		dispatch({type: 'succeeded', summary});
	};

	const onError = (error: unknown) => {
		dispatch({type: 'failed', message: messageOf(error)});
	};

	switch (step.kind) {
		case 'provider':
			return (
				<ProviderStep
					leaveLabel={embedded ? 'back to the panel' : 'quit'}
					onSelect={(provider, existing) => {
						dispatch({type: 'provider', provider, existing});
					}}
				/>
			);
		case 'account':
			return (
				<AccountStep
					provider={step.provider}
					onSelect={mode => {
						dispatch({type: 'account', mode});
					}}
				/>
			);
		case 'method':
			return (
				<MethodStep
					provider={step.provider}
					onSelect={method => {
						dispatch({type: 'method', method});
					}}
				/>
			);
		case 'enterprise':
			return (
				<EnterpriseStep
					provider={step.provider}
					onSubmit={domain => {
						dispatch({type: 'enterprise', domain});
					}}
				/>
			);
		case 'browser':
			return (
				<BrowserStep
					key={step.attempt}
					provider={step.provider}
					attempt={step.attempt}
					onSuccess={onSuccess}
					onError={onError}
				/>
			);
		case 'device':
			return (
				<DeviceStep
					key={step.attempt}
					provider={step.provider}
					{...(step.enterpriseDomain
						? {enterpriseDomain: step.enterpriseDomain}
						: {})}
					attempt={step.attempt}
					onSuccess={onSuccess}
					onError={onError}
				/>
			);
		case 'secret':
			return (
				<SecretStep
					provider={step.provider}
					method={step.method}
					onSuccess={onSuccess}
					onError={onError}
				/>
			);
		case 'name':
			return (
				<NameStep
					pending={step.pending}
					onSuccess={onSuccess}
					onError={onError}
				/>
			);
		case 'success':
			return (
				<SuccessStep
					leaveLabel={embedded ? 'back to the panel' : 'finish'}
					summary={step.summary}
				/>
			);
		case 'error':
			return <ErrorStep message={step.message} />;
	}
};

/**
The guided sign-in. One always-mounted input handler owns Esc (back one step) and Ctrl+C (quit,
130); each step takes its own keys while it is the current one. `onExit` gets the exit code once.
*/
export const Wizard = ({
	initial,
	onExit,
	embedded = false,
}: {
	initial: WizardState;
	onExit: (code: number) => void;
	/** Opened from the live panel (`l`): leaving returns there. */
	embedded?: boolean;
}) => {
	const [state, dispatch] = useReducer(wizardReducer, initial);
	const [printed, setPrinted] = useState<TranscriptEntry[]>([]);
	const print = useCallback((entry: TranscriptEntry) => {
		setPrinted(entries =>
			entries.some(({id}) => id === entry.id) ? entries : [...entries, entry],
		);
	}, []);
	const {links, onInterrupt} = useServices();
	useEffect(
		() =>
			onInterrupt(() => {
				dispatch({type: 'quit', code: EXIT_INTERRUPTED});
			}),
		[onInterrupt],
	);
	const exit = useLatest(onExit);
	useInput((input, key) => {
		if (key.ctrl && input === 'c')
			dispatch({type: 'quit', code: EXIT_INTERRUPTED});
		else if (key.escape) dispatch({type: 'back'});
		else if (!key.ctrl && !key.meta) dispatch({type: 'key', enter: key.return});
	});
	useEffect(() => {
		if (state.exit !== undefined) exit.current(state.exit);
	}, [state.exit, exit]);

	const step = currentStep(state);
	return (
		<SignInTargetContext.Provider value={state.target ?? REPLACE}>
			<TranscriptContext.Provider value={print}>
				<Transcript entries={printed} hyperlinks={links} title={!embedded} />
				<Box flexDirection="column" paddingX={1}>
					{state.exit === undefined
						? renderStep(step, dispatch, embedded)
						: null}
					{state.exit !== undefined && step.kind === 'success' ? (
						<SuccessSummary summary={step.summary} />
					) : null}
					{state.exit === EXIT_CANCELLED || state.exit === EXIT_INTERRUPTED ? (
						<Text color={theme.muted}>Cancelled: nothing was saved.</Text>
					) : null}
				</Box>
			</TranscriptContext.Provider>
		</SignInTargetContext.Provider>
	);
};
