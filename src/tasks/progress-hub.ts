import type { RunEvent } from '../engine/events.js';

type StepDone = Extract<RunEvent, { type: 'step-done' }>;
type HostDone = Extract<RunEvent, { type: 'host-done' }>;

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A view that never asks for a slot must not turn its rejection into an unhandled one.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface StepSlot {
  readonly done: Deferred<StepDone>;
  output: ((line: string) => void) | undefined;
  lastLine: string | undefined;
  progress: ((message: string) => void) | undefined;
  lastProgress: string | undefined;
}

/**
 * Hands engine events to the view's tasks. The engine drives the run; each listr2 task waits
 * here for the outcome of its own step, whichever side gets there first.
 */
export class ProgressHub {
  private readonly steps = new Map<string, StepSlot>();
  private readonly hosts = new Map<string, Deferred<HostDone>>();

  private slot(host: string, step: string): StepSlot {
    const key = `${host}\u0000${step}`;
    let slot = this.steps.get(key);
    if (!slot) {
      slot = { done: deferred<StepDone>(), output: undefined, lastLine: undefined, progress: undefined, lastProgress: undefined };
      this.steps.set(key, slot);
    }
    return slot;
  }

  private host(host: string): Deferred<HostDone> {
    let d = this.hosts.get(host);
    if (!d) {
      d = deferred<HostDone>();
      this.hosts.set(host, d);
    }
    return d;
  }

  publish(event: RunEvent): void {
    if (event.type === 'step-done') this.slot(event.host, event.step).done.resolve(event);
    else if (event.type === 'step-output') {
      const slot = this.slot(event.host, event.step);
      slot.lastLine = event.line;
      slot.output?.(event.line);
    } else if (event.type === 'step-progress') {
      const slot = this.slot(event.host, event.step);
      slot.lastProgress = event.message;
      slot.progress?.(event.message);
    } else if (event.type === 'host-done') this.host(event.host).resolve(event);
  }

  /**
   * Wait for a step's outcome; `onOutput` gets its remote output lines meanwhile, `onProgress`
   * what it says it waits for.
   */
  step(host: string, step: string, onOutput?: (line: string) => void, onProgress?: (message: string) => void): Promise<StepDone> {
    const slot = this.slot(host, step);
    slot.output = onOutput;
    slot.progress = onProgress;
    if (onOutput && slot.lastLine !== undefined) onOutput(slot.lastLine);
    if (onProgress && slot.lastProgress !== undefined) onProgress(slot.lastProgress);
    return slot.done.promise;
  }

  hostDone(host: string): Promise<HostDone> {
    return this.host(host).promise;
  }

  /** The engine stopped without reporting everything (a bug): release every waiting task. */
  fail(error: unknown): void {
    for (const slot of this.steps.values()) slot.done.reject(error);
    for (const d of this.hosts.values()) d.reject(error);
  }
}
