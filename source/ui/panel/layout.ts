/*
Fitting the panel into the terminal: which blocks show around the selected one, given how tall
each is (credential-block.tsx blockHeight, at the terminal's width).
*/
/** The blocks that fit in `rows`, always including the selected one. */
export const visibleRange = (
	heights: readonly number[],
	selected: number,
	rows: number,
) => {
	let start = selected;
	let end = selected + 1;
	let used = heights[selected] ?? 0;
	for (;;) {
		const next = heights[end];
		const previous = heights[start - 1];
		if (next !== undefined && used + next <= rows) {
			used += next;
			end++;
		} else if (previous !== undefined && used + previous <= rows) {
			used += previous;
			start--;
		} else {
			return {start, end};
		}
	}
};
