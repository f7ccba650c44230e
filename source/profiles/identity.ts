import {isRecord} from '../credentials/credential.js';

/**
The fields of a credential that say whose it is, as pi-auth keeps them for the active profile in
profiles.json (`activeAccounts`): the label shown (email or login), Codex's ChatGPT account id,
Copilot's Enterprise host.
*/
export type AccountFields = {
	account?: string;
	accountId?: string;
	enterpriseUrl?: string;
};

/** C0 and C1 controls and DEL (docs/contract.md: never in output, never in a file pi-auth writes). */
const CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g;

export const plainText = (text: string): string =>
	text.replaceAll(CONTROLS, '');

const text = (value: unknown): string | undefined =>
	typeof value === 'string' && value.trim() !== ''
		? plainText(value.trim())
		: undefined;

export const accountFields = (entry: unknown): AccountFields => {
	if (!isRecord(entry)) return {};
	const account = text(entry['account']);
	const accountId = text(entry['accountId']);
	const enterpriseUrl = text(entry['enterpriseUrl']);
	return {
		...(account ? {account} : {}),
		...(accountId ? {accountId} : {}),
		...(enterpriseUrl ? {enterpriseUrl} : {}),
	};
};

/**
Who a credential belongs to, when it tells; undefined when it does not (an API key, a setup token,
an entry pi refreshed, which drops the `account` label pi-auth adds: docs/pi-compat.md).
Codex's account id comes first: it is what pi keeps through its own refreshes and sign-ins, and
two ChatGPT workspaces of one person share an email but not an id. Otherwise the email or login,
case-folded, with the Enterprise host for Copilot (one login may exist on two hosts).
*/
export const identityOf = (entry: unknown): string | undefined => {
	const {account, accountId, enterpriseUrl} = accountFields(entry);
	if (accountId) return `id:${accountId}`;
	if (account) return `account:${enterpriseUrl ?? ''}:${account.toLowerCase()}`;
	return undefined;
};

/** Both tell who they are, and they are different people or workspaces. */
export const differentAccounts = (a: unknown, b: unknown): boolean => {
	const first = identityOf(a);
	const second = identityOf(b);
	return first !== undefined && second !== undefined && first !== second;
};

export const sameAccount = (a: unknown, b: unknown): boolean => {
	const first = identityOf(a);
	return first !== undefined && first === identityOf(b);
};
