import {expect} from 'vitest';
import {PiAuthError} from '../../source/errors.js';

/** The PiAuthError a promise fails with (the test fails if it succeeds or fails otherwise). */
export const failure = async (
	promise: Promise<unknown>,
): Promise<PiAuthError> => {
	const error = await promise.then(
		() => new Error('expected a failure'),
		(error: unknown) => error,
	);
	expect(error).toBeInstanceOf(PiAuthError);
	return error as PiAuthError;
};
