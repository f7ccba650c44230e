import {PiAuthError} from '../errors.js';
import {findProvider, providerIds} from './registry.js';
import {type Method, type Provider, allMethods} from './types.js';

/** Command-line names to providers and methods; unknown names are usage errors listing the valid ones. */
const usage = (message: string) => new PiAuthError('usage', message);

const listOf = (values: readonly string[]) => values.join(', ');

/**
A target id for `token` and `logout`: a provider pi-auth knows, or any other id stored in the
credential file (docs/contract.md); anything else is a usage error listing the valid ones.
*/
export const resolveStoredId = (
	id: string,
	data: Record<string, unknown>,
): string => {
	if (findProvider(id) || Object.hasOwn(data, id)) return id;
	const stored = Object.keys(data).filter(key => !findProvider(key));
	throw usage(
		`Unknown provider "${id}". Valid providers: ${listOf(providerIds)}${stored.length > 0 ? `; also stored in the credential file: ${listOf(stored)}` : ''}.`,
	);
};

export const resolveProvider = (id: string | undefined): Provider => {
	const provider = id === undefined ? undefined : findProvider(id);
	if (!provider) {
		throw usage(
			`${id === undefined ? 'No provider given' : `Unknown provider "${id}"`}. Valid providers: ${listOf(providerIds)}.`,
		);
	}

	return provider;
};

/** A method name from the command line; an unknown one is a usage error listing the valid ones. */
export const knownMethod = (method: string): Method => {
	if (!allMethods.includes(method as Method)) {
		throw usage(
			`Unknown method "${method}". Valid methods: ${listOf(allMethods)}.`,
		);
	}

	return method as Method;
};

export const resolveMethod = (
	provider: Provider,
	method: string | undefined,
): Method => {
	if (method === undefined) {
		if (provider.methods.length === 1 && provider.methods[0]) {
			return provider.methods[0];
		}

		throw usage(
			`Choose how to sign in to ${provider.id} with --method (${listOf(provider.methods)}).`,
		);
	}

	knownMethod(method);

	if (!provider.methods.includes(method as Method)) {
		throw usage(
			`${provider.id} does not support --method ${method}. Valid methods for ${provider.id}: ${listOf(provider.methods)}.`,
		);
	}

	return method as Method;
};
