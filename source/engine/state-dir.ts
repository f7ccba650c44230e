import path from 'node:path';

/** docs/contract.md: pi-auth's own state lives in `<dir of the credential file>/pi-auth/`. */
export const stateDirFor = (authFile: string): string =>
	path.join(path.dirname(authFile), 'pi-auth');
