import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
Where Chromium and Chrome are usually installed, most wanted first. On Debian the real binary
comes before the /usr/bin wrapper, which prints noise on every start.
*/
export const browserCandidates = (
	platform: NodeJS.Platform = process.platform,
	home = os.homedir(),
): string[] =>
	platform === 'darwin'
		? [
				'/Applications/Chromium.app/Contents/MacOS/Chromium',
				'/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
				path.join(home, 'Applications/Chromium.app/Contents/MacOS/Chromium'),
				path.join(
					home,
					'Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
				),
			]
		: [
				'/usr/lib/chromium/chromium',
				'/usr/bin/chromium',
				'/usr/bin/chromium-browser',
				'/usr/bin/google-chrome',
				'/usr/bin/google-chrome-stable',
				'/opt/google/chrome/chrome',
				'/snap/bin/chromium',
			];

const isExecutableFile = (file: string): boolean => {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
};

export const NOT_FOUND =
	'npm run test:browser needs Chromium or Chrome and found neither: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to its binary.';

/**
The browser for the real-browser suite: `CHROMIUM_PATH` when set, else the first usual place that
holds one. Throws a one-line Error naming what to install (or what is wrong with `CHROMIUM_PATH`):
the suite fails rather than skips when there is no browser.
*/
export const findBrowser = ({
	env = process.env,
	candidates = browserCandidates(),
	isExecutable = isExecutableFile,
}: {
	env?: NodeJS.ProcessEnv;
	candidates?: readonly string[];
	isExecutable?: (file: string) => boolean;
} = {}): string => {
	const chosen = env['CHROMIUM_PATH'];
	if (chosen) {
		if (isExecutable(chosen)) return chosen;
		throw new Error(
			`CHROMIUM_PATH=${chosen} is not an executable file: point it at a Chromium or Chrome binary, or unset it.`,
		);
	}

	const found = candidates.find(file => isExecutable(file));
	if (found === undefined) throw new Error(NOT_FOUND);
	return found;
};
