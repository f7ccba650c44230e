import type {Timers} from '../../source/usage/types.js';

/**
A clock and timers that move only when told: `advance` runs every timer that falls due, in order,
letting promise chains settle after each, so a poller can be driven through hours at once.
*/
export const fakeClock = (start = 1_800_000_000_000) => {
	let now = start;
	let nextId = 1;
	const pending = new Map<number, {at: number; callback: () => void}>();
	const delays: number[] = [];
	const settle = async () => {
		// Two macrotask turns: fetch promises, their continuations and re-scheduling all settle.
		for (let turn = 0; turn < 2; turn++) {
			await new Promise(resolve => {
				setImmediate(resolve);
			});
		}
	};

	const timers: Timers = {
		setTimeout(callback, ms) {
			const id = nextId++;
			delays.push(ms);
			pending.set(id, {at: now + ms, callback});
			return id;
		},
		clearTimeout(handle) {
			pending.delete(handle as number);
		},
	};

	return {
		timers,
		now: () => now,
		/** Every delay ever asked for, to check nothing spins. */
		delays,
		pendingCount: () => pending.size,
		settle,
		async advance(ms: number) {
			const until = now + ms;
			// Work already started (a fetch answered at once) settles before time moves.
			await settle();
			// Bounded: a runaway poller fails the test instead of hanging it.
			for (let step = 0; step < 10_000; step++) {
				let due: [number, {at: number; callback: () => void}] | undefined;
				for (const entry of pending) {
					if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) {
						due = entry;
					}
				}

				if (!due) {
					now = until;
					await settle();
					return;
				}

				pending.delete(due[0]);
				now = Math.max(now, due[1].at);
				due[1].callback();
				await settle();
			}

			throw new Error('fake clock: more than 10 000 timers in one advance');
		},
	};
};
