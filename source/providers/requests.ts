/*
Requests every provider adapter makes the same way: the options of a context (its abort signal), a
form-encoded token request, and the RFC 8628 sign-in of the four device providers (xai,
kimi-coding, meta, radius), which differs between them only in the start request's form, how its
answer is read, and how the token answer becomes a credential.
*/
import {deviceSession, readDeviceStart} from '../oauth/device-flow.js';
import {postToken} from '../oauth/http.js';
import type {ProviderContext} from './types.js';

/** `{signal}` when the context has one (a sign-in that can be cancelled), for a request's options. */
export const signalOf = (context: ProviderContext) =>
	context.signal ? {signal: context.signal} : {};

/** A form-encoded POST to a token endpoint (RFC 6749 §4.1.3, §6), as the context's fetch and signal. */
export const postForm = async (
	context: ProviderContext,
	url: string,
	body: Record<string, string>,
) =>
	postToken({
		fetch: context.fetch,
		url,
		encoding: 'form',
		body,
		...signalOf(context),
	});

/**
POSTs the form `body` to `deviceUrl` (§3.1) and reads the answer (`read`: the provider's name and
departures), then gives the session whose poll sends §3.4's request to `tokenUrl` and turns the
success into a credential with `finish`.
*/
export const startDeviceSignIn = async <T>(
	context: ProviderContext,
	options: {
		deviceUrl: string;
		tokenUrl: string;
		clientId: string;
		body: Record<string, string>;
		read: Omit<Parameters<typeof readDeviceStart>[1], 'endpoint'>;
		finish: (body: Record<string, unknown>) => T | Promise<T>;
	},
) => {
	const start = readDeviceStart(
		await postForm(context, options.deviceUrl, options.body),
		{...options.read, endpoint: options.deviceUrl},
	);
	return deviceSession(
		start,
		{
			fetch: context.fetch,
			url: options.tokenUrl,
			clientId: options.clientId,
			...signalOf(context),
		},
		options.finish,
	);
};
