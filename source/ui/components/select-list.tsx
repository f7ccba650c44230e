import {Box, Text, useInput} from 'ink';
import SelectInput from 'ink-select-input';
import {createContext, useContext, useRef, useState} from 'react';
import {useLatest} from '../hooks/use-latest.js';
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
const RowsContext = createContext<readonly Described[]>([]);

/** One row: ink-select-input gives only the label, so detail and badge come from the list's items. */
const Row = ({isSelected, label}: {isSelected?: boolean; label: string}) => {
	const item = useContext(RowsContext).find(entry => entry.label === label);
	// In a box of its own, a row that wraps on a narrow terminal keeps its indent.
	return (
		<Box flexShrink={1}>
			<Text>
				<Text color={isSelected ? theme.accent : undefined} bold={isSelected}>
					{label}
				</Text>
				{item?.detail ? (
					<Text color={theme.muted}> — {item.detail}</Text>
				) : null}
				{item?.badge ? (
					<Text color={item.badge.color}> [{item.badge.text}]</Text>
				) : null}
			</Text>
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

	return (
		<RowsContext.Provider value={items}>
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
