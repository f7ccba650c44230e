/*
Preloaded into the real pi with `node --import` (a test harness, never shipped): pi's provider
endpoints are fixed URLs, so this rewrites them to the local fakes, and refuses every request that
would leave 127.0.0.1. pi installs undici's fetch over globalThis.fetch while it starts, so a plain
assignment would be replaced: fetch is an accessor whose setter wraps whatever pi installs.

PI_AUTH_TEST_REDIRECTS: JSON {"<URL prefix>": "<replacement prefix>", …}.
*/
const redirects = Object.entries(
	JSON.parse(process.env.PI_AUTH_TEST_REDIRECTS ?? '{}'),
);

const urlOf = input =>
	typeof input === 'string'
		? input
		: input instanceof URL
			? input.href
			: input.url;

const wrap = original => async (input, init) => {
	const url = urlOf(input);
	const redirect = redirects.find(([from]) => url.startsWith(from));
	if (redirect) {
		const [from, to] = redirect;
		return original(to + url.slice(from.length), init);
	}

	if (!/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) {
		throw new Error(
			`redirect-fetch: refused a request beyond loopback (${new URL(url).host})`,
		);
	}

	return original(input, init);
};

let current = wrap(globalThis.fetch);
Object.defineProperty(globalThis, 'fetch', {
	configurable: true,
	enumerable: true,
	get: () => current,
	set: value => {
		current = wrap(value);
	},
});
