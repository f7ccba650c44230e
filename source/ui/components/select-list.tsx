import {useInput} from 'ink';
import SelectInput from 'ink-select-input';
import type {FC} from 'react';
import {useRef, useState} from 'react';
import {useLatest} from '../hooks/use-latest.js';

export type SelectItem<V> = {key: string; label: string; value: V};

/**
A list to choose from. ink-select-input draws it, but the keys are handled here: its own handler
reads the highlighted index from the render it was created in, so a burst of keys (Down Down
Enter in one read) selects the wrong item. Here the index lives in a ref that every key updates
at once; the list is redrawn from it (remounted at the new index).
*/
export const SelectList = <V,>({
	items,
	itemComponent,
	onSelect,
	onHighlight,
}: {
	items: ReadonlyArray<SelectItem<V>>;
	itemComponent?: FC<{isSelected?: boolean; label: string}>;
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
		} else if (key.return) {
			latest.current.onSelect(list[index.current]!);
			return;
		} else {
			return;
		}

		setShown(index.current);
		latest.current.onHighlight?.(list[index.current]!);
	});

	return (
		<SelectInput
			key={shown}
			items={[...items]}
			initialIndex={shown}
			isFocused={false}
			{...(itemComponent ? {itemComponent} : {})}
		/>
	);
};
