import {Box, Text} from 'ink';
import type {CredentialView} from '../../credentials/view.js';
import type {RefreshActivity} from '../../engine/scheduler.js';
import {formatClock, formatDuration, formatExpiry} from '../../format.js';
import {printable} from '../../printable.js';
import type {UsagePollState} from '../../usage/poller.js';
import {theme} from '../theme.js';
import {UsageLines} from './usage-lines.js';

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

const sourceOf = (view: CredentialView) => {
	const kind =
		view.type === 'api_key'
			? `API key${view.keyKind ? keyKinds[view.keyKind] : ''}`
			: view.provider.signInGivesApiKey
				? 'API key (from sign-in)'
				: 'OAuth';
	const where = view.source === 'env' ? `env ${view.variable ?? ''}` : 'file';
	// An id pi-auth has no sign-in for: shown and removable, refreshed by pi itself.
	return `${kind} · ${where}${view.managed ? '' : ' · signed in with pi'}`;
};

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

	return activity?.lastRefreshAt ? (
		<Text color={theme.muted}>
			refreshed {formatDuration(now - activity.lastRefreshAt)} ago
		</Text>
	) : null;
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
}) => {
	const current = badgeOf(view, activity);
	const badge = stale
		? {text: `${current.text} when last read`, color: theme.muted}
		: current;
	const expiry =
		view.expires === null
			? view.type === 'api_key'
				? 'does not expire'
				: 'expiry unknown'
			: formatExpiry(view.expires, now);
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
				<Text color={theme.muted}>
					{sourceOf(view)} · {expiry}
				</Text>
				<RefreshLine view={view} activity={activity} now={now} />
				<UsageLines usage={usage} showLeft={showLeft} now={now} />
			</Box>
		</Box>
	);
};
