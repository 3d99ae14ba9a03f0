import { WizardError } from '../../src/errors.js';

/** The WizardError a promise rejects with; a promise that resolves (or rejects with anything else) fails the test. */
export async function failure(promise: Promise<unknown>): Promise<WizardError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    if (error instanceof WizardError) return error;
    throw new Error(`expected a WizardError, got: ${error instanceof Error ? error.stack : String(error)}`);
  }
  throw new Error(`expected a failure, but it succeeded with ${String(outcome)}`);
}
