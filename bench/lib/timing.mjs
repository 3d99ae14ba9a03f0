// Timing of child processes: warm-ups, then N runs; each run's load average is kept with it.
import { spawn, spawnSync } from 'node:child_process';
import { load } from './machine.mjs';
import { summarize } from './stats.mjs';

/** Runs a command to completion; resolves with exit code, output and wall time. Bounded. */
export function runTimed(command, args, options = {}) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (options.input !== undefined) child.stdin.end(options.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr, ms: Number(process.hrtime.bigint() - start) / 1e6 });
    });
  });
}

/** Synchronous variant for short commands (cold start): less event-loop noise around the child. */
export function runTimedSync(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: options.timeoutMs ?? 60_000 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/**
 * warmups + runs calls of `once` (async, returns {ms, ...}); a run whose `check` fails stops the
 * measurement with its output (a figure of a failing command is no figure).
 */
export async function measure(name, once, { warmups = 1, runs = 5, check = (r) => r.code === 0 } = {}) {
  const fail = (r) => {
    throw new Error(`${name}: exit ${r.code}\n${(r.stderr || r.stdout || '').slice(-3000)}`);
  };
  for (let i = 0; i < warmups; i += 1) {
    const r = await once();
    if (!check(r)) fail(r);
  }
  const samples = [];
  const loads = [];
  const extras = [];
  for (let i = 0; i < runs; i += 1) {
    const r = await once();
    if (!check(r)) fail(r);
    samples.push(r.ms);
    loads.push(load()[0]);
    extras.push(r.extra);
  }
  return { name, ...summarize(samples), samples, load1: summarize(loads).median, extras };
}
