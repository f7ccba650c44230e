import {defineConfig} from 'vitest/config';
import {findBrowser} from './test/helpers/find-browser.js';

/*
The real-browser suite (npm run test:browser): headless Chromium or Chrome clicks Approve on a
sign-in page and lands on the built CLI's callback. Apart from the main suite because it needs a
browser installed. Without one the run fails at once with one line naming the package to install
(a thrown error here would bury that line under "No test files found" and a stack trace).
*/
let browserPath: string;
try {
	browserPath = findBrowser();
} catch (error) {
	process.stderr.write(`${(error as Error).message}\n`);
	process.exit(1);
}

declare module 'vitest' {
	export interface ProvidedContext {
		browserPath: string;
	}
}

export default defineConfig({
	test: {
		include: ['test/**/*.browser.ts'],
		provide: {browserPath},
		testTimeout: 60_000,
		hookTimeout: 30_000,
		pool: 'forks',
	},
});
