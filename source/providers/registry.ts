import {anthropic} from './anthropic.js';
import {githubCopilot} from './github-copilot.js';
import {openaiCodex} from './openai-codex.js';
import type {Provider} from './types.js';

/** Adding a provider: one file beside this one and one line here. */
export const providers: readonly Provider[] = [
	anthropic,
	openaiCodex,
	githubCopilot,
];

export const providerIds = providers.map(provider => provider.id);

export const findProvider = (id: string): Provider | undefined =>
	providers.find(provider => provider.id === id);
