/*
What the four RFC 8628 fakes (xAI, Kimi, Meta, Radius) share beyond rfc8628-device.ts: driving the
verification page as a person would, and refresh-token rotation answered in RFC 6749 §5.2 terms
(a reused or revoked single-use refresh token is `invalid_grant`, and reuse revokes the family,
docs/providers.md "Rotating refresh tokens").

Public API: decideOnPage(pageUrl, userCode, decision); deviceControls(pageUrl, device), the test
controls each fake returns; refuseClient(request, clientId); rotateRefresh(grants, token, issue).
*/
import {PiAuthError} from '../errors.js';
import {pageMessage, submitPage} from './browser.js';
import type {FakeRequest, FakeResponse} from './fake-http.js';
import type {Grant, Grants} from './grants.js';
import {oauthError} from './rfc8628-device.js';

export const decideOnPage = async (
	pageUrl: string,
	userCode: string,
	decision: 'approve' | 'deny',
): Promise<void> => {
	const answer = await submitPage(pageUrl, decision, {user_code: userCode});
	if (answer.status !== 200) {
		throw new PiAuthError(
			'bad-response',
			`The device page refused the code: ${pageMessage(answer)}`,
		);
	}
};

/** What a test does with a fake's verification page: as a person would, or by expiring a code. */
export type DeviceControls = {
	devicePage: string;
	approveDevice: (userCode: string) => Promise<void>;
	denyDevice: (userCode: string) => Promise<void>;
	expireDevice: (userCode: string) => boolean;
};

export const deviceControls = (
	devicePage: string,
	device: {expire: (userCode: string) => boolean},
): DeviceControls => ({
	devicePage,
	approveDevice: async code => decideOnPage(devicePage, code, 'approve'),
	denyDevice: async code => decideOnPage(devicePage, code, 'deny'),
	expireDevice: device.expire,
});

/**
The RFC 6749 §5.2 answer to a request that is not a form, or not from `clientId`; undefined when it
is both.
*/
export const refuseClient = (
	request: FakeRequest,
	clientId: string,
): FakeResponse | undefined => {
	if (request.bodyType !== 'form') {
		return oauthError(400, 'invalid_request', 'Expected a form body.');
	}

	return request.form['client_id'] === clientId
		? undefined
		: oauthError(401, 'invalid_client', 'Unknown client_id.');
};

/** A refresh_token grant against single-use tokens; `issue` makes the success body. */
export const rotateRefresh = (
	grants: Grants,
	token: string,
	issue: (grant: Grant) => FakeResponse,
	/** How this provider answers a refresh token of a revoked grant (default invalid_grant). */
	revoked?: FakeResponse,
): FakeResponse => {
	const used = grants.useRefresh(token);
	switch (used.kind) {
		case 'ok':
			return issue(used.grant);
		case 'reused':
			return oauthError(
				400,
				'invalid_grant',
				'The refresh token was already used; the grant is revoked.',
			);
		case 'revoked':
			return (
				revoked ??
				oauthError(400, 'invalid_grant', 'The grant has been revoked.')
			);
		case 'unknown':
			return oauthError(400, 'invalid_grant', 'Unknown refresh token.');
	}
};
