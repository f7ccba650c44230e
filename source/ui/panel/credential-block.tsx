import {Box, Text} from 'ink';
import type {CredentialView} from '../../credentials/view.js';
import type {RefreshActivity} from '../../engine/scheduler.js';
import {formatClock, formatDuration, formatExpiry} from '../../format.js';
import {printable} from '../../printable.js';
import type {UsagePollState} from '../../usage/poller.js';
import {theme} from '../theme.js';
import {SEPARATOR, flowPhrases, linesOf} from '../flow.js';
import {UsageLines, usageHeight} from './usage-lines.js';

type Badge = {text: string; color: string};

const badgeOf = (
	view: CredentialView,
	activity: RefreshActivity | undefined,
): Badge => {
	if (activity?.refreshing) return {text: 'refreshing', color: theme.accent};
	switch (view.state) {
		case 'valid':
			return {text: 'valid', color: theme.success};
		case 'expiring':
			return {text: 'expiring', color: theme.warning};
		case 'expired':
			return {text: 'expired', color: theme.error};
		case 'needs-login':
			return {text: 'needs login', color: theme.error};
	}
};

const keyKinds = {
	literal: '',
	command: ' (from a command)',
	'env-template': ' (from the environment)',
};

/** How the credential is held and where, as phrases: "OAuth", "file". */
const sourceOf = (view: CredentialView): string[] => {
	const kind =
		view.type === 'api_key'
			? `API key${view.keyKind ? keyKinds[view.keyKind] : ''}`
			: view.provider.signInGivesApiKey
				? 'API key (from sign-in)'
				: 'OAuth';
	const where = view.source === 'env' ? `env ${view.variable ?? ''}` : 'file';
	// An id pi-auth has no sign-in for: shown and removable, refreshed by pi itself.
	return [kind, where, ...(view.managed ? [] : ['signed in with pi'])];
};

const expiryOf = (view: CredentialView, now: number) =>
	view.expires === null
		? view.type === 'api_key'
			? 'does not expire'
			: 'expiry unknown'
		: formatExpiry(view.expires, now);

/** The source line's phrases laid out in `width` columns: "expires in 2h 10m (15:20)" stays whole. */
const sourceLines = (view: CredentialView, now: number, width: number) =>
	flowPhrases([...sourceOf(view), expiryOf(view, now)], width);

/** What the refresh line says, when it says anything (RefreshLine). */
const refreshText = (activity: RefreshActivity | undefined, now: number) =>
	activity?.lastRefreshAt === undefined
		? undefined
		: // Another pi-auth or pi itself refreshed it: seen as the entry's tokens changing (scheduler.ts).
			`refreshed ${activity.lastRefreshBy === 'other' ? 'by another process ' : ''}${formatDuration(now - activity.lastRefreshAt)} ago`;

const RefreshLine = ({
	view,
	activity,
	now,
}: {
	view: CredentialView;
	activity: RefreshActivity | undefined;
	now: number;
}) => {
	if (view.state === 'needs-login') {
		return (
			<Text color={theme.error}>
				{view.reason === 'invalid-entry'
					? `The stored entry is not a credential (${view.problem ?? 'unreadable'}).`
					: `The provider refused the refresh token (${printable(view.reason ?? 'revoked')}).`}{' '}
				Press l to sign in again.
			</Text>
		);
	}

	if (activity?.lastError) {
		return (
			<Text color={theme.warning}>
				Refresh failed: {printable(activity.lastError)}
				{activity.retryAt
					? ` Retrying at ${formatClock(activity.retryAt, now)}.`
					: ''}
			</Text>
		);
	}

	const refreshed = refreshText(activity, now);
	return refreshed ? <Text color={theme.muted}>{refreshed}</Text> : null;
};

/** The block's lines are indented by 4, and a profile's block by 2 more. */
const innerWidth = (width: number, grouped: boolean) =>
	Math.max(20, width - 4 - (grouped ? 2 : 0));

