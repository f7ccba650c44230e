export const helpText = `
	Usage
	  $ pi-auth                                  guided sign-in (in a terminal)
	  $ pi-auth login [provider] [--method M]    sign in (wizard in a terminal, scripted otherwise)
	  $ pi-auth status [--json] [--usage] [--check]   live panel in a terminal, one snapshot otherwise
	  $ pi-auth status --line [--max-age 60s] [--format T]   one line for a prompt or status bar
	  $ pi-auth token <provider> [--min-validity 10m]
	  $ pi-auth refresh [provider…] [--force]
	  $ pi-auth logout <provider…> | --all

	Providers
	  anthropic        Anthropic (Claude Pro/Max)       oauth, setup-token, api-key
	  openai-codex     OpenAI Codex (ChatGPT Plus/Pro)  oauth, device
	  github-copilot   GitHub Copilot                   device
	  openai           OpenAI (Sign in with ChatGPT)    oauth, api-key
	  xai              xAI (SuperGrok / X Premium)      device, api-key
	  kimi-coding      Kimi Code                        device, api-key
	  openrouter       OpenRouter                       oauth, api-key
	  meta             Meta (Muse)                      device, api-key
	  radius           Radius (pi's gateway)            oauth, device, api-key

	Options
	  --auth-file PATH     credential file (default: $PI_AUTH_FILE, $PI_CODING_AGENT_DIR/auth.json, ~/.pi/agent/auth.json)
	  --config PATH        config file (default: $PI_AUTH_CONFIG, ~/.pi/agent/pi-auth.json)
	  --method M           oauth | device | setup-token | api-key
	  --enterprise HOST    GitHub Enterprise host (github-copilot)
	  --min-validity D     token: refresh first when less than D is left (default 5m)
	  --force              refresh: even when the token is still valid
	  --all                logout: every stored entry
	  --check              status: exit 0 all valid, 1 expired/needs login/none, 2 expiring soon
	  --usage              status: also fetch subscription usage (5h/7d windows, quotas)
	  --line               status: one line from the usage cache (no network unless --max-age)
	  --max-age D          status: fetch usage older than D first (shared with every other process)
	  --format T           status --line: a template per window: {provider} {label} {used} {left} {resets} {state}
	  --usage-over N       status --check: exit 3 when a usage window is at or above N %
	  --no-notify          status panel: no bell or desktop notification at 80 %, 95 %, resets, sign-ins
	  --json               machine-readable output on stdout
	  --no-browser         never open a browser (also automatic over SSH, in CI, without a display)
	  --help, --version

	Secrets are read from standard input, never from arguments.

	Examples
	  $ pi-auth login anthropic --method setup-token < token.txt
	  $ pi-auth login openai-codex --method device
	  $ pi-auth status --json
	  $ curl -H "Authorization: Bearer $(pi-auth token anthropic)" …
	  $ pi-auth status --check || pi-auth refresh
	  $ pi-auth status --line --max-age 60s        (tmux: set -g status-right '#(pi-auth status --line --max-age 60s)')

	Exit codes: 0 success · 1 failure (the message says what to do) · 2 usage error · 3 a usage window over --usage-over
`;
