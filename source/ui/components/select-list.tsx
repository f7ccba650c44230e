import {Box, Text, useInput} from 'ink';
import SelectInput from 'ink-select-input';
import {createContext, useContext, useMemo, useRef, useState} from 'react';
import {widthOf} from '../flow.js';
import {useLatest} from '../hooks/use-latest.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {theme} from '../theme.js';

export type SelectItem<V> = {
	key: string;
	label: string;
	value: V;
	/** Shown after the label, muted: "— works over SSH". */
	detail?: string;
	/** Shown last, in its colour: "[signed in · expires in 3h]". */
	badge?: {text: string; color: string};
};

type Described = Pick<SelectItem<unknown>, 'label' | 'detail' | 'badge'>;
const RowsContext = createContext<{
	items: readonly Described[];
	/** The columns a row has after the "❯ " indicator. */
	width: number;
}>({items: [], width: 78});

/**
One row: ink-select-input gives only the label, so detail and badge come from the list's items.
A row that does not fit on one line (a narrow terminal, issue 14) shows its detail only while it
is highlighted, on a line of its own: the list then stays about as tall as it has items, and the
screen no longer runs past the terminal's height.
*/
const Row = ({isSelected, label}: {isSelected?: boolean; label: string}) => {
	const {items, width} = useContext(RowsContext);
	const item = items.find(entry => entry.label === label);
	const badge = item?.badge ? ` [${item.badge.text}]` : '';
	const detail = item?.detail ? ` — ${item.detail}` : '';
	const oneLine = widthOf(`${label}${detail}${badge}`) <= width;
	// In a box of its own, a row that wraps on a narrow terminal keeps its indent.
	return (
		<Box flexShrink={1} flexDirection="column">
			<Text>
				<Text color={isSelected ? theme.accent : undefined} bold={isSelected}>
					{label}
				</Text>
				{oneLine && detail ? <Text color={theme.muted}>{detail}</Text> : null}
				{item?.badge ? <Text color={item.badge.color}>{badge}</Text> : null}
			</Text>
			{!oneLine && isSelected && item?.detail ? (
				<Text color={theme.muted}>{item.detail}</Text>
			) : null}
		</Box>
	);
};

/**
A list to choose from. ink-select-input draws it, but the keys are handled here: its own handler
reads the highlighted index from the render it was created in, so a burst of keys (Down Down
Enter in one read) selects the wrong item. Here the index lives in a ref that every key updates
at once; the list is redrawn from it (remounted at the new index).
*/
export const SelectList = <V,>({
	items,
	onSelect,
	onHighlight,
}: {
	items: ReadonlyArray<SelectItem<V>>;
	onSelect: (item: SelectItem<V>) => void;
	onHighlight?: (item: SelectItem<V>) => void;
}) => {
	const index = useRef(0);
	const [shown, setShown] = useState(0);
	const latest = useLatest({items, onSelect, onHighlight});

	useInput((input, key) => {
		const {items: list} = latest.current;
		const count = list.length;
		if (count === 0) return;
		if (key.upArrow || input === 'k') {
			index.current = (index.current - 1 + count) % count;
		} else if (key.downArrow || input === 'j') {
			index.current = (index.current + 1) % count;
		} else if (/^[1-9]$/.test(input) && Number(input) <= count) {
			index.current = Number(input) - 1;
			setShown(index.current);
			latest.current.onSelect(list[index.current]!);
			return;
		} else if (key.return || input === '\n') {
			// A line feed is Enter pressed before the terminal was in raw mode (run.ts).
			latest.current.onSelect(list[index.current]!);
			return;
		} else {
			return;
		}

		setShown(index.current);
		latest.current.onHighlight?.(list[index.current]!);
	});

	const {columns} = useTerminalSize();
	// The wizard's box pads one column on each side; the indicator takes two.
	const rows = useMemo(() => ({items, width: columns - 4}), [items, columns]);
	return (
		<RowsContext.Provider value={rows}>
			<SelectInput
				key={shown}
				items={[...items]}
				initialIndex={shown}
				isFocused={false}
				itemComponent={Row}
			/>
		</RowsContext.Provider>
	);
};
