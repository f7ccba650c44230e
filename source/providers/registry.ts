import {anthropic} from './anthropic.js';
import {githubCopilot} from './github-copilot.js';
import {kimiCoding} from './kimi-coding.js';
import {meta} from './meta.js';
import {openai} from './openai.js';
import {openaiCodex} from './openai-codex.js';
import {openrouter} from './openrouter.js';
import {radius} from './radius.js';
import type {Provider} from './types.js';
import {xai} from './xai.js';

/** Adding a provider: one file beside this one and one line here. */
export const providers: readonly Provider[] = [
	anthropic,
	openaiCodex,
	githubCopilot,
	openai,
	xai,
	kimiCoding,
	openrouter,
	meta,
	radius,
];

export const providerIds = providers.map(provider => provider.id);

export const findProvider = (id: string): Provider | undefined =>
	providers.find(provider => provider.id === id);
