import { describe, expect, it } from 'vitest';
import { WizardError } from '../../src/errors.js';
import { parsePhases, PHASES } from '../../src/steps/phases.js';

describe('parsePhases()', () => {
  it('keeps DESIGN order whatever the order given', () => {
    expect(PHASES).toEqual(['provision', 'dns', 'harden', 'vpn', 'deploy', 'smoke']);
    expect(parsePhases('smoke,deploy')).toEqual(['deploy', 'smoke']);
    expect(parsePhases(undefined)).toEqual([...PHASES]);
  });

  it('rejects unknown phases as a usage error that lists the valid ones', () => {
    let error: unknown;
    try {
      parsePhases('deploy,hardening');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WizardError);
    expect((error as WizardError).code).toBe('usage');
    expect((error as WizardError).message).toBe("--only: unknown phase 'hardening'");
    expect((error as WizardError).hint).toBe('valid phases, in run order: provision, dns, harden, vpn, deploy, smoke');
    expect(() => parsePhases(' , ')).toThrow(/at least one phase/);
  });
});
