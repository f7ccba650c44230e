import {expect} from 'vitest';
import {PiAuthError} from '../../source/errors.js';

/** The PiAuthError a promise rejects with (the test fails if it resolves or rejects otherwise). */
export const rejection = async (
	promise: Promise<unknown>,
): Promise<PiAuthError> => {
	const error = await promise.then(
		() => new Error('expected a rejection'),
		(error: unknown) => error,
	);
	expect(error).toBeInstanceOf(PiAuthError);
	return error as PiAuthError;
};
