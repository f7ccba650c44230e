import {PiAuthError, isPiAuthError} from '../errors.js';
import type {CallbackServer} from './callback-server.js';
import {onLines} from './lines.js';
import {type PasteRules, parsePaste} from './paste.js';

export type RaceOutcome = {
	code: string;
	state?: string;
	/** The callback's or pasted URL's query parameters, when there were any. */
	params?: Record<string, string>;
	via: 'callback' | 'paste';
};

export type RaceOptions = {
	callback?: CallbackServer;
	pastes: AsyncIterable<string>;
	expectedState?: string;
	/** Stricter paste rules (a whole URL, required parameters); default: any form of a code. */
	pasteRules?: PasteRules;
	signal?: AbortSignal;
	/** Told about each refused paste (bad text, stale state, access_denied); the race goes on. */
	onRejectedPaste?: (error: PiAuthError) => void;
};

export type PasteQueue = AsyncIterable<string> & {
	push(value: string): void;
	/** No more values: the consumer sees the end once the queue is drained. */
	end(): void;
};

/**
A single-consumer queue a UI pushes pasted text into. Stopping the iteration (`return()`, e.g. from
`break` or raceForCode finishing) ends the queue at once, even while a `next()` is waiting —
unlike an async generator, which would wait for that `next()` first.
*/
export const createPasteQueue = (onStop?: () => void): PasteQueue => {
	const values: string[] = [];
	const waiting: Array<(result: IteratorResult<string>) => void> = [];
	let ended = false;
	const end = () => {
		if (ended) return;
		ended = true;
		for (const wake of waiting.splice(0)) wake({done: true, value: undefined});
	};

	return {
		push(value) {
			if (ended) return;
			const wake = waiting.shift();
			if (wake) wake({done: false, value});
			else values.push(value);
		},
		end,
		[Symbol.asyncIterator]: () => ({
			async next() {
				const value = values.shift();
				if (value !== undefined) return {done: false, value};
				if (ended) return {done: true, value: undefined};
				return new Promise(resolve => waiting.push(resolve));
			},
			async return() {
				values.length = 0;
				end();
				onStop?.();
				return {done: true, value: undefined};
			},
		}),
	};
};

/**
Each line of `stream` as soon as it arrives (a paste ends with Enter; EOF is not awaited). CRLF
counts as one break; a line too long to be a code arrives cut short, and the paste parser refuses
it. Stopping the iteration detaches from the stream and pauses it.
*/
export const linesFrom = (
	stream: NodeJS.ReadableStream,
): AsyncIterable<string> => {
	let stop = () => undefined as void;
	const queue = createPasteQueue(() => {
		stop();
	});
	stop = onLines(
		stream,
		line => {
			queue.push(line.text);
		},
		() => {
			queue.end();
		},
	);
	return queue;
};

const aborted = (message = 'Sign-in was cancelled.'): PiAuthError =>
	new PiAuthError('aborted', message);

/**
Waits for a code from the callback server or from the user's pastes, whichever comes first.

- A refused paste goes to onRejectedPaste and the race waits for the next paste.
- The end of the pastes (EOF on stdin) is not an answer: with a bound callback server the race keeps
  waiting for the browser; without one it rejects 'aborted'.
- A callback rejection (access denied in the browser, the server closed) ends the race with it.
- The signal ends it with 'aborted'.

Whatever the outcome, the callback server is closed and the pastes are no longer read.
*/
export const raceForCode = async (
	options: RaceOptions,
): Promise<RaceOutcome> => {
	const {callback, expectedState, signal, onRejectedPaste, pasteRules} =
		options;
	if (signal?.aborted) {
		await callback?.close();
		throw aborted();
	}

	const listening = callback?.port !== undefined;
	const iterator = options.pastes[Symbol.asyncIterator]();
	let done = false;
	let onAbort = () => {};
	const winner = new Promise<RaceOutcome>((resolve, reject) => {
		onAbort = () => {
			reject(aborted());
		};

		signal?.addEventListener('abort', onAbort, {once: true});
		if (callback && listening) {
			callback.result.then(({code, state, params}) => {
				resolve({
					code,
					state,
					...(params ? {params} : {}),
					via: 'callback',
				});
			}, reject);
		}

		const readPastes = async () => {
			while (!done) {
				const next = await iterator.next();
				if (done) return;
				if (next.done) {
					if (!listening) {
						reject(
							aborted(
								'The input ended before a code was pasted. Run the command again and paste the code or the redirect URL.',
							),
						);
					}

					return;
				}

				try {
					resolve({
						...parsePaste(next.value, expectedState, pasteRules),
						via: 'paste',
					});
					return;
				} catch (error) {
					if (!isPiAuthError(error)) throw error;
					onRejectedPaste?.(error);
				}
			}
		};

		readPastes().catch(reject);
	});

	try {
		return await winner;
	} finally {
		done = true;
		signal?.removeEventListener('abort', onAbort);
		// Not awaited: a source may only notice after its pending read.
		try {
			void Promise.resolve(iterator.return?.()).catch(() => undefined);
		} catch {}

		await callback?.close();
	}
};
