import {describe, expect, it} from 'vitest';
import {findProvider} from '../../source/providers/registry.js';
import {
	type WizardState,
	currentStep,
	initialWizardState,
	wizardReducer,
} from '../../source/ui/wizard/wizard-state.js';

const codex = findProvider('openai-codex')!;

const success: WizardState = {
	history: [
		{kind: 'provider'},
		{
			kind: 'success',
			summary: {provider: codex, method: 'device', expires: 1, file: '/f'},
		},
	],
};

describe('the wizard reducer', () => {
	it('decides plain keys from the current step, so a key pressed as a screen appears counts', () => {
		expect(wizardReducer(success, {type: 'key', enter: false}).exit).toBe(0);
		const again = wizardReducer(success, {type: 'key', enter: true});
		expect(again.exit).toBeUndefined();
		expect(currentStep(again)).toEqual({kind: 'provider'});

		const browsing = initialWizardState({provider: codex, method: 'oauth'});
		const failed = wizardReducer(browsing, {
			type: 'failed',
			message: 'HTTP 500',
		});
		expect(currentStep(failed).kind).toBe('error');
		expect(wizardReducer(failed, {type: 'key', enter: false})).toBe(failed);
		expect(
			currentStep(wizardReducer(failed, {type: 'key', enter: true})),
		).toEqual({
			kind: 'browser',
			provider: codex,
			attempt: 1,
		});
		// Elsewhere a plain key belongs to the step's own input.
		expect(wizardReducer(browsing, {type: 'key', enter: true})).toBe(browsing);
	});

	it('leaves the success screen with 0 even on Ctrl+C: the sign-in is saved', () => {
		expect(wizardReducer(success, {type: 'quit', code: 130}).exit).toBe(0);
		expect(
			wizardReducer(initialWizardState(), {type: 'quit', code: 130}).exit,
		).toBe(130);
	});
});
