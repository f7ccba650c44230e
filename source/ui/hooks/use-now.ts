import {useEffect, useState} from 'react';
import {useServices} from '../services-context.js';

/** The current time, re-read every `intervalMs` (countdowns, spinners) from the injected clock. */
export const useNow = (intervalMs = 1000): number => {
	const {clock} = useServices();
	const [now, setNow] = useState(clock.now);
	useEffect(
		() =>
			clock.every(intervalMs, () => {
				setNow(clock.now());
			}),
		[clock, intervalMs],
	);
	return now;
};
