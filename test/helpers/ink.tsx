import {render} from 'ink-testing-library';
import {act, type ReactElement} from 'react';
import stripAnsi from 'strip-ansi';

// docs/testing.md: with the act environment flag, every render, key and cleanup in act() is
// deterministic; without it a key written right after a screen change can be lost.
(globalThis as {IS_REACT_ACT_ENVIRONMENT?: boolean}).IS_REACT_ACT_ENVIRONMENT =
	true;

export const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	enter: '\r',
	escape: '\u001B',
	backspace: '\u007F',
	ctrlC: '\u0003',
	ctrlU: '\u0015',
} as const;

export type UiHandle = {
	/** The printed lines and the live screen, without colours or escape sequences. */
	frame: () => string;
	/** Writes each argument as its own stdin chunk, each in its own act(). */
	press: (...chunks: string[]) => Promise<void>;
	/** Writes one chunk, as a terminal delivers a paste or a burst of keys. */
	write: (chunk: string) => Promise<void>;
	/** Waits until the frame contains `text` (or matches it), failing after `timeoutMs`. */
	waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<string>;
	unmount: () => Promise<void>;
};

const settle = async () =>
	act(async () => {
		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
	});

/** The one way UI tests render: act() around render, every key press and cleanup. */
export const renderUi = async (tree: ReactElement): Promise<UiHandle> => {
	let instance: ReturnType<typeof render> | undefined;
	await act(async () => {
		instance = render(tree);
	});
	const ui = instance!;
	// Ink runs in debug mode here: each frame holds the printed lines and the live screen.
	const live = () => stripAnsi(ui.lastFrame() ?? '');
	const write = async (chunk: string) => {
		await act(async () => {
			ui.stdin.write(chunk);
		});
		// A lone Escape only takes effect after a macrotask (docs/testing.md).
		if (chunk === keys.escape) await settle();
	};

	return {
		frame: live,
		write,
		async press(...chunks) {
			for (const chunk of chunks) await write(chunk);
		},
		async waitFor(text, timeoutMs = 5000) {
			const deadline = Date.now() + timeoutMs;
			const matches = () =>
				typeof text === 'string' ? live().includes(text) : text.test(live());
			while (!matches()) {
				if (Date.now() > deadline) {
					throw new Error(
						`Timed out waiting for ${String(text)}. The screen was:\n${live()}`,
					);
				}

				await settle();
			}

			return live();
		},
		async unmount() {
			await act(async () => {
				ui.unmount();
			});
		},
	};
};
