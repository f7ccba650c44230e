/*
pi's footer shows pi-auth's status line: copy this file to ~/.pi/agent/extensions/ (pi loads
TypeScript extensions as they are). Every minute it runs `pi-auth status --line --max-age 60s`,
which reads the usage cache every pi-auth process shares and asks a provider at most once a minute
however many pi sessions run. The real pi loads this very file in test/interop/pi-footer.test.ts.
*/
import {execFile} from 'node:child_process';
import type {ExtensionAPI} from '@earendil-works/pi-coding-agent';

const EVERY_MS = 60_000;

export default function piAuthUsage(pi: ExtensionAPI) {
	let timer: NodeJS.Timeout | undefined;
	pi.on('session_start', async (_event, ctx) => {
		const show = () => {
			execFile(
				'pi-auth',
				['status', '--line', '--max-age', '60s'],
				{timeout: 20_000},
				(error, stdout) => {
					// No pi-auth, or it failed: the footer shows nothing rather than an error.
					ctx.ui.setStatus('pi-auth', error ? undefined : stdout.trim());
				},
			);
		};

		clearInterval(timer);
		show();
		timer = setInterval(show, EVERY_MS);
		timer.unref();
	});
	pi.on('session_shutdown', async () => {
		clearInterval(timer);
	});
}
