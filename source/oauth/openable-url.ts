import {isLoopbackUrl} from './loopback.js';

/**
A URL fit to show a person and to hand to a browser command, as its normalised href, or undefined.
Only `https://`, and `http://` to a loopback host (the config file's rule, docs/contract.md): `open`
opens any scheme (file:, javascript:, a custom handler), and a value starting with `-` became an
option of the PI_AUTH_BROWSER program. The href WHATWG URL gives back always starts with the
scheme, never with `-` or a space, and carries no control character.
*/
export const openableUrl = (value: string): string | undefined => {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return undefined;
	}

	if (url.protocol === 'https:') return url.href;
	return url.protocol === 'http:' && isLoopbackUrl(url.href)
		? url.href
		: undefined;
};

/** Whether `url` is on one of `hosts` (host names, compared without port, case-insensitively). */
export const onHosts = (url: string, hosts: Iterable<string>): boolean => {
	const {hostname} = new URL(url);
	for (const host of hosts) if (host.toLowerCase() === hostname) return true;
	return false;
};
