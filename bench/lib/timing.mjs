// Timing of child processes: warm-ups, then N runs; each run's load average is kept with it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { load } from './machine.mjs';
import { summarize } from './stats.mjs';

const GNU_TIME = '/usr/bin/time';
export const canTimeCpu = existsSync(GNU_TIME);

/** The command run under GNU time when it is there, so its CPU time (user + system) can be read back. */
function underTime(command, args) {
  return canTimeCpu ? [GNU_TIME, ['-f', '@@cpu %U %S', command, ...args]] : [command, args];
}

/** GNU time's last line taken off stderr: { stderr, cpuMs } (cpuMs undefined without it). */
function splitCpu(stderr) {
  const cpu = /@@cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  return cpu ? { stderr: stderr.slice(0, cpu.index), cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000 } : { stderr, cpuMs: undefined };
}

/**
 * Runs a command to completion; resolves with exit code, output and wall time. Bounded. With
 * `cpu: true` also the command's CPU time (`extra.cpuMs`, GNU time).
 */
export function runTimed(command, args, options = {}) {
  if (options.cpu) [command, args] = underTime(command, args);
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
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const timed = options.cpu ? splitCpu(stderr) : { stderr, cpuMs: undefined };
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr: timed.stderr, ms, ...(timed.cpuMs === undefined ? {} : { extra: { cpuMs: timed.cpuMs } }) });
    });
  });
}

/**
 * Synchronous variant for short commands (cold start): less event-loop noise around the child.
 * With GNU time it also reports the child's CPU time (user + system), which a busy machine
 * inflates far less than the wall time: `extra.cpuMs`.
 */
export function runTimedSync(command, args, options = {}) {
  const [cmd, argv] = underTime(command, args);
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: options.timeoutMs ?? 60_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const { stderr, cpuMs } = splitCpu(r.stderr ?? '');
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr, ms, extra: cpuMs === undefined ? undefined : { cpuMs } };
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
