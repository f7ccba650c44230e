import {Box, Text, useInput, useStdout} from 'ink';
import {useEffect, useRef, useState} from 'react';
import {useStore} from 'zustand';
import {type CredentialView, listCredentials} from '../../credentials/view.js';
import {isPiAuthError} from '../../errors.js';
import {printable} from '../../printable.js';
import {usageKeyOf} from '../../usage/targets.js';
import type {PanelRuntime} from '../../engine/panel-runtime.js';
import {KeyHints} from '../components/key-hints.js';
import {useLatest} from '../hooks/use-latest.js';
import {useNow} from '../hooks/use-now.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';
import {Wizard} from '../wizard/wizard.js';
import {EXIT_INTERRUPTED, initialWizardState} from '../wizard/wizard-state.js';
import {CredentialBlock} from './credential-block.js';
import {nextRepaintIn} from './repaint.js';

type Mode =
	{kind: 'list'} | {kind: 'confirm'; view: CredentialView} | {kind: 'wizard'};

/** Lines a block takes (an estimate good enough to keep the panel inside the terminal). */
const heightOf = (windows: number) => 5 + windows;

/** The blocks that fit in `rows`, always including the selected one. */
const visibleRange = (
	heights: readonly number[],
	selected: number,
	rows: number,
) => {
	let start = selected;
	let end = selected + 1;
	let used = heights[selected] ?? 0;
	for (;;) {
		const next = heights[end];
		const previous = heights[start - 1];
		if (next !== undefined && used + next <= rows) {
			used += next;
			end++;
		} else if (previous !== undefined && used + previous <= rows) {
			used += previous;
			start--;
		} else {
			return {start, end};
		}
	}
};

const FILE_NOTICE =
	'The credential file cannot be read (see above): fix or move it first. pi-auth will not change it.';

/** Why `R` has nothing to do for this entry, said once instead of a refresh that cannot happen. */
const whyNotRefreshable = (view: CredentialView): string | undefined => {
	const {name} = view.provider;
	if (view.credential?.type === 'api_key') {
		return `${name} uses an API key: it does not expire, so there is nothing to refresh.`;
	}

	if (!view.managed) {
		return `pi-auth does not sign in to ${name}, so it cannot refresh it; pi refreshes its own entries when it uses them.`;
	}

	if (view.source === 'env') {
		return `${name} comes from the environment variable ${view.variable ?? ''}; pi-auth does not refresh it.`;
	}

	if (view.credential?.type === 'oauth' && !view.credential.refresh) {
		return `${name} holds a token without a refresh token (a setup token): it cannot be refreshed. Press l to sign in again when it expires.`;
	}

	return undefined;
};

