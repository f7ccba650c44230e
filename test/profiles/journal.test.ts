/*
The profile store's protections, one by one, in-process on real temp files (docs/profiles.md):
the journal's recovery after an interrupted switch (each step; pi writing the entry in place; pi
signing another account in over it), the lock order, every writer of the credential file
finishing a journal first, and one copy of each refresh token. An interrupted switch is a switch
whose step hook throws: the files are left as a kill -9 leaves them, minus the lock folders.
*/
import fs from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {writeAuthFile} from '../../source/credentials/auth-file.js';
import {withFileLock} from '../../source/credentials/file-lock.js';
import {createAuthStore} from '../../source/credentials/store.js';
import {settlePending} from '../../source/profiles/journal.js';
import {
	profilesFile,
	readProfiles,
	withProfilesLock,
} from '../../source/profiles/profile-file.js';
import {saveSignIn} from '../../source/profiles/sign-in.js';
import {useProfile} from '../../source/profiles/use.js';
import {anthropic} from '../../source/providers/anthropic.js';
import {openaiCodex} from '../../source/providers/openai-codex.js';
import {makeTempDir} from '../helpers/temp-dir.js';

const HOUR = 3_600_000;
const later = Date.now() + HOUR;

type Entry = Record<string, unknown>;

const entry = (name: string, extra: Entry = {}): Entry => ({
	type: 'oauth',
	access: `access-${name}`,
	refresh: `refresh-${name}`,
	expires: later,
	...extra,
});

/** home active in the credential file, work in the store; with or without account labels. */
const seed = async (labels = true) => {
	const folder = await makeTempDir();
	const file = path.join(folder, 'auth.json');
	const home = entry('home', labels ? {account: 'me@home.example'} : {});
	const work = entry('work', labels ? {account: 'me@work.example'} : {});
	await fs.writeFile(
		file,
		JSON.stringify({anthropic: home, groq: {type: 'api_key', key: 'g'}}),
	);
	await fs.mkdir(path.join(folder, 'pi-auth'));
	await fs.writeFile(
		profilesFile(file),
		JSON.stringify({
			version: 1,
			active: {anthropic: 'home'},
			profiles: {'anthropic:work': work},
			activeAccounts: labels ? {anthropic: {account: 'me@home.example'}} : {},
		}),
	);
	return {file, home, work};
};

const readAuth = async (file: string) =>
	JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, Entry>;

/** A switch that stops at `step`, as a kill there leaves the files. */
const interrupted = async (
	file: string,
	name: string,
	step: string,
): Promise<void> => {
	await expect(
		useProfile(file, anthropic, name, {
			onStep(at) {
				if (at === step) throw new Error(`stopped at ${step}`);
			},
		}),
	).rejects.toThrow(`stopped at ${step}`);
};

/** Where each credential is: name → refresh token, the active one marked. */
const layout = async (file: string) => {
	const auth = await readAuth(file);
	const store = readProfiles(file);
	const names: Record<string, unknown> = {};
	if (auth['anthropic']) {
		names[`${store.active['anthropic'] ?? '?'}*`] =
			auth['anthropic']['refresh'];
	}

	for (const [key, value] of Object.entries(store.profiles)) {
		names[key.split(':')[1] ?? '?'] = value['refresh'];
	}

	return {names, pending: store.pending, groq: auth['groq']};
};

/** pi's own write: in place (same inode), its entry without the fields pi does not produce. */
const piWrites = async (file: string, value: Entry | undefined) => {
	const auth = await readAuth(file);
	if (value) auth['anthropic'] = value;
	else delete auth['anthropic'];
	await fs.writeFile(file, JSON.stringify(auth, null, 2));
};

