/*
Lines of standard input with a bound: a secret or a pasted code is a line of a few hundred
characters, so a line longer than MAX_LINE_LENGTH is cut there and flagged, and the rest of it is
dropped as it arrives. readline would hold a 66 MB line in memory before it could be refused.
*/

export const MAX_LINE_LENGTH = 16 * 1024;

export type Line = {text: string; tooLong: boolean};

/** Splits text chunks into lines (LF or CRLF); `end()` emits a last line without a newline. */
export const createLineSplitter = (
	emit: (line: Line) => void,
	max = MAX_LINE_LENGTH,
) => {
	let pending = '';
	let tooLong = false;
	const flush = (text: string) => {
		emit({text: text.endsWith('\r') ? text.slice(0, -1) : text, tooLong});
		pending = '';
		tooLong = false;
	};

	return {
		push(chunk: string) {
			let rest = chunk;
			for (;;) {
				const newline = rest.indexOf('\n');
				const head = newline < 0 ? rest : rest.slice(0, newline);
				if (!tooLong) pending += head;
				if (pending.length > max) {
					pending = pending.slice(0, max);
					tooLong = true;
				}

				if (newline < 0) return;
				flush(pending);
				rest = rest.slice(newline + 1);
			}
		},
		end() {
			if (pending !== '' || tooLong) flush(pending);
		},
	};
};

/**
Calls `onLine` for each line of `stream` as soon as it arrives, and `onEnd` at its end. Returns a
stop function that detaches and pauses the stream (a later reader may resume it).
*/
export const onLines = (
	stream: NodeJS.ReadableStream,
	onLine: (line: Line) => void,
	onEnd: () => void,
): (() => void) => {
	const splitter = createLineSplitter(onLine);
	const data = (chunk: string | Buffer) => {
		splitter.push(String(chunk));
	};

	const end = () => {
		splitter.end();
		onEnd();
	};

	stream.setEncoding('utf8');
	stream.on('data', data);
	stream.on('end', end);
	stream.on('error', end);
	stream.resume();
	return () => {
		stream.off('data', data);
		stream.off('end', end);
		stream.off('error', end);
		stream.pause();
	};
};
