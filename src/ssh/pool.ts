import type { NodeSSH } from 'node-ssh';
import { connect, type ConnectOptions, type Endpoint } from './connect.js';
import type { HostKeyPolicy } from './host-key-policy.js';
import type { Identity } from './identity.js';
import { proveLogin, type ProveTuning } from './prove.js';
import { SshRunner, type SudoMode, type Trace } from './ssh-runner.js';
import type { ProveLogin, ProveResult } from '../engine/access.js';

export interface HostAccess {
  readonly host: string;
  readonly candidates: readonly Endpoint[];
  /** How to become root once logged in as a given user. */
  readonly sudo: (user: string) => SudoMode;
  /** Another host of the profile to reach this one through. */
  readonly jumpHost?: string;
}

export type ConnectTuning = Pick<ConnectOptions, 'retries' | 'retryDelayMs' | 'keepaliveIntervalMs' | 'readyTimeoutMs' | 'wait' | 'onRetry'>;

/**
 * One connection per host for the whole run, shared: a host that is also another host's jump host
 * is connected once. Close everything with closeAll(), which waits for running commands.
 */
export class SshPool {
  private readonly connections = new Map<string, Promise<{ ssh: NodeSSH; endpoint: Endpoint }>>();
  private readonly runners = new Map<string, Promise<SshRunner>>();

  constructor(
    private readonly access: ReadonlyMap<string, HostAccess>,
    private readonly identity: Identity,
    private readonly hostKeys: HostKeyPolicy,
    private readonly tuning: ConnectTuning = {},
    private readonly trace?: Trace,
  ) {}

  private connection(host: string, chain: readonly string[] = []): Promise<{ ssh: NodeSSH; endpoint: Endpoint }> {
    const existing = this.connections.get(host);
    if (existing) return existing;
    const access = this.access.get(host);
    if (!access) return Promise.reject(new Error(`no SSH access settings for host ${host}`));
    if (chain.includes(host)) return Promise.reject(new Error(`jump hosts form a loop: ${[...chain, host].join(' → ')}`));
    const made = (async () => {
      const via = access.jumpHost ? (await this.connection(access.jumpHost, [...chain, host])).ssh : undefined;
      return connect({ host, candidates: access.candidates, identity: this.identity, hostKeys: this.hostKeys, ...(via ? { via } : {}), ...this.tuning });
    })();
    this.connections.set(host, made);
    return made;
  }

  runner(host: string): Promise<SshRunner> {
    const existing = this.runners.get(host);
    if (existing) return existing;
    const made = this.connection(host).then(({ ssh, endpoint }) => {
      const access = this.access.get(host) as HostAccess;
      return new SshRunner(host, ssh, endpoint, access.sudo(endpoint.user), this.trace);
    });
    this.runners.set(host, made);
    return made;
  }

  /**
   * Proves access to a host from a new connection (never the pooled one): its current login, or
   * another user and port at the same address (or at `at`, the host's VPN address), through the
   * same jump host.
   */
  async prove(host: string, login: ProveLogin, tuning: ProveTuning = {}, at?: string): Promise<ProveResult> {
    const access = this.access.get(host);
    const made = this.connections.get(host);
    if (!access || !made) return { ok: false, target: host, reason: 'no connection to this host yet' };
    const { endpoint } = await made;
    const via = access.jumpHost ? (await this.connection(access.jumpHost)).ssh : undefined;
    return proveLogin({ host, current: endpoint, login, identity: this.identity, hostKeys: this.hostKeys, sudo: access.sudo, ...(via ? { via } : {}), ...(at !== undefined ? { at } : {}) }, tuning);
  }

  /** Drop every connection now, running commands or not (a second Ctrl+C). */
  async destroy(): Promise<void> {
    const connections = await Promise.allSettled([...this.connections.values()]);
    for (const c of connections) if (c.status === 'fulfilled') c.value.ssh.dispose();
  }

  /** Close hosts reached through a jump host before the jump host, so no tunnel is cut under a command. */
  async closeAll(): Promise<void> {
    const jumps = new Set([...this.access.values()].map((a) => a.jumpHost).filter((h): h is string => h !== undefined));
    const close = async (hosts: string[]): Promise<void> => {
      await Promise.allSettled(hosts.map(async (host) => (await this.runners.get(host))?.close()));
      const connections = await Promise.allSettled(hosts.map((host) => this.connections.get(host)).filter((c) => c !== undefined));
      for (const c of connections) if (c.status === 'fulfilled') c.value.ssh.dispose();
    };
    const all = [...this.connections.keys()];
    await close(all.filter((h) => !jumps.has(h)));
    await close(all.filter((h) => jumps.has(h)));
  }
}
