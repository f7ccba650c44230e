import {Box, Text, useInput} from 'ink';
import {useEffect, useRef, useState} from 'react';
import {useStore} from 'zustand';
import type {CredentialView} from '../../credentials/view.js';
import {isPiAuthError} from '../../errors.js';
import {type PanelRuntime, activityKey} from '../../engine/panel-runtime.js';
import {printable} from '../../printable.js';
import {listAll} from '../../profiles/view.js';
import {usageKeyOf} from '../../usage/targets.js';
import {useLatest} from '../hooks/use-latest.js';
import {useNow} from '../hooks/use-now.js';
import {useServices} from '../services-context.js';
import {theme} from '../theme.js';
import {Wizard} from '../wizard/wizard.js';
import {EXIT_INTERRUPTED, initialWizardState} from '../wizard/wizard-state.js';
import {SEPARATOR, flowPhrases} from '../flow.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {CredentialBlock, blockHeight} from './credential-block.js';
import {
	FILE_NOTICE,
	type PanelEffect,
	type PanelState,
	initialPanelState,
	panelKey,
} from './panel-keys.js';
import {visibleRange} from './layout.js';
import {PanelFooter, footerHeight} from './panel-footer.js';
import {nextRepaintIn} from './repaint.js';

/** Whether each view opens a group (a provider with several credentials gets a heading). */
const groupsOf = (views: readonly CredentialView[]) =>
	views.map((view, index) => {
		const same = views.filter(other => other.provider.id === view.provider.id);
		return {
			heading:
				same.length > 1 && views[index - 1]?.provider.id !== view.provider.id,
			grouped: same.length > 1,
		};
	});

const messageOf = (error: unknown, what: string) =>
	isPiAuthError(error) ? error.message : `${what} failed unexpectedly.`;

