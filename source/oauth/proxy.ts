import {isLoopbackUrl} from './loopback.js';

/*
Which proxy a provider request goes through (docs/providers.md: every call honours HTTPS_PROXY /
HTTP_PROXY / NO_PROXY, pi #1132), decided as curl decides it:

- https:// uses https_proxy or HTTPS_PROXY, http:// uses http_proxy or HTTP_PROXY; a proxy set for
  one scheme never carries the other (undici's EnvHttpProxyAgent sent https through HTTP_PROXY when
  HTTPS_PROXY was unset). The lower-case form wins; an empty variable counts as unset, so an
  exported empty no_proxy does not hide NO_PROXY.
- A loopback host (localhost, 127.0.0.0/8, [::1]: the config file's rule) is never proxied, whatever
  NO_PROXY says: a proxy cannot reach this machine's loopback, and a local test server or company
  stub sent through a proxy leaks its traffic to it (NO_PROXY=127.0.0.1 did not cover localhost).
- NO_PROXY: entries separated by commas or spaces; `*` alone means no proxy at all; an entry
  matches its host and every subdomain (a leading `.` or `*.` is ignored); `host:port` matches that
  port only; IPv6 entries are written without brackets or with them.
*/

const DEFAULT_PORTS: Record<string, string> = {'http:': '80', 'https:': '443'};

const variable = (env: NodeJS.ProcessEnv, name: string): string =>
	env[name.toLowerCase()] || env[name.toUpperCase()] || '';

const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

const noProxyMatches = (url: URL, list: string): boolean => {
	const host = bare(url.hostname);
	const port = url.port || DEFAULT_PORTS[url.protocol] || '';
	for (const raw of list.split(/[\s,]+/)) {
		if (raw === '') continue;
		if (raw === '*') return true;
		const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(raw);
		const entryHost = bare((withPort?.[1] ?? raw).replace(/^\*?\./, ''));
		if (withPort && withPort[2] !== port) continue;
		if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
	}

	return false;
};

/** The proxy URL a request to `url` goes through, or undefined when it goes direct. */
export const proxyFor = (
	url: URL,
	env: NodeJS.ProcessEnv,
): string | undefined => {
	if (isLoopbackUrl(url.href)) return undefined;
	const proxy =
		url.protocol === 'https:'
			? variable(env, 'https_proxy')
			: url.protocol === 'http:'
				? variable(env, 'http_proxy')
				: '';
	if (proxy === '' || noProxyMatches(url, variable(env, 'no_proxy'))) {
		return undefined;
	}

	return proxy;
};

/** Whether any proxy variable is set, so that proxying code must load at all. */
export const anyProxy = (env: NodeJS.ProcessEnv): boolean =>
	variable(env, 'https_proxy') !== '' || variable(env, 'http_proxy') !== '';
