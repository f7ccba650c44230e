/*
A provider endpoint that misbehaves on purpose, one way per path: HTML pages, empty bodies, bodies
past the 1 MB cap (declared and chunked), bytes dripped past the 15 s timeout, a silent socket, a
reset, bad encodings, and JSON of the wrong types. 127.0.0.1, port 0; close() drops everything.
*/
import {
	type IncomingMessage,
	type ServerResponse,
	createServer,
} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';

/** Put into every body: if it shows up in a message or a file, a body leaked. */
export const BODY_MARKER = 'HOSTILEBODYMARKER';

type Handler = (
	request: IncomingMessage,
	response: ServerResponse,
	later: (ms: number, fn: () => void) => void,
) => void;

const json =
	(status: number, value: unknown): Handler =>
	(_q, response) => {
		const body = JSON.stringify(value);
		response.writeHead(status, {
			'content-type': 'application/json',
			'content-length': Buffer.byteLength(body),
		});
		response.end(body);
	};

const raw =
	(
		status: number,
		body: string | Buffer,
		headers: Record<string, string> = {},
	): Handler =>
	(_q, response) => {
		response.writeHead(status, {
			'content-type': 'application/json',
			'content-length': String(Buffer.byteLength(body)),
			...headers,
		});
		response.end(body);
	};

const html = (status: number): Handler =>
	raw(
		status,
		`<!doctype html><html><body><h1>Access denied</h1><p>${BODY_MARKER}</p></body></html>`,
		{'content-type': 'text/html'},
	);

const TWO_MB = 2 * 1024 * 1024;

/** A valid token answer, so only the way it is delivered is hostile. */
const validBody = JSON.stringify({
	access_token: `sk-ant-oat01-${BODY_MARKER}-dripped`,
	refresh_token: `sk-ant-ort01-${BODY_MARKER}-dripped`,
	expires_in: 3600,
	token: `tid=${BODY_MARKER}`,
	expires_at: Math.floor(Date.now() / 1000) + 1800,
});

export const HOSTILE: Record<string, Handler> = {
	'html-200': html(200),
	'html-401': html(401),
	'html-403': html(403),
	'html-502': html(502),
	'empty-200': raw(200, ''),
	'empty-204': (_q, response) => {
		response.writeHead(204);
		response.end();
	},
	'truncated-json': raw(200, `{"access_token": "${BODY_MARKER}`),
	'invalid-utf8': raw(200, Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3])),
	'bad-gzip': raw(200, `not gzip ${BODY_MARKER}`, {'content-encoding': 'gzip'}),
	'huge-declared': (_q, response) => {
		// Declares 2 MB: refused from the header, before any of it is read.
		response.writeHead(200, {
			'content-type': 'application/json',
			'content-length': String(TWO_MB),
		});
		response.write(`{"pad": "${BODY_MARKER}`);
	},
	'huge-chunked': (_q, response, later) => {
		// No length: the cap has to stop the read itself.
		response.writeHead(200, {'content-type': 'application/json'});
		const chunk = Buffer.alloc(64 * 1024, 0x61);
		response.write('{"access_token": "');
		let sent = 0;
		const push = () => {
			if (response.destroyed || sent > TWO_MB) return;
			sent += chunk.length;
			if (response.write(chunk)) later(0, push);
			else response.once('drain', push);
		};

		push();
	},
	'huge-valid-json': raw(
		200,
		JSON.stringify({
			access_token: 'a'.repeat(TWO_MB),
			refresh_token: BODY_MARKER,
			token: 'a'.repeat(16),
			expires_in: 3600,
		}),
	),
	drip: (_q, response, later) => {
		// One byte every 100 ms of a valid answer: complete only after ~25 s, past the 15 s bound.
		response.writeHead(200, {
			'content-type': 'application/json',
			'content-length': String(Buffer.byteLength(validBody)),
		});
		let index = 0;
		const next = () => {
			if (response.destroyed || index >= validBody.length) return;
			response.write(validBody.slice(index, index + 1));
			index++;
			later(100, next);
		};

		next();
	},
	hang() {
		// Never answers; the client's timeout must end it.
	},
	reset(request) {
		request.socket.destroy();
	},
	'redirect-302': (_q, response) => {
		response.writeHead(302, {location: '/html-200'});
		response.end();
	},
	'error-in-200': json(200, {
		error: 'invalid_grant',
		error_description: BODY_MARKER,
	}),
	array: json(200, [BODY_MARKER]),
	string: json(200, BODY_MARKER),
	null: json(200, null),
	'number-fields': json(200, {
		access_token: 42,
		refresh_token: 43,
		expires_in: 'soon',
		token: 44,
		expires_at: 'later',
	}),
	'object-fields': json(200, {
		access_token: {value: BODY_MARKER},
		refresh_token: [BODY_MARKER],
		token: {value: BODY_MARKER},
		expires_at: {},
	}),
	'empty-strings': json(200, {
		access_token: '',
		refresh_token: '',
		token: '',
		expires_at: '',
		expires_in: '',
	}),
	// A token that works, with a lifetime no clock can hold (Infinity once multiplied by 1000).
	'absurd-expiry': json(200, {
		access_token: `h.${Buffer.from(
			JSON.stringify({
				'https://api.openai.com/auth': {chatgpt_account_id: 'acct-absurd'},
			}),
		).toString('base64url')}.s`,
		refresh_token: 'rotated-refresh-absurd-expiry',
		expires_in: 1e308,
		token: 'tid=absurd-expiry',
		expires_at: 1e308,
	}),
	'negative-expiry': json(200, {
		access_token: `h.${Buffer.from(
			JSON.stringify({
				'https://api.openai.com/auth': {chatgpt_account_id: 'acct-negative'},
			}),
		).toString('base64url')}.s`,
		refresh_token: 'rotated-refresh-negative-expiry',
		expires_in: -5,
		token: 'tid=negative-expiry',
		expires_at: -5,
	}),
};

export type HostileServer = {
	url: (name: string) => string;
	close: () => Promise<void>;
};

export const startHostileServer = async (): Promise<HostileServer> => {
	const sockets = new Set<Socket>();
	const timers = new Set<NodeJS.Timeout>();
	const later = (ms: number, fn: () => void) => {
		const timer = setTimeout(() => {
			timers.delete(timer);
			fn();
		}, ms);
		timers.add(timer);
	};

	const server = createServer((request, response) => {
		// Drain the request body first: the client must not block on a full socket.
		request.resume();
		request.on('end', () => {
			const handler =
				HOSTILE[(request.url ?? '/').slice(1).split('?')[0] ?? ''];
			if (handler) handler(request, response, later);
			else {
				response.writeHead(404);
				response.end();
			}
		});
	});
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen({port: 0, host: '127.0.0.1'}, resolve);
	});
	const {port} = server.address() as AddressInfo;
	return {
		url: name => `http://127.0.0.1:${port}/${name}`,
		close: async () =>
			new Promise<void>(resolve => {
				for (const timer of timers) clearTimeout(timer);
				server.close(() => {
					resolve();
				});
				for (const socket of sockets) socket.destroy();
			}),
	};
};
