/*
Sign in with ChatGPT names the installation with `ext_agent_host_id=urn:uuid:<device id>`, a UUID
generated once and kept (docs/providers.md "Sign in with ChatGPT"; pi keeps its own in settings.json).
pi-auth keeps it in its state folder (docs/contract.md): `<dir of the credential file>/pi-auth/`
(0700), file `device-id` (0600).
*/
import {PiAuthError} from '../errors.js';

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
export const DEVICE_ID_FILE = 'device-id';

const fileError = (file: string, cause: unknown) =>
	new PiAuthError(
		'file-io',
		`Could not keep this installation's device id in ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'}). Check that the folder is writable, then try again.`,
		{cause},
	);

/**
The stored device id, created on first use. Two sign-ins starting at once agree on one id: the new
id is written whole to a temporary file and linked into place, which fails if another process got
there first (then its id is read). A file that holds no UUID is replaced.
*/
export const loadDeviceId = async (stateDir: string): Promise<string> => {
	// Loaded on use: the adapters are imported by every command, `token` included.
	const fs = await import('node:fs/promises');
	const path = await import('node:path');
	const file = path.join(stateDir, DEVICE_ID_FILE);
	const read = async () => {
		try {
			const text = (await fs.readFile(file, 'utf8')).trim();
			return UUID.test(text) ? text.toLowerCase() : undefined;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
			throw fileError(file, error);
		}
	};

	const existing = await read();
	if (existing) return existing;
	const id = globalThis.crypto.randomUUID();
	const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
	try {
		await fs.mkdir(stateDir, {recursive: true, mode: 0o700});
		await fs.writeFile(temporary, `${id}\n`, {mode: 0o600, flag: 'wx'});
		try {
			await fs.link(temporary, file);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const winner = await read();
			if (winner) return winner;
			// Whatever is there is not a device id: replace it.
			await fs.rename(temporary, file);
			return id;
		}
	} catch (error) {
		if (error instanceof PiAuthError) throw error;
		throw fileError(file, error);
	} finally {
		await fs.rm(temporary, {force: true}).catch(() => undefined);
	}

	return id;
};
