// What the figures were taken on, and how busy it was.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export function ansibleVersion() {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return /core ([\d.]+)/.exec(r.stdout)?.[1] ?? r.stdout.split('\n')[0];
}

export function load() {
  return os.loadavg().map((l) => Number(l.toFixed(2)));
}

export function machine() {
  return {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    ramGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    ansibleCore: ansibleVersion() ?? 'not installed',
    kernel: os.release(),
    load: load(),
  };
}

export function describeMachine(m) {
  return `${m.nproc} CPUs (${m.cpu}), ${m.ramGiB} GiB RAM, Node ${m.node}, ansible-core ${m.ansibleCore}, load average ${m.load.join(' ')}`;
}