/**
The lines a block takes in `width` columns, its blank line after it included: the panel fits the
blocks into the terminal's height with this.
*/
export const blockHeight = ({
	view,
	grouped,
	activity,
	usage,
	stale,
	showLeft,
	now,
	width,
}: {
	view: CredentialView;
	grouped: boolean;
	stale: boolean;
	activity: RefreshActivity | undefined;
	usage: UsagePollState | undefined;
	showLeft: boolean;
	now: number;
	width: number;
}): number => {
	const inner = innerWidth(width, grouped);
	const title = [
		'❯ ',
		grouped ? (view.profile ?? view.provider.id) : view.provider.name,
		grouped && view.active ? ' ● active' : '',
		view.account ? ` · ${printable(view.account)}` : '',
		` [${badgeOf(view, activity).text}${stale ? ' when last read' : ''}]`,
	].join('');
	// The refresh line is counted whenever it may show: a failure's message is prose of any length.
	const refresh =
		view.state === 'needs-login' || activity?.lastError
			? 2
			: refreshText(activity, now)
				? 1
				: 0;
	return (
		linesOf(title, width - (grouped ? 2 : 0)) +
		(view.replaced ? 2 : 0) +
		sourceLines(view, now, inner).length +
		refresh +
		usageHeight(usage, inner, showLeft, now) +
		1
	);
};

/** The first line's name: the provider, or within its group the profile (the active one marked). */
const Title = ({
	view,
	grouped,
	selected,
}: {
	view: CredentialView;
	grouped: boolean;
	selected: boolean;
}) =>
	grouped ? (
		<>
			<Text bold={selected}>{view.profile ?? view.provider.id}</Text>
			{view.active ? <Text color={theme.success}> ● active</Text> : null}
		</>
	) : (
		<Text bold={selected}>{view.provider.name}</Text>
	);

/** One credential: who, how, its state and expiry ticking, refresh activity, and usage. */
export const CredentialBlock = ({
	view,
	grouped = false,
	activity,
	usage,
	selected,
	stale = false,
	showLeft,
	now,
	width,
}: {
	view: CredentialView;
	/** One of several credentials of its provider, drawn under the provider's name. */
	grouped?: boolean;
	activity: RefreshActivity | undefined;
	usage: UsagePollState | undefined;
	selected: boolean;
	/** The file cannot be read now: this is what it held when last read. */
	stale?: boolean;
	showLeft: boolean;
	now: number;
	/** The columns the panel gives the block. */
	width: number;
}) => {
	const current = badgeOf(view, activity);
	const badge = stale
		? {text: `${current.text} when last read`, color: theme.muted}
		: current;
	const inner = innerWidth(width, grouped);
	return (
		<Box flexDirection="column" marginBottom={1} marginLeft={grouped ? 2 : 0}>
			<Text>
				<Text color={theme.accent}>{selected ? '❯ ' : '  '}</Text>
				<Title view={view} grouped={grouped} selected={selected} />
				{/* The file is written by other tools too (printable.ts). */}
				{view.account ? <Text> · {printable(view.account)}</Text> : null}
				<Text color={badge.color}> [{badge.text}]</Text>
			</Text>
			<Box flexDirection="column" marginLeft={4}>
				{view.replaced ? (
					<Text color={theme.warning}>
						Signed in by another program: not {view.replaced.profile}
						{view.replaced.account ? ` (${view.replaced.account})` : ''}, which
						is no longer stored.
					</Text>
				) : null}
				{sourceLines(view, now, inner).map(line => (
					<Text key={line.join()} color={theme.muted}>
						{line.join(SEPARATOR)}
					</Text>
				))}
				<RefreshLine view={view} activity={activity} now={now} />
				<UsageLines usage={usage} showLeft={showLeft} now={now} width={inner} />
			</Box>
		</Box>
	);
};
