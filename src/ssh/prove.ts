import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeSSH } from 'node-ssh';
import type { ProveLogin, ProveResult } from '../engine/access.js';
import { WizardError } from '../errors.js';
import { connect, type Endpoint } from './connect.js';
import type { HostKeyPolicy } from './host-key-policy.js';
import type { Identity } from './identity.js';
import { hostPattern, patternsMatch } from './known-hosts.js';
import { SshRunner, type SudoMode } from './ssh-runner.js';

export interface ProveTuning {
  /** Give up after this long, whatever the attempts (sshd needs about 2 s after a reload). */
  readonly deadlineMs?: number;
  readonly attemptTimeoutMs?: number;
  readonly retryDelayMs?: number;
  readonly now?: () => number;
  readonly wait?: (ms: number) => Promise<void>;
}

export interface ProveRequest {
  readonly host: string;
  /** The login the run itself uses. */
  readonly current: Endpoint;
  readonly login: ProveLogin;
  readonly identity: Identity;
  readonly hostKeys: HostKeyPolicy;
  readonly sudo: (user: string) => SudoMode;
  readonly via?: NodeSSH;
  /** Another address of the same host (its VPN address) for a `network: 'vpn'` login. */
  readonly at?: string;
}

/**
 * The host keys already trusted for the login in use. A proof on another port of the same address
 * reaches the same sshd: the same key is trusted there too (and recorded), any other key is not.
 */
async function withCurrentKeys(policy: HostKeyPolicy, current: Endpoint, target: Endpoint): Promise<HostKeyPolicy> {
  const from = hostPattern(current.address, current.port);
  const to = hostPattern(target.address, target.port);
  if (from === to) return policy;
  const keys = (await policy.knownHosts.load()).filter((e) => e.marker === undefined && patternsMatch(e.patterns, from)).map((e) => e.key);
  if (keys.length === 0) return policy;
  return { ...policy, pinned: new Map([...(policy.pinned ?? new Map()), [to, keys]]), pinnedReason: `same-key-as-${from}` };
}

/**
 * Proves access from a NEW connection: connect, log in, become root (`sudo -n true` for a user
 * other than root), disconnect. Retries a refused or timed-out connection until the deadline
 * (a reloading sshd); a refused key or host key is final (retrying a refused login only feeds
 * fail2ban).
 */
export async function proveLogin(request: ProveRequest, tuning: ProveTuning = {}): Promise<ProveResult> {
  const current = request.current;
  if (request.login !== 'current' && request.login.network === 'vpn' && request.at === undefined) {
    return { ok: false, target: `${request.login.user}@(VPN address):${request.login.port}`, reason: 'the host has no VPN address yet' };
  }
  const target: Endpoint = request.login === 'current' ? current : { address: request.at ?? current.address, port: request.login.port, user: request.login.user };
  const shown = `${target.user}@${target.address}:${target.port}`;
  const now = tuning.now ?? Date.now;
  const wait = tuning.wait ?? ((ms: number) => sleep(ms).then(() => undefined));
  const deadline = now() + (tuning.deadlineMs ?? 20_000);
  const hostKeys = await withCurrentKeys(request.hostKeys, current, target);
  let reason = 'no attempt was made';
  for (let attempt = 1; ; attempt++) {
    let ssh: NodeSSH | undefined;
    try {
      ({ ssh } = await connect({
        host: request.host,
        candidates: [target],
        identity: request.identity,
        hostKeys,
        retries: 0,
        readyTimeoutMs: tuning.attemptTimeoutMs ?? 5_000,
        keepaliveIntervalMs: 2_000,
        ...(request.via ? { via: request.via } : {}),
      }));
      const runner = new SshRunner(request.host, ssh, target, request.sudo(target.user));
      const result = await runner.exec({ argv: ['true'] });
      if (result.code === 0) return { ok: true, target: shown };
      return { ok: false, target: shown, reason: `logged in, but ${target.user === 'root' ? '`true`' : '`sudo -n true`'} exited ${result.code}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').at(-1)}` : ''}` };
    } catch (error) {
      reason = error instanceof Error ? error.message.replace(`${request.host}: `, '') : String(error);
      const final = error instanceof WizardError && error.code !== 'ssh-connect';
      if (final || now() + (tuning.retryDelayMs ?? 1_000) >= deadline) return { ok: false, target: shown, reason: attempt > 1 && !final ? `${reason}; ${attempt} attempts` : reason };
      await wait(tuning.retryDelayMs ?? 1_000);
    } finally {
      ssh?.dispose();
    }
  }
}
