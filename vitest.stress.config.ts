import {defineConfig} from 'vitest/config';

/*
The reliability suite (npm run test:stress): many real processes against the built dist/cli.js and
the sandbox's fakes. Files run one after another: each suite already loads every core with its own
processes, and running them side by side would make the timings they print meaningless and the
lock waits flaky on a 2-core machine.
*/
export default defineConfig({
	test: {
		include: ['test/stress/**/*.stress.ts'],
		pool: 'forks',
		fileParallelism: false,
		testTimeout: 180_000,
		hookTimeout: 60_000,
		teardownTimeout: 30_000,
		// Figures are the point of this suite: show every console line, even for passing tests.
		silent: false,
	},
});