/**
The live status panel: every stored or environment credential, profiles grouped under their
provider with the active one marked, state and expiry ticking once a second, refresh activity
and usage from the background runtime, and keys to act on the selected one (panel-keys.ts). It
never grows taller than the terminal.
*/
export const Panel = ({
	runtime,
	onExit,
}: {
	runtime: PanelRuntime;
	onExit: (code: number) => void;
}) => {
	const data = useStore(runtime.store, state => state.data);
	const profiles = useStore(runtime.store, state => state.profiles);
	const file = useStore(runtime.store, state => state.file);
	const fileError = useStore(runtime.store, state => state.error);
	const profilesError = useStore(runtime.store, state => state.profilesError);
	const {activity, usage} = useStore(runtime.state);
	// Redraw when a number on screen changes, not on a fixed beat (repaint.ts).
	const now = useNow(at =>
		nextRepaintIn(
			at,
			listAll(data, profiles, runtime.env, at),
			activity,
			usage,
		),
	);
	const views = listAll(data, profiles, runtime.env, now);
	const stateRef = useRef<PanelState>(initialPanelState);
	const [state, setState] = useState<PanelState>(initialPanelState);
	const selected = Math.min(state.selected, Math.max(0, views.length - 1));
	const latest = useLatest({views, onExit});
	const {onInterrupt} = useServices();
	useEffect(
		() =>
			onInterrupt(() => {
				latest.current.onExit(EXIT_INTERRUPTED);
			}),
		[onInterrupt, latest],
	);
	const {columns, rows} = useTerminalSize();
	// The panel's box has one column of padding on each side.
	const width = Math.max(20, columns - 2);

	const update = (next: PanelState) => {
		stateRef.current = next;
		setState(next);
	};

	/** A failure (a busy lock, a corrupt file) is said in the panel, which keeps running. */
	const tell = (notice: string) => {
		update({...stateRef.current, notice});
	};

	const run = (effect: PanelEffect) => {
		switch (effect.type) {
			case 'exit':
				latest.current.onExit(effect.code);
				return;
			case 'logout':
				runtime.logout(effect.view).catch((error: unknown) => {
					tell(messageOf(error, 'Signing out'));
				});
				return;
			case 'use': {
				const name = `${effect.view.provider.id}:${effect.view.profile ?? ''}`;
				runtime.use(effect.view).then(
					() => {
						tell(`Now using ${name}: pi uses this account.`);
					},
					(error: unknown) => {
						tell(messageOf(error, 'Switching'));
					},
				);
				return;
			}

			case 'refresh-token':
				runtime.refreshToken(effect.view);
				return;
			case 'refresh-usage':
				runtime.refreshUsage(effect.view);
		}
	};

	useInput(
		(input, key) => {
			const {state: next, effects} = panelKey(
				stateRef.current,
				{input, ...key},
				latest.current.views,
				{fileUnreadable: runtime.store.getState().error !== undefined},
			);
			update(next);
			for (const effect of effects) run(effect);
		},
		{isActive: state.mode.kind !== 'wizard'},
	);

	if (state.mode.kind === 'wizard') {
		return (
			<Wizard
				embedded
				initial={initialWizardState()}
				onExit={code => {
					if (code === EXIT_INTERRUPTED) onExit(code);
					else update({...stateRef.current, mode: {kind: 'list'}});
				}}
			/>
		);
	}

	const groups = groupsOf(views);
	const heights = views.map(
		(view, index) =>
			blockHeight({
				view,
				grouped: groups[index]?.grouped ?? false,
				activity: activity[activityKey(view)],
				usage: usage[usageKeyOf(view)],
				stale: fileError !== undefined,
				showLeft: state.showLeft,
				now,
				width,
			}) + (groups[index]?.heading ? 1 : 0),
	);
	const header = flowPhrases(
		[
			'pi-auth status',
			file,
			`${views.length} credential${views.length === 1 ? '' : 's'}`,
		],
		width,
	);
	// The header and its blank line, the "more" lines and the footer stay; blocks share the rest.
	const footer = footerHeight(state, file, width);
	const {start, end} = visibleRange(
		heights,
		selected,
		Math.max(1, rows - header.length - 1 - 2 - footer - (state.notice ? 1 : 0)),
	);
	return (
		<Box flexDirection="column" paddingX={1}>
			{/* One Text per line: a narrow terminal breaks it between the path and the count only. */}
			<Box flexDirection="column" marginBottom={1}>
				{header.map((line, index) => (
					<Text key={line.join()} color={theme.muted}>
						{index === 0 ? (
							<Text color={theme.accent} bold>
								{line[0]}
							</Text>
						) : (
							line[0]
						)}
						{line.length > 1 ? SEPARATOR : ''}
						{line.slice(1).join(SEPARATOR)}
					</Text>
				))}
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
			{profilesError ? (
				<Text color={theme.error}>{printable(profilesError.message)}</Text>
			) : null}
			{/* The file's notice lasts only while the file is unreadable. */}
			{state.notice && (state.notice !== FILE_NOTICE || fileError) ? (
				<Text color={theme.warning}>{printable(state.notice)}</Text>
			) : null}
			{views.length === 0 ? (
				<Box marginBottom={1}>
					<Text>No credentials yet — press l to sign in.</Text>
				</Box>
			) : null}
			{start > 0 ? <Text color={theme.muted}>↑ {start} more</Text> : null}
			{views.slice(start, end).map((view, offset) => (
				<Box key={view.key} flexDirection="column">
					{groups[start + offset]?.heading ? (
						<Text bold>{view.provider.name}</Text>
					) : null}
					<CredentialBlock
						view={view}
						grouped={groups[start + offset]?.grouped ?? false}
						activity={activity[activityKey(view)]}
						usage={usage[usageKeyOf(view)]}
						selected={start + offset === selected}
						stale={fileError !== undefined}
						showLeft={state.showLeft}
						now={now}
						width={width}
					/>
				</Box>
			))}
			{end < views.length ? (
				<Text color={theme.muted}>↓ {views.length - end} more</Text>
			) : null}
			<PanelFooter state={state} file={file} />
		</Box>
	);
};
