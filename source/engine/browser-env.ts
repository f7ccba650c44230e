/*
The environment a browser command gets. pi-auth's own environment holds what a browser has no use
for and must not see: API keys (ANTHROPIC_API_KEY, COPILOT_GITHUB_TOKEN, …), tokens, PI_AUTH_*
settings. A browser gets only what it needs to find the display and the desktop, speak the user's
language, reach the network, and open the page: an allowlist, so a new secret never slips through.
*/
const NAMES = new Set([
	// Finding programs and the user's files.
	'PATH',
	'HOME',
	'USER',
	'LOGNAME',
	'SHELL',
	'TMPDIR',
	'TEMP',
	'TMP',
	// Text browsers draw in the terminal.
	'TERM',
	'COLORTERM',
	// Language and time.
	'LANG',
	'LANGUAGE',
	'TZ',
	// The display and the desktop session (xdg-open picks its opener from these).
	'DISPLAY',
	'WAYLAND_DISPLAY',
	'XAUTHORITY',
	'DBUS_SESSION_BUS_ADDRESS',
	'DESKTOP_SESSION',
	'GNOME_DESKTOP_SESSION_ID',
	'KDE_FULL_SESSION',
	'KDE_SESSION_VERSION',
	'MATE_DESKTOP_SESSION_ID',
	'BROWSER',
	// WSL hands URLs to Windows through these.
	'WSL_DISTRO_NAME',
	'WSL_INTEROP',
	// Windows (names compare upper-cased: Windows spells them SystemRoot, Path, …).
	'SYSTEMROOT',
	'WINDIR',
	'COMSPEC',
	'PATHEXT',
	'USERPROFILE',
	'APPDATA',
	'LOCALAPPDATA',
	'PROGRAMFILES',
	'PROGRAMFILES(X86)',
	'PROGRAMDATA',
	// A page behind a company proxy loads only through it (text browsers read these).
	'HTTP_PROXY',
	'HTTPS_PROXY',
	'ALL_PROXY',
	'NO_PROXY',
]);
const PREFIXES = ['LC_', 'XDG_'];

/** The part of `env` a browser command may see (see above). */
export const browserEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
	const kept: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(env)) {
		const upper = name.toUpperCase();
		if (
			value !== undefined &&
			(NAMES.has(upper) || PREFIXES.some(prefix => upper.startsWith(prefix)))
		) {
			kept[name] = value;
		}
	}

	return kept;
};
