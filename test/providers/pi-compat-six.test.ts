/*
Every entry the six new providers produce passes pi's validating reader (docs/pi-compat.md, "Shape"):
pi rejects the whole file when one entry is neither `{"type":"oauth", access: string, refresh:
string, expires: finite number}` nor `{"type":"api_key", key?: string}`. Checked after a JSON round
trip, as pi reads it from the file, with each provider's extra fields (docs/pi-compat.md: `clientId` and
`scopes` for openai, `scope` for radius) in pi's types.
*/
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {emptyConfig} from '../../source/config.js';
import {
	startBrowserLogin,
	startDeviceLogin,
} from '../../source/engine/login.js';
import {createPasteQueue} from '../../source/oauth/race.js';
import {findProvider} from '../../source/providers/registry.js';
import {type Sandbox, startSandbox} from '../../source/sandbox/sandbox.js';
import {makeTempDir} from '../helpers/temp-dir.js';

/** pi 1.6's rules (docs/pi-compat.md), written out: the whole file is refused if one entry fails. */
const piAccepts = (entry: unknown): boolean => {
	if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
		return false;
	const value = entry as Record<string, unknown>;
	if (value['type'] === 'oauth') {
		return (
			typeof value['access'] === 'string' &&
			typeof value['refresh'] === 'string' &&
			typeof value['expires'] === 'number' &&
			Number.isFinite(value['expires'])
		);
	}

	if (value['type'] === 'api_key') {
		const env = value['env'];
		return (
			(value['key'] === undefined || typeof value['key'] === 'string') &&
			(env === undefined ||
				(typeof env === 'object' &&
					env !== null &&
					Object.values(env).every(item => typeof item === 'string')))
		);
	}

	return false;
};

const asStored = (entry: unknown): unknown => JSON.parse(JSON.stringify(entry));

let sandbox: Sandbox;
let stateDir: string;
beforeEach(async () => {
	sandbox = await startSandbox({
		xai: {deviceInterval: 0.01},
		kimi: {deviceInterval: 0.01},
		meta: {deviceInterval: 0.01},
		radius: {deviceInterval: 0.01},
	});
	stateDir = path.join(await makeTempDir(), 'pi-auth');
});
afterEach(async () => {
	await sandbox.close();
});

const deps = () => ({
	config: {providers: {...emptyConfig.providers, ...sandbox.config.providers}},
	fetch: globalThis.fetch,
	now: Date.now,
	stateDir,
});

const viaDevice = async (
	id: string,
	approve: (userCode: string) => Promise<void>,
) => {
	const login = await startDeviceLogin(deps(), findProvider(id)!);
	await approve(login.userCode);
	return login.complete();
};

const viaBrowser = async (
	id: string,
	approve: (url: string) => Promise<string>,
) => {
	const login = await startBrowserLogin(deps(), findProvider(id)!);
	const done = login.complete(createPasteQueue());
	await fetch(await approve(login.url));
	return done;
};

describe("pi's validation of what the six new providers store", () => {
	it('openai: oauth entry with clientId (string) and scopes (string array)', async () => {
		const entry = asStored(await viaBrowser('openai', sandbox.chatgpt.approve));
		expect(piAccepts(entry)).toBe(true);
		expect(entry).toMatchObject({
			clientId: expect.any(String) as string,
			scopes: expect.arrayContaining(['chatgpt.tokens.use.direct']) as string[],
		});
	});

	it('xai: oauth entry', async () => {
		expect(
			piAccepts(asStored(await viaDevice('xai', sandbox.xai.approveDevice))),
		).toBe(true);
	});

	it('kimi-coding: oauth entry', async () => {
		expect(
			piAccepts(
				asStored(await viaDevice('kimi-coding', sandbox.kimi.approveDevice)),
			),
		).toBe(true);
	});

	it('openrouter: refresh "" and expires Number.MAX_SAFE_INTEGER survive the file', async () => {
		const entry = asStored(
			await viaBrowser('openrouter', sandbox.openrouter.approve),
		);
		expect(piAccepts(entry)).toBe(true);
		expect(entry).toMatchObject({refresh: '', expires: 9_007_199_254_740_991});
	});

	it('meta: oauth entry (the minted key as access)', async () => {
		expect(
			piAccepts(asStored(await viaDevice('meta', sandbox.meta.approveDevice))),
		).toBe(true);
	});

	it('radius: oauth entry with scope (string), by browser and by device', async () => {
		const browser = asStored(
			await viaBrowser('radius', sandbox.radius.approve),
		);
		const device = asStored(
			await viaDevice('radius', sandbox.radius.approveDevice),
		);
		for (const entry of [browser, device]) {
			expect(piAccepts(entry)).toBe(true);
			expect(entry).toMatchObject({scope: 'gateway offline_access'});
		}
	});

	it('every one of the six: an api-key entry', () => {
		for (const id of [
			'openai',
			'xai',
			'kimi-coding',
			'openrouter',
			'meta',
			'radius',
		]) {
			const entry = findProvider(id)!.fromSecret!('api-key', ' key-0123 \r', 0);
			expect(asStored(entry)).toEqual({type: 'api_key', key: 'key-0123'});
			expect(piAccepts(asStored(entry))).toBe(true);
		}
	});

	it('the checker refuses what pi refuses (it can fail)', () => {
		expect(piAccepts({type: 'oauth', access: 'a', expires: 1})).toBe(false);
		expect(
			piAccepts({type: 'oauth', access: 'a', refresh: 'r', expires: null}),
		).toBe(false);
		expect(piAccepts({type: 'api_key', key: 1})).toBe(false);
		expect(piAccepts({type: 'token'})).toBe(false);
	});
});
