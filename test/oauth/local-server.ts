import {
	type IncomingMessage,
	type RequestListener,
	type Server,
	type ServerResponse,
	createServer,
} from 'node:http';
import type {AddressInfo} from 'node:net';
import {connect} from 'node:net';

export type LocalServer = {
	server: Server;
	port: number;
	url: string;
	close(): Promise<void>;
};

/** A node:http server on 127.0.0.1 with an ephemeral port; close() also drops open connections. */
export const startServer = async (
	handler: RequestListener,
): Promise<LocalServer> => {
	const server = createServer(handler);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;
	return {
		server,
		port,
		url: `http://127.0.0.1:${port}`,
		async close() {
			if (!server.listening) return;
			const closed = new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
			server.closeAllConnections();
			await closed;
		},
	};
};

export type Recorded = {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
};

/** Reads a request body (small test bodies only). */
export const readBody = async (request: IncomingMessage): Promise<string> => {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
};

export const json = (
	response: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void => {
	response.writeHead(status, {'content-type': 'application/json', ...headers});
	response.end(JSON.stringify(body));
};

/** Resolves true when a TCP connection to host:port succeeds, false when it is refused/unreachable. */
export const canConnect = async (
	port: number,
	host = '127.0.0.1',
	timeoutMs = 1000,
): Promise<boolean> =>
	new Promise(resolve => {
		const socket = connect({port, host});
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};

		socket.setTimeout(timeoutMs, () => {
			done(false);
		});
		socket.once('connect', () => {
			done(true);
		});
		socket.once('error', () => {
			done(false);
		});
	});
