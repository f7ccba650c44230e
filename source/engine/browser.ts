/**
Headless: an SSH session, CI, or Linux without a display. There the browser is never opened and
the URL is the way in (landscape.md: logins that hang over SSH are the most common complaint).
*/
export const isHeadless = (
	env: NodeJS.ProcessEnv,
	platform: NodeJS.Platform = process.platform,
): boolean =>
	Boolean(env['SSH_CONNECTION'] ?? env['SSH_CLIENT'] ?? env['SSH_TTY']) ||
	(env['CI'] !== undefined && env['CI'] !== '0' && env['CI'] !== 'false') ||
	(platform === 'linux' && !env['DISPLAY'] && !env['WAYLAND_DISPLAY']);

export const isSsh = (env: NodeJS.ProcessEnv): boolean =>
	Boolean(env['SSH_CONNECTION'] ?? env['SSH_CLIENT'] ?? env['SSH_TTY']);

/** Opens the URL with the `open` package; failures are silent because the URL is always printed. */
export const openBrowser = async (url: string): Promise<boolean> => {
	try {
		const {default: open} = await import('open');
		const child = await open(url, {wait: false});
		child.on('error', () => undefined);
		child.unref();
		return true;
	} catch {
		return false;
	}
};
