import type { Step } from '../plan/step.js';
import { outputEquals } from '../shell/script.js';

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

/** A folder with an explicit mode and owner: converged when `stat` says exactly that. */
export function directoryStep(spec: DirectorySpec): Step {
  const bits = Number.parseInt(spec.mode, 8).toString(8);
  return {
    id: spec.id,
    describe: spec.describe,
    host: spec.host,
    check: { argv: outputEquals(['stat', '-c', '%F %a %U:%G', '--', spec.path], `directory ${bits} ${spec.owner}:${spec.group}`) },
    apply: [{ argv: ['install', '-d', '-m', spec.mode, '-o', spec.owner, '-g', spec.group, '--', spec.path] }],
    risk: 'safe',
    effect: 'create',
  };
}
