import fs from 'node:fs';
import {fileURLToPath} from 'node:url';

/** A recorded-shape usage body from test/fixtures/usage (written from usage-endpoints.md). */
export const fixture = (name: string): unknown =>
	JSON.parse(
		fs.readFileSync(
			fileURLToPath(new URL(`../fixtures/usage/${name}.json`, import.meta.url)),
			'utf8',
		),
	) as unknown;
