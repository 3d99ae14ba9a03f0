import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { RunEvent } from '../engine/events.js';
import type { Action } from '../plan/change.js';
import { ProgressHub } from './progress-hub.js';

export interface ViewStep {
  readonly id: string;
  readonly phase: string;
  readonly describe: string;
  readonly action: Action;
}

export interface ViewHost {
  readonly host: string;
  readonly target?: string;
  readonly steps: readonly ViewStep[];
  /** The host failed before its steps (connection, lock): shown as a failed host. */
  readonly problem?: string;
}

export interface ViewOptions {
  /** Show remote output lines under the running step. */
  readonly verbose: boolean;
  readonly concurrency: number;
  /** `simple` when not a terminal or in CI; `test` and `silent` for tests. */
  readonly renderer: 'default' | 'simple' | 'test' | 'silent';
  /** Where the tree is drawn (stdout, or stderr when stdout carries --json). */
  readonly stream?: NodeJS.WritableStream;
}

export interface ApplyView {
  /** Feed every engine event here. */
  readonly publish: (event: RunEvent) => void;
  /** Draws until every host is done. Never rejects: failures are the engine's to report. */
  readonly run: () => Promise<void>;
  /** Release the view if the engine stopped without finishing its events. */
  readonly abort: (error: unknown) => void;
}

class ViewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ViewError';
  }
}

const RESULT_LABEL = { changed: 'changed', unchanged: 'unchanged' } as const;

function stepTask(host: ViewHost, step: ViewStep, hub: ProgressHub, options: ViewOptions): ListrTask {
  return {
    title: `${step.action} ${step.id}  ${step.describe}`,
    task: async (_ctx, task) => {
      const show = (line: string): void => void (task.output = line);
      const done = await hub.step(host.host, step.id, options.verbose ? show : undefined, show);
      if (done.result === 'failed') {
        const e = done.error;
        throw new ViewError(e?.command ? `${e.stage ?? 'command'} failed (exit ${e.exitCode ?? '?'}): ${e.command}` : (e?.message ?? 'failed'));
      }
      if (done.result === 'not-run') {
        task.skip(done.reason ?? 'not run');
        return;
      }
      task.title = `${done.result === 'unchanged' ? '=' : step.action} ${step.id}  ${step.describe}  [${RESULT_LABEL[done.result]}]`;
    },
    // Without --verbose only what a step waits for is shown (one line, gone when it is done).
    rendererOptions: { persistentOutput: options.verbose, outputBar: options.verbose ? 3 : 1 },
  } as ListrTask;
}

function hostTask(host: ViewHost, hub: ProgressHub, options: ViewOptions): ListrTask {
  const title = `${host.host}${host.target ? `  ${host.target}` : ''}`;
  return {
    title,
    task: async (_ctx, task) => {
      if (host.problem !== undefined) throw new ViewError(host.problem);
      const phases = [...new Set(host.steps.map((s) => s.phase))];
      const changes = host.steps.filter((s) => s.action !== '=').length;
      task.title = `${title}  (${changes} to change, ${host.steps.length - changes} unchanged)`;
      // The last line of a host: its audit line and the release of its lock, then the totals.
      const finish = {
        title: 'audit.log and lock release',
        task: async (_c: unknown, finishTask: { title: string; skip: (m: string) => void }) => {
          const done = await hub.hostDone(host.host);
          task.title = `${title}  (${done.changed} changed, ${done.unchanged} unchanged${done.result === 'aborted' ? ', stopped' : ''})`;
          if (done.warning) throw new ViewError(done.warning);
          finishTask.title = 'audit.log written, lock released';
        },
      };
      return task.newListr(
        [
          ...phases.map((phase) => ({
            title: phase,
            task: (_c: unknown, phaseTask: { newListr: (tasks: ListrTask[], options: object) => unknown }) =>
              phaseTask.newListr(
                host.steps.filter((s) => s.phase === phase).map((s) => stepTask(host, s, hub, options)),
                { concurrent: false, exitOnError: true },
              ),
          })),
          finish,
        ] as ListrTask[],
        { concurrent: false, exitOnError: true },
      );
    },
  } as ListrTask;
}

/** The live tree host → phase → step: hosts side by side (up to the cap), steps in order. */
export function createApplyView(hosts: readonly ViewHost[], options: ViewOptions): ApplyView {
  const hub = new ProgressHub();
  // ProcessOutput is typed for terminals; any writable works (tests pass a PassThrough).
  const stream = (options.stream ?? process.stdout) as NodeJS.WriteStream;
  const logger = new ListrLogger({ processOutput: new ProcessOutput(stream, stream) });
  const list = new Listr(
    hosts.map((h) => hostTask(h, hub, options)),
    {
      concurrent: Math.max(1, options.concurrency),
      exitOnError: false,
      registerSignalListeners: false,
      renderer: options.renderer,
      // The choice of simple vs default is made by the caller (terminal, CI), not by listr2.
      fallbackRendererCondition: false,
      rendererOptions: {
        logger,
        collapseSubtasks: false,
        collapseErrors: false,
        showErrorMessage: true,
        collapseSkips: false,
        suffixSkips: true,
        showSkipMessage: true,
        formatOutput: 'truncate',
      },
    } as never,
  );
  return {
    publish: (event) => hub.publish(event),
    run: async () => {
      try {
        await list.run();
      } catch {
        // Errors are shown in the tree; the flow prints the full failure report afterwards.
      }
    },
    abort: (error) => hub.fail(error),
  };
}
