// Timing of child processes: warm-ups, then N runs; each run's load average is kept with it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

const GNU_TIME = '/usr/bin/time';
export const canTimeCpu = existsSync(GNU_TIME);

/**
 * Synchronous variant for short commands (cold start): less event-loop noise around the child.
 * With GNU time it also reports the child's CPU time (user + system), which a busy machine
 * inflates far less than the wall time: `extra.cpuMs`.
 */
export function runTimedSync(command, args, options = {}) {
  const [cmd, argv] = canTimeCpu ? [GNU_TIME, ['-f', '@@cpu %U %S', command, ...args]] : [command, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: options.timeoutMs ?? 60_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let stderr = r.stderr ?? '';
  let extra;
  const cpu = /@@cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (cpu) {
    extra = { cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000 };
    stderr = stderr.slice(0, cpu.index);
  }
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr, ms, extra };
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
  return { name, ...summarize(samples), samples, load1: Number(summarize(loads).median.toFixed(1)), extras };
}