describe('the journal: a switch interrupted at any step is finished by the next command', () => {
	for (const [step, active] of [
		['locked', 'home'],
		['journal', 'work'],
		['credential-file', 'work'],
		['committed', 'work'],
	] as const) {
		it(`interrupted after "${step}"`, async () => {
			const {file} = await seed();
			await interrupted(file, 'work', step);
			await settlePending(file);
			const other = active === 'home' ? 'work' : 'home';
			expect(await layout(file)).toEqual({
				names: {
					[`${active}*`]: `refresh-${active}`,
					[other]: `refresh-${other}`,
				},
				pending: undefined,
				groq: {type: 'api_key', key: 'g'},
			});
		});
	}

	it('pi refreshed the entry in place after the journal: the refreshed one is filed, not the copy', async () => {
		// No account labels anywhere: only the file's inode can tell.
		const {file} = await seed(false);
		await interrupted(file, 'work', 'journal');
		await piWrites(file, entry('home-rotated'));
		await settlePending(file);
		expect((await layout(file)).names).toEqual({
			'work*': 'refresh-work',
			home: 'refresh-home-rotated',
		});
	});

	it('pi refreshed the switched-in entry in place after the credential file was written', async () => {
		const {file} = await seed(false);
		await interrupted(file, 'work', 'credential-file');
		await piWrites(file, entry('work-rotated'));
		await settlePending(file);
		expect((await layout(file)).names).toEqual({
			'work*': 'refresh-work-rotated',
			home: 'refresh-home',
		});
	});

	it("pi signed another account in over the entry after the journal: nobody's credential is lost or misnamed", async () => {
		const {file} = await seed();
		await interrupted(file, 'work', 'journal');
		await piWrites(file, entry('stranger', {account: 'someone@else.example'}));
		await settlePending(file);
		const {names} = await layout(file);
		expect(names).toEqual({
			'work*': 'refresh-work',
			home: 'refresh-home',
			someone: 'refresh-stranger',
		});
	});

	it('pi signed out of the entry after the journal: the switch completes, nothing comes back', async () => {
		const {file} = await seed(false);
		await interrupted(file, 'work', 'journal');
		await piWrites(file, undefined);
		await settlePending(file);
		expect((await layout(file)).names).toEqual({'work*': 'refresh-work'});
	});

	it('a store created before the crash finishes the journal before it writes the file', async () => {
		const {file} = await seed(false);
		const store = createAuthStore({file});
		await interrupted(file, 'work', 'journal');
		// A long-running process (the panel) refreshes the active entry: an atomic write of a token
		// rotated from whatever the entry holds when it is read under the lock.
		await store.getState().update(current => {
			const active = current['anthropic'] as Entry;
			return {
				data: {
					...current,
					anthropic: {
						...active,
						refresh: `${String(active['refresh'])}-rotated`,
					},
				},
				result: undefined,
			};
		});
		await settlePending(file);
		// The journal was finished first: work came in, and the refresh rotated work's token.
		expect((await layout(file)).names).toEqual({
			'work*': 'refresh-work-rotated',
			home: 'refresh-home',
		});
	});
});

describe('one copy of every refresh token', () => {
	it('the active credential is never in the store, whatever sequence of switches and sign-ins', async () => {
		const {file} = await seed();
		const all = async () => {
			const auth = await readAuth(file);
			const store = readProfiles(file);
			return [
				auth['anthropic']?.['refresh'],
				...Object.values(store.profiles).map(value => value['refresh']),
			].filter(Boolean);
		};

		await useProfile(file, anthropic, 'work');
		await useProfile(file, anthropic, 'home');
		await saveSignIn(
			file,
			anthropic,
			entry('third', {account: 'third@x.example'}) as never,
			{
				profile: 'third',
			},
		);
		await useProfile(file, anthropic, 'third');
		// The same account as home, signed in again: home is updated, not duplicated.
		await saveSignIn(
			file,
			anthropic,
			entry('home-again', {account: 'ME@home.example'}) as never,
		);
		const tokens = await all();
		expect(tokens.sort()).toEqual([
			'refresh-home-again',
			'refresh-third',
			'refresh-work',
		]);
		expect((await layout(file)).names).toEqual({
			'third*': 'refresh-third',
			home: 'refresh-home-again',
			work: 'refresh-work',
		});
	});
});

describe('adding an account a profile already holds', () => {
	it('updates that profile and says so, active or not', async () => {
		const {file} = await seed();
		// home is active, work inactive: "Add another account" signs in to each again.
		const again = await saveSignIn(
			file,
			anthropic,
			entry('home-2', {account: 'me@home.example'}) as never,
			{adding: true},
		);
		expect(again).toMatchObject({
			profile: 'home',
			active: true,
			matched: {},
		});
		const work = await saveSignIn(
			file,
			anthropic,
			entry('work-2', {account: 'me@work.example'}) as never,
			{adding: true},
		);
		expect(work).toMatchObject({profile: 'work', active: false, matched: {}});
		// Replacing the active account on purpose is no news.
		const replaced = await saveSignIn(
			file,
			anthropic,
			entry('home-3', {account: 'me@home.example'}) as never,
		);
		expect(replaced.matched).toBeUndefined();
	});
});

