import type {Server} from 'node:http';
import type {AddressInfo} from 'node:net';

/*
The redirect URI says `localhost` (docs/providers.md: the providers registered it so), and a browser
resolves that to ::1 as readily as to 127.0.0.1. A callback server on 127.0.0.1 alone leaves [::1]
on the same port free for any other local user, whose listener would then receive the code. So the
port is bound on both loopback addresses, or not used at all. Where the machine has no IPv6
loopback (EADDRNOTAVAIL, EAFNOSUPPORT), localhost cannot mean ::1 and 127.0.0.1 alone is enough.
Never a wildcard address: nothing beyond this machine may connect.
*/
const NO_IPV6 = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);
// Port 0 draws a free port on 127.0.0.1 that may be taken on ::1: draw again, a few times.
const ANY_PORT_TRIES = 5;

const listen = async (
	server: Server,
	port: number,
	host: string,
): Promise<number> =>
	new Promise((resolve, reject) => {
		const onError = (error: Error) => {
			server.off('listening', onListening);
			reject(error);
		};

		const onListening = () => {
			server.off('error', onError);
			resolve((server.address() as AddressInfo).port);
		};

		server.once('error', onError);
		server.once('listening', onListening);
		server.listen({port, host, ipv6Only: host === '::1'});
	});

/** Stops listening and drops every connection, keep-alive and half-sent ones included. */
export const closeServers = async (
	servers: readonly Server[],
): Promise<void> => {
	await Promise.all(
		servers.map(async server => {
			if (!server.listening) return;
			const closed = new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
			server.closeAllConnections();
			await closed;
		}),
	);
};

const bindBoth = async (
	makeServer: () => Server,
	port: number,
): Promise<{port: number; servers: Server[]} | undefined> => {
	const ipv4 = makeServer();
	let bound: number;
	try {
		bound = await listen(ipv4, port, '127.0.0.1');
	} catch {
		return undefined;
	}

	const ipv6 = makeServer();
	try {
		await listen(ipv6, bound, '::1');
		return {port: bound, servers: [ipv4, ipv6]};
	} catch (error) {
		if (NO_IPV6.has((error as NodeJS.ErrnoException).code ?? '')) {
			return {port: bound, servers: [ipv4]};
		}

		// Someone else holds [::1]:port: this port is not ours.
		await closeServers([ipv4]);
		return undefined;
	}
};

/**
Listens on `port` (0: any free port) on 127.0.0.1 and [::1] with servers from `makeServer`, or
returns undefined when the port cannot be had on either (in use, not allowed, …).
*/
export const listenOnLoopback = async (
	makeServer: () => Server,
	port: number,
): Promise<{port: number; servers: Server[]} | undefined> => {
	for (let tries = port === 0 ? ANY_PORT_TRIES : 1; tries > 0; tries--) {
		const bound = await bindBoth(makeServer, port);
		if (bound) return bound;
	}

	return undefined;
};
