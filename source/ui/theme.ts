/** The only colours the UI uses (docs/architecture.md "House style"): one place to change them. */
export const theme = {
	accent: 'cyan',
	muted: 'gray',
	error: 'red',
	success: 'green',
	warning: 'yellow',
} as const;
