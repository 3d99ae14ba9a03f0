import type { Step } from '../plan/step.js';

export interface DirectorySpec {
  readonly id: string;
  readonly describe: string;
  readonly host: string;
  readonly path: string;
  /** Four octal digits: '0750'. */
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
}

/** A folder with an explicit mode and owner, as a step of its own: the probe compares them, install -d fixes them. */
export function directoryStep(spec: DirectorySpec): Step {
  return {
    id: spec.id,
    describe: spec.describe,
    host: spec.host,
    check: null,
    dirs: [{ path: spec.path, mode: spec.mode, owner: `${spec.owner}:${spec.group}` }],
    apply: [],
    risk: 'safe',
  };
}
