/*
What the four RFC 8628 providers (xai, kimi-coding, meta, radius) share: the request options of a
context (its abort signal), and the sign-in itself, which differs between them only in the start
request's form, how its answer is read, and how the token answer becomes a credential.
*/
import {deviceSession, readDeviceStart} from '../oauth/device-flow.js';
import {postToken} from '../oauth/http.js';
import type {ProviderContext} from './types.js';

/** `{signal}` when the context has one (a sign-in that can be cancelled), for a request's options. */
export const signalOf = (context: ProviderContext) =>
	context.signal ? {signal: context.signal} : {};

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
		await postToken({
			fetch: context.fetch,
			url: options.deviceUrl,
			encoding: 'form',
			body: options.body,
			...signalOf(context),
		}),
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
