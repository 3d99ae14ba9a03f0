/**
 * The one owner of the process's signal handlers (SIGINT, SIGTERM, SIGHUP), for two kinds of work:
 *
 * - Synchronous clean-up that must run even when the process is interrupted: removing a lock, a
 *   temporary file, the plaintext buffer of `secrets edit`. On a signal the registered clean-ups
 *   run, then the signal is raised again with its default action, so the process still ends the
 *   way the sender expects (exit status 128 + signal number), as git does.
 * - A graceful stop (`onInterrupt`): an engine run stops at its next step boundary on Ctrl+C or
 *   SIGTERM instead of dying, and releases its locks. While one is registered, SIGINT and SIGTERM
 *   go to it (the newest) and the process is not ended here; SIGHUP still ends it.
 *
 * Handlers are installed only while something is registered.
 */
type Cleanup = () => void;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const cleanups = new Set<Cleanup>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // A failed clean-up must not stop the others.
    }
  }
  cleanups.clear();
}

const interrupts: ((signal: NodeJS.Signals) => void)[] = [];

function onSignal(signal: NodeJS.Signals): void {
  const graceful = interrupts.at(-1);
  if (graceful && signal !== 'SIGHUP') {
    graceful(signal);
    return;
  }
  runAll();
  uninstall();
  process.kill(process.pid, signal);
}

function onExit(): void {
  runAll();
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  process.removeListener('exit', onExit);
}

function uninstallWhenIdle(): void {
  if (cleanups.size === 0 && interrupts.length === 0) uninstall();
}

/** Register a clean-up; the returned function unregisters it (call it once the work is done). */
export function addCleanup(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    uninstallWhenIdle();
  };
}

/** Ctrl+C and SIGTERM call `handler` instead of ending the process, until the returned function is called. */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  interrupts.push(handler);
  install();
  return () => {
    const at = interrupts.indexOf(handler);
    if (at >= 0) interrupts.splice(at, 1);
    uninstallWhenIdle();
  };
}