/**
The live status panel: every stored or environment credential with its state and expiry ticking
once a second, refresh activity and usage from the background runtime, and keys to act on the
selected one. It never grows taller than the terminal.
*/
export const Panel = ({
	runtime,
	onExit,
}: {
	runtime: PanelRuntime;
	onExit: (code: number) => void;
}) => {
	const data = useStore(runtime.store, state => state.data);
	const file = useStore(runtime.store, state => state.file);
	const fileError = useStore(runtime.store, state => state.error);
	const {activity, usage} = useStore(runtime.state);
	// Redraw when a number on screen changes, not on a fixed beat (repaint.ts).
	const now = useNow(at =>
		nextRepaintIn(at, listCredentials(data, runtime.env, at), activity, usage),
	);
	const views = listCredentials(data, runtime.env, now);
	const [mode, setMode] = useState<Mode>({kind: 'list'});
	const [showLeft, setShowLeft] = useState(false);
	/** What the last key could not do (a sign-out with the file busy, R on an API key), until the next key. */
	const [notice, setNotice] = useState<string>();
	const selectedRef = useRef(0);
	const [selectedIndex, setSelectedIndex] = useState(0);
	const selected = Math.min(selectedIndex, Math.max(0, views.length - 1));
	const latest = useLatest({views, mode, onExit});
	const {onInterrupt} = useServices();
	useEffect(
		() =>
			onInterrupt(() => {
				latest.current.onExit(EXIT_INTERRUPTED);
			}),
		[onInterrupt, latest],
	);
	const {stdout} = useStdout();
	const [rows, setRows] = useState(stdout.rows ?? 24);

	useEffect(() => {
		const onResize = () => {
			setRows(stdout.rows ?? 24);
		};

		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);

	useInput(
		(input, key) => {
			const {views: list, mode: current} = latest.current;
			setNotice(undefined);
			if (key.ctrl && input === 'c') {
				latest.current.onExit(EXIT_INTERRUPTED);
				return;
			}

			if (current.kind === 'confirm') {
				if (
					(input === 'y' || input === 'Y') &&
					current.view.source === 'file'
				) {
					// A busy lock or a corrupt file: say so in the panel and keep running.
					runtime.logout(current.view.provider.id).catch((error: unknown) => {
						setNotice(
							isPiAuthError(error)
								? error.message
								: 'Signing out failed unexpectedly.',
						);
					});
				}

				setMode({kind: 'list'});
				return;
			}

			const index = Math.min(selectedRef.current, Math.max(0, list.length - 1));
			const view = list[index];
			// Nothing that writes the file can work while it cannot be read: said, not attempted.
			if (
				runtime.store.getState().error &&
				(input === 'd' || input === 'R' || input === 'l')
			) {
				setNotice(FILE_NOTICE);
				return;
			}

			if (key.downArrow || input === 'j') {
				selectedRef.current = Math.min(index + 1, Math.max(0, list.length - 1));
			} else if (key.upArrow || input === 'k') {
				selectedRef.current = Math.max(index - 1, 0);
			} else if (input === 'q') {
				latest.current.onExit(0);
			} else if (input === 'l') {
				setMode({kind: 'wizard'});
			} else if (input === 'u') {
				setShowLeft(value => !value);
			} else if (input === 'r' && view) {
				runtime.refreshUsage(usageKeyOf(view));
			} else if (input === 'R' && view) {
				const why = whyNotRefreshable(view);
				if (why) setNotice(why);
				else runtime.refreshToken(view.provider.id);
			} else if (input === 'd' && view) {
				setMode({kind: 'confirm', view});
			}

			setSelectedIndex(selectedRef.current);
		},
		{isActive: mode.kind !== 'wizard'},
	);

	if (mode.kind === 'wizard') {
		return (
			<Wizard
				embedded
				initial={initialWizardState()}
				onExit={code => {
					if (code === EXIT_INTERRUPTED) onExit(code);
					else setMode({kind: 'list'});
				}}
			/>
		);
	}

	const heights = views.map(view =>
		heightOf(usage[usageKeyOf(view)]?.snapshot?.windows.length ?? 1),
	);
	// Header, a blank line and the footer stay; blocks share the rest.
	const {start, end} = visibleRange(heights, selected, Math.max(1, rows - 5));
	return (
		<Box flexDirection="column" paddingX={1}>
			<Box marginBottom={1}>
				<Text color={theme.accent} bold>
					pi-auth status
				</Text>
				<Text color={theme.muted}>
					{' '}
					· {file} · {views.length} credential{views.length === 1 ? '' : 's'}
				</Text>
			</Box>
			{/* A parse error can quote the file, which other tools write (printable.ts). */}
			{fileError ? (
				<Box flexDirection="column" marginBottom={1}>
					<Text color={theme.error}>{printable(fileError.message)}</Text>
					<Text color={theme.muted}>
						Below is what it held when it was last read; this updates by itself
						once the file is fixed.
					</Text>
				</Box>
			) : null}
			{/* The file's notice lasts only while the file is unreadable. */}
			{notice && (notice !== FILE_NOTICE || fileError) ? (
				<Text color={theme.warning}>{printable(notice)}</Text>
			) : null}
			{views.length === 0 ? (
				<Box marginBottom={1}>
					<Text>No credentials yet — press l to sign in.</Text>
				</Box>
			) : null}
			{start > 0 ? <Text color={theme.muted}>↑ {start} more</Text> : null}
			{views.slice(start, end).map((view, offset) => (
				<CredentialBlock
					key={view.provider.id}
					view={view}
					activity={activity[view.provider.id]}
					usage={usage[usageKeyOf(view)]}
					selected={start + offset === selected}
					stale={fileError !== undefined}
					showLeft={showLeft}
					now={now}
				/>
			))}
			{end < views.length ? (
				<Text color={theme.muted}>↓ {views.length - end} more</Text>
			) : null}
			{mode.kind === 'confirm' ? (
				<Text color={theme.warning}>
					{mode.view.source === 'env'
						? `${mode.view.provider.name} comes from the environment variable ${mode.view.variable ?? ''}; unset it to sign out. Press any key.`
						: `Sign out of ${mode.view.provider.name}? This removes it from ${file}.${mode.view.provider.logoutNote ? ` ${mode.view.provider.logoutNote}` : ''} y to confirm, any other key to keep it.`}
				</Text>
			) : (
				<KeyHints
					hints={[
						['↑/↓', 'select'],
						['r', 'usage now'],
						['R', 'refresh token'],
						['l', 'sign in'],
						['d', 'sign out'],
						['u', showLeft ? 'show used' : 'show left'],
						['q', 'quit'],
					]}
				/>
			)}
		</Box>
	);
};
