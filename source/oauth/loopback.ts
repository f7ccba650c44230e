/**
docs/contract.md: http:// is allowed only for a loopback host, decided from the URL's literal host
without resolving names: `localhost`, an IPv4 address in 127.0.0.0/8, or `[::1]`.
*/
export const isLoopbackUrl = (value: string): boolean => {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return false;
	}

	return isLoopbackHost(url);
};

/** The same, for a URL already parsed. */
export const isLoopbackHost = ({hostname}: URL): boolean =>
	hostname === 'localhost' ||
	hostname === '[::1]' ||
	// WHATWG URL already normalises IPv4 forms (127.1, 0x7f.0.0.1) to dotted quads.
	/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
