import {useRef} from 'react';

/**
A ref that always holds the latest value. Input handlers read callbacks through it: ink 6
re-subscribes useInput after each render, so a burst of keys can reach a handler from an older
render (docs/testing.md), and that handler must still call the newest callback.
*/
export const useLatest = <T>(value: T): {readonly current: T} => {
	const ref = useRef(value);
	ref.current = value;
	return ref;
};
