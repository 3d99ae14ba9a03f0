/**
 * Synchronous clean-up that must run even when the process is interrupted: removing a lock, a
 * temporary file, the plaintext buffer of `secrets edit`. On SIGINT, SIGTERM or SIGHUP the
 * registered clean-ups run, then the signal is raised again with its default action, so the
 * process still ends the way the sender expects (exit status 128 + signal number), as git does.
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

function onSignal(signal: NodeJS.Signals): void {
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

/** Register a clean-up; the returned function unregisters it (call it once the work is done). */
export function addCleanup(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}
