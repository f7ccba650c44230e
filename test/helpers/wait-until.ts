/** Polls `check` every 10 ms until it holds; fails naming `what` after 15 s. */
export const waitUntil = async (check: () => boolean, what: string) => {
	const deadline = Date.now() + 15_000;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
	}
};
