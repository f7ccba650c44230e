/** The only colours the UI uses (house-style.md): one place to change them. */
export const theme = {
	accent: 'cyan',
	muted: 'gray',
	error: 'red',
	success: 'green',
	warning: 'yellow',
} as const;