describe('lock order: the credential file first, then the profile store', () => {
	it('a switch waiting for the credential file holds no lock on the profile store', async () => {
		const {file} = await seed();
		let storeWasFree = false;
		let waiting: Promise<unknown> | undefined;
		await withFileLock(file, async () => {
			await new Promise<void>(resolve => {
				waiting = useProfile(file, anthropic, 'work', {
					lock: {
						waitMs: 10_000,
						onWait(busy) {
							if (busy === file) resolve();
						},
					},
				});
			});
			// It is queued on the credential file's lock: the store's lock must be free.
			await withProfilesLock(
				file,
				async () => {
					storeWasFree = true;
				},
				{waitMs: 0},
			);
		});
		await waiting;
		expect(storeWasFree).toBe(true);
		expect((await layout(file)).names['work*']).toBe('refresh-work');
	});

	it('refreshing an inactive profile never needs the credential file or its lock', async () => {
		const {file, work} = await seed();
		const {refreshProfile} =
			await import('../../source/profiles/refresh-profile.js');
		const store = createAuthStore({file, lock: {waitMs: 0}});
		await store.getState().reload();
		const before = await fs.readFile(file, 'utf8');
		const fetch = (async () =>
			Response.json({
				access_token: 'access-work-2',
				refresh_token: 'refresh-work-2',
				expires_in: 3600,
			})) as unknown as typeof globalThis.fetch;
		// Someone holds the credential file's lock throughout: the refresh must not wait for it.
		const outcome = await withFileLock(file, async () =>
			refreshProfile(
				{store, config: {providers: {}}, fetch, now: Date.now},
				anthropic,
				'work',
				{force: true},
			),
		);
		expect(outcome.refreshed).toBe(true);
		expect(readProfiles(file).profiles['anthropic:work']).toMatchObject({
			...work,
			expires: expect.any(Number) as number,
			access: 'access-work-2',
			refresh: 'refresh-work-2',
		});
		expect(await fs.readFile(file, 'utf8')).toBe(before);
	});
});

describe('another program replaces the active entry with another account', () => {
	it('is shown as such and filed under a name of its own, never under the old name', async () => {
		const folder = await makeTempDir();
		const file = path.join(folder, 'auth.json');
		const codex = (id: string, email: string) => ({
			...entry(id),
			accountId: id,
			account: email,
		});
		await writeAuthFile(file, {});
		await saveSignIn(file, openaiCodex, codex('ws-a', 'a@x.example') as never);
		await saveSignIn(file, openaiCodex, codex('ws-b', 'b@x.example') as never, {
			profile: 'b',
		});
		// pi's /login: its own entry shape, a different workspace, no pi-auth label.
		const auth = await readAuth(file);
		auth['openai-codex'] = {
			type: 'oauth',
			access: 'access-pi',
			refresh: 'refresh-pi',
			expires: later,
			accountId: 'ws-c',
		};
		await fs.writeFile(file, JSON.stringify(auth));
		const {listAll} = await import('../../source/profiles/view.js');
		const views = listAll(
			await readAuth(file),
			readProfiles(file),
			{},
			Date.now(),
		);
		expect(
			views.map(view => [view.profile, view.active, view.replaced]),
		).toEqual([
			['b', false, undefined],
			['ws-c', true, {profile: 'default', account: 'a@x.example'}],
		]);
		const result = await useProfile(file, openaiCodex, 'b');
		expect(result).toMatchObject({keptAs: 'ws-c', replacedProfile: 'default'});
		const store = readProfiles(file);
		expect(Object.keys(store.profiles)).toEqual(['openai-codex:ws-c']);
		expect(store.profiles['openai-codex:ws-c']?.['refresh']).toBe('refresh-pi');
		expect(store.active).toEqual({'openai-codex': 'b'});
		expect((await readAuth(file))['openai-codex']?.['accountId']).toBe('ws-b');
		await expect(useProfile(file, openaiCodex, 'default')).rejects.toThrow(
			/has no profile "default"/,
		);
	});
});
