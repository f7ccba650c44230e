import fs from 'node:fs';
import {isRecord} from './credentials/credential.js';
import {PiAuthError} from './errors.js';
import type {Fetch} from './oauth/http-client.js';
import {isLoopbackHost} from './oauth/loopback.js';
import {findProvider, providerIds} from './providers/registry.js';
import type {Endpoints, Provider, ProviderContext} from './providers/types.js';

export type ProviderConfig = {endpoints: Endpoints; callbackPort?: number};
export type Config = {
	file?: string;
	providers: Record<string, ProviderConfig>;
	/** false: the live panel rings no bell and sends no desktop notification (issue 13). */
	notify?: boolean;
};

export const emptyConfig: Config = {providers: {}};

const configError = (file: string, key: string, problem: string) =>
	new PiAuthError(
		'config',
		`The config file ${file} has a problem at ${key}: ${problem}. Fix it or point --config elsewhere.`,
	);

const checkUrl = (file: string, key: string, value: unknown): string => {
	if (typeof value !== 'string')
		throw configError(file, key, 'expected a URL string');
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw configError(file, key, 'not a valid URL');
	}

	if (url.protocol === 'https:') return value;
	if (url.protocol === 'http:' && isLoopbackHost(url)) return value;
	throw configError(
		file,
		key,
		url.protocol === 'http:'
			? 'http:// is allowed only for localhost, 127.0.0.0/8 or [::1]; use https://'
			: 'only https:// URLs are allowed',
	);
};

const parseProvider = (
	file: string,
	provider: Provider,
	value: unknown,
): ProviderConfig => {
	const base = `providers.${provider.id}`;
	if (!isRecord(value)) throw configError(file, base, 'expected an object');
	const result: ProviderConfig = {endpoints: {}};
	for (const [key, entry] of Object.entries(value)) {
		if (key === 'endpoints') {
			if (!isRecord(entry)) {
				throw configError(file, `${base}.endpoints`, 'expected an object');
			}

			for (const [name, url] of Object.entries(entry)) {
				if (!provider.endpointNames.includes(name)) {
					throw configError(
						file,
						`${base}.endpoints.${name}`,
						`unknown endpoint name (valid: ${provider.endpointNames.join(', ')})`,
					);
				}

				result.endpoints[name] = checkUrl(
					file,
					`${base}.endpoints.${name}`,
					url,
				);
			}
		} else if (key === 'callbackPort') {
			if (
				typeof entry !== 'number' ||
				!Number.isInteger(entry) ||
				entry < 0 ||
				entry > 65_535
			) {
				throw configError(
					file,
					`${base}.callbackPort`,
					'expected a port number from 0 to 65535 (0 = any free port)',
				);
			}

			result.callbackPort = entry;
		} else {
			throw configError(
				file,
				`${base}.${key}`,
				'unknown key (valid: endpoints, callbackPort)',
			);
		}
	}

	return result;
};

export const parseConfig = (text: string, file: string): Config => {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		throw configError(
			file,
			'(top level)',
			`not valid JSON (${(error as Error).message})`,
		);
	}

	if (!isRecord(value))
		throw configError(file, '(top level)', 'expected a JSON object');
	const config: Config = {file, providers: {}};
	for (const [key, entry] of Object.entries(value)) {
		if (key === 'notify') {
			if (typeof entry !== 'boolean') {
				throw configError(file, 'notify', 'expected true or false');
			}

			config.notify = entry;
			continue;
		}

		if (key !== 'providers') {
			throw configError(file, key, 'unknown key (valid: providers, notify)');
		}

		if (!isRecord(entry))
			throw configError(file, 'providers', 'expected an object');
		for (const [id, providerValue] of Object.entries(entry)) {
			const provider = findProvider(id);
			if (!provider) {
				throw configError(
					file,
					`providers.${id}`,
					`unknown provider (valid: ${providerIds.join(', ')})`,
				);
			}

			config.providers[id] = parseProvider(file, provider, providerValue);
		}
	}

	return config;
};

export const loadConfig = async (location: {
	file: string;
	optional: boolean;
}): Promise<Config> => {
	let text: string;
	try {
		// Synchronous: read once at start-up, and node:fs/promises would cost `token` ~2 ms to load.
		text = fs.readFileSync(location.file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' && location.optional) return emptyConfig;
		throw configError(
			location.file,
			'(file)',
			code === 'ENOENT'
				? 'the file does not exist'
				: `cannot be read (${code ?? 'error'})`,
		);
	}

	return parseConfig(text, location.file);
};

/** The provider's URLs with the config's overrides on top. */
export const endpointsFor = (
	config: Config,
	provider: Provider,
	domain?: string,
): Endpoints => ({
	...provider.defaultEndpoints(domain),
	...config.providers[provider.id]?.endpoints,
});

/** Callback ports: the configured one alone (0 = any free port), else the provider's list. */
export const callbackPortsFor = (
	config: Config,
	provider: Provider,
): readonly number[] => {
	const configured = config.providers[provider.id]?.callbackPort;
	return configured === undefined
		? (provider.callback?.ports ?? [])
		: [configured];
};

/** What an adapter function gets: the world injected, endpoints from the config (and host). */
export const providerContext = (
	deps: {
		config: Config;
		fetch: Fetch;
		now: () => number;
		signal?: AbortSignal;
		stateDir?: string;
	},
	provider: Provider,
	domain?: string,
): ProviderContext => ({
	fetch: deps.fetch,
	endpoints: endpointsFor(deps.config, provider, domain),
	now: deps.now,
	...(deps.signal ? {signal: deps.signal} : {}),
	...(deps.stateDir ? {stateDir: deps.stateDir} : {}),
});
