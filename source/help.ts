export const helpText = `
	Usage
	  $ pi-auth                                  guided sign-in (in a terminal)
	  $ pi-auth login [provider] [--method M] [--profile NAME]   sign in (wizard in a terminal, scripted otherwise)
	  $ pi-auth status [target…] [--json] [--usage] [--check]   live panel in a terminal, one snapshot otherwise
	  $ pi-auth token <target> [--min-validity 10m]
	  $ pi-auth refresh [target…] [--force]
	  $ pi-auth logout <target…> | --all
	  $ pi-auth use <provider>:<profile>          make that account the one pi uses
	  $ pi-auth profiles [provider] [--json]      every account, the active ones marked

	A target is a provider (its active account) or <provider>:<profile> (e.g. anthropic:work).

	Providers
	  anthropic        Anthropic (Claude Pro/Max)       oauth, setup-token, api-key
	  openai-codex     OpenAI Codex (ChatGPT Plus/Pro)  oauth, device
	  github-copilot   GitHub Copilot                   device

	Options
	  --auth-file PATH     credential file (default: $PI_AUTH_FILE, $PI_CODING_AGENT_DIR/auth.json, ~/.pi/agent/auth.json)
	  --config PATH        config file (default: $PI_AUTH_CONFIG, ~/.pi/agent/pi-auth.json)
	  --method M           oauth | device | setup-token | api-key
	  --enterprise HOST    GitHub Enterprise host (github-copilot)
	  --profile NAME       login: sign in as this profile (another account of the provider)
	  --min-validity D     token: refresh first when less than D is left (default 5m)
	  --force              refresh: even when the token is still valid
	  --all                logout: every stored entry and profile
	  --check              status: exit 0 all valid, 1 expired/needs login/none, 2 expiring soon
	  --usage              status: also fetch subscription usage (5h/7d windows, quotas)
	  --json               machine-readable output on stdout
	  --no-browser         never open a browser (also automatic over SSH, in CI, without a display)
	  --help, --version

	Secrets are read from standard input, never from arguments.

	Examples
	  $ pi-auth login anthropic --method setup-token < token.txt
	  $ pi-auth login openai-codex --method device
	  $ pi-auth status --json
	  $ pi-auth login anthropic --method oauth --profile work
	  $ pi-auth use anthropic:work
	  $ curl -H "Authorization: Bearer $(pi-auth token anthropic:personal)" …
	  $ pi-auth status --check || pi-auth refresh

	Exit codes: 0 success · 1 failure (the message says what to do) · 2 usage error
`;
