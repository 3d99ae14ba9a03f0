import { WizardError } from '../errors.js';

/** The options plan, apply and status share, as commander hands them over. */
export interface EngineOptions {
  readonly host?: string;
  readonly only?: string;
  readonly acceptNewHostKeys: boolean;
  readonly concurrency: number;
}

export const DEFAULT_CONCURRENCY = 5;

export function engineOptions(raw: Record<string, unknown>): EngineOptions {
  const concurrency = raw['concurrency'] === undefined ? DEFAULT_CONCURRENCY : Number(raw['concurrency']);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new WizardError('usage', `--concurrency must be a whole number from 1 to 64, not '${String(raw['concurrency'])}'`, 'it caps how many hosts run at the same time (default 5)');
  }
  return {
    ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}),
    ...(typeof raw['only'] === 'string' ? { only: raw['only'] } : {}),
    acceptNewHostKeys: raw['acceptNewHostKeys'] === true,
    concurrency,
  };
}
