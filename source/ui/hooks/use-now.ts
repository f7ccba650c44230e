import {useEffect, useState} from 'react';
import {useServices} from '../services-context.js';

/**
The current time from the injected clock, read at every render, and a redraw every `interval` ms
(spinners, countdowns). The interval may depend on the time: the panel redraws only when a number
on screen changes. Reading the clock at render time keeps a redraw for another reason (new data)
as current as a tick.
*/
export const useNow = (
	interval: number | ((now: number) => number) = 1000,
): number => {
	const {clock} = useServices();
	const [, setTicks] = useState(0);
	const now = clock.now();
	const ms = typeof interval === 'number' ? interval : interval(now);
	useEffect(
		() =>
			clock.every(ms, () => {
				setTicks(ticks => ticks + 1);
			}),
		[clock, ms],
	);
	return now;
};
