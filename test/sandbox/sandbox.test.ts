import {describe, expect, it} from 'vitest';
import {parseConfig} from '../../source/config.js';
import {findProvider} from '../../source/providers/registry.js';
import {startSandbox} from '../../source/sandbox/sandbox.js';
import {canConnect} from '../oauth/local-server.js';
import {track} from './requests.js';

describe('startSandbox', () => {
	it('gives a config pi-auth accepts, naming every endpoint of every provider', async () => {
		const sandbox = track(await startSandbox());
		const config = parseConfig(JSON.stringify(sandbox.config), 'sandbox.json');
		for (const [id, entry] of Object.entries(config.providers)) {
			const provider = findProvider(id);
			expect(Object.keys(entry.endpoints).sort()).toEqual(
				[...provider!.endpointNames].sort(),
			);
			expect(entry.callbackPort).toBe(0);
			for (const url of Object.values(entry.endpoints)) {
				// Radius's `gateway` is a base URL (its paths derive from it), the others full URLs.
				expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+(?:\/|$)/);
			}
		}

		expect(Object.keys(config.providers).sort()).toEqual([
			'anthropic',
			'github-copilot',
			'kimi-coding',
			'meta',
			'openai',
			'openai-codex',
			'openrouter',
			'radius',
			'xai',
		]);
		expect(sandbox.config.providers.anthropic.endpoints['token']).toBe(
			sandbox.anthropic.endpoints.token,
		);
	});

	it('shares one clock among the fakes and closes all nine', async () => {
		let time = Date.UTC(2026, 0, 1);
		const sandbox = await startSandbox({now: () => time});
		const {access} = sandbox.anthropic.issueGrant();
		time += 9 * 3_600_000;
		const answer = await fetch(sandbox.anthropic.endpoints.usage, {
			headers: {
				authorization: `Bearer ${access}`,
				'anthropic-beta': 'oauth-2025-04-20',
			},
		});
		expect(answer.status).toBe(401);
		const ports = [
			sandbox.anthropic,
			sandbox.codex,
			sandbox.github,
			sandbox.chatgpt,
			sandbox.xai,
			sandbox.kimi,
			sandbox.openrouter,
			sandbox.meta,
			sandbox.radius,
		].map(fake => Number(new URL(fake.origin).port));
		await sandbox.close();
		for (const port of ports) expect(await canConnect(port)).toBe(false);
	});
});
