import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeSSH } from 'node-ssh';
import { WizardError } from '../errors.js';
import { SshError } from './errors.js';
import { hostKeyAlgorithms, verifyHostKey, type HostKeyPolicy } from './host-key-policy.js';
import type { Identity } from './identity.js';
import { hostPattern } from './known-hosts.js';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
  readonly user: string;
}

export interface ConnectOptions {
  /** The profile's host name, for messages. */
  readonly host: string;
  /**
   * Logins to try in order. Every one but the last is skipped when its port refuses the
   * connection or its user is refused (the target login of a host that is not hardened yet).
   */
  readonly candidates: readonly Endpoint[];
  readonly identity: Identity;
  readonly hostKeys: HostKeyPolicy;
  /** Reach the host through this connection (the profile's ssh.jumpHost). */
  readonly via?: NodeSSH;
  /** Extra rounds when the last login is refused or the name does not resolve (a server still booting). */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  readonly keepaliveIntervalMs?: number;
  readonly readyTimeoutMs?: number;
  readonly wait?: (ms: number) => Promise<void>;
  /** How long the TCP connection may take before the port counts as dropping packets (default 8 s). */
  readonly dialTimeoutMs?: number;
  /** Opens the TCP connection (tests replace it); the default is net.connect with dialTimeoutMs. */
  readonly dial?: (endpoint: Endpoint, timeoutMs: number) => Promise<Duplex>;
  /** Told before each wait, so the operator sees why nothing happens yet. */
  readonly onRetry?: (notice: RetryNotice) => void;
}

export interface RetryNotice {
  readonly host: string;
  readonly reason: string;
  readonly delayMs: number;
  readonly attempt: number;
  readonly of: number;
}

const FIRST_TRY_TIMEOUT_MS = 8_000;
/**
 * A port whose packets are dropped (a firewall, a wrong or dead address) never answers the TCP
 * handshake. That wait is bounded and never retried: a host that drops everything costs at most
 * one dial timeout per login (two logins: 16 s), instead of handshake timeouts tried four times.
 */
export const DIAL_TIMEOUT_MS = 8_000;

/** A TCP connection that does not complete in time: the packets go nowhere. */
export class DialTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`no answer within ${Math.round(timeoutMs / 100) / 10} s (packets dropped: a firewall, or the wrong address)`);
    this.name = 'DialTimeout';
  }
}

/** The TCP connection for one login, given to ssh2 once it is open. */
export function dialTcp(endpoint: Endpoint, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: endpoint.address, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DialTimeout(timeoutMs));
    }, timeoutMs);
    const onError = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

type Failure = { kind: 'refused' | 'auth' | 'lookup' | 'dropped' | 'transient' | 'fatal'; error: unknown };

function classify(error: unknown): Failure['kind'] {
  const e = error as { code?: string; level?: string; message?: string; reason?: number };
  if (error instanceof DialTimeout) return 'dropped';
  if (e.level === 'client-authentication') return 'auth';
  if (e.code === 'ECONNREFUSED' || /Connection refused|CONNECT_FAILED/i.test(e.message ?? '') || e.reason === 2) return 'refused';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'lookup';
  if (e.code === 'ETIMEDOUT' || e.code === 'ECONNRESET' || e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' || e.level === 'client-timeout') return 'transient';
  return 'fatal';
}

function describe(endpoint: Endpoint): string {
  return `${endpoint.user}@${endpoint.address}:${endpoint.port}`;
}

function toError(host: string, endpoint: Endpoint, failure: Failure, identity: Identity): WizardError {
  if (failure.error instanceof WizardError) return failure.error;
  const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
  switch (failure.kind) {
    case 'auth':
      return new SshError('ssh-auth', host, `${describe(endpoint)} did not accept the key ${identity.file}${identity.agent ? ' (nor the keys of ssh-agent)' : ''}`, `add its public key to ~${endpoint.user}/.ssh/authorized_keys on the host, or point operator.identityFile (or HOMELAB_WIZARD_SSH_KEY) at the right key`, failure.error);
    case 'refused':
      return new SshError('ssh-connect', host, `${endpoint.address}:${endpoint.port} refused the SSH connection`, 'check that sshd runs and listens on that port (ssh.port / ssh.targetPort in the profile), and that no firewall rejects it', failure.error);
    case 'lookup':
      return new SshError('ssh-connect', host, `cannot resolve ${endpoint.address}`, 'check the host address in the profile and your DNS', failure.error);
    default:
      return new SshError('ssh-connect', host, `cannot reach ${describe(endpoint)}: ${message}`, 'check the address and port in the profile, and the network path to the host', failure.error);
  }
}

/**
 * One SSH connection to a host for the whole run: host key checked against the profile's
 * known_hosts, keepalive on (a dead link ends within about 30 s instead of hanging), and
 * retries with backoff for refused connections and failed name lookups.
 */
export async function connect(options: ConnectOptions): Promise<{ ssh: NodeSSH; endpoint: Endpoint }> {
  const retries = options.retries ?? 3;
  const baseDelay = options.retryDelayMs ?? 1000;
  const wait = options.wait ?? ((ms: number) => sleep(ms).then(() => undefined));
  let last: { endpoint: Endpoint; failure: Failure } | undefined;
  for (let round = 0; round <= retries; round++) {
    if (round > 0) {
      const delayMs = baseDelay * 2 ** (round - 1);
      if (last) options.onRetry?.({ host: options.host, reason: toError(options.host, last.endpoint, last.failure, options.identity).message.replace(`${options.host}: `, ''), delayMs, attempt: round, of: retries });
      await wait(delayMs);
    }
    for (const [index, endpoint] of options.candidates.entries()) {
      const isLast = index === options.candidates.length - 1;
      try {
        // A login that is only tried first (not hardened yet?) gets a shorter wait when its port drops packets.
        const tuned = isLast ? options : { ...options, readyTimeoutMs: Math.min(options.readyTimeoutMs ?? 20_000, FIRST_TRY_TIMEOUT_MS) };
        return { ssh: await connectOnce(tuned, endpoint), endpoint };
      } catch (error) {
        const failure: Failure = { kind: error instanceof WizardError ? 'fatal' : classify(error), error };
        last = { endpoint, failure };
        // A filtered port (a firewall that drops) times out: the next login may still work.
        if (!isLast && (failure.kind === 'refused' || failure.kind === 'auth' || failure.kind === 'transient' || failure.kind === 'dropped')) continue;
        // Dropped packets on the last login: waiting again would only repeat the same silence.
        if (failure.kind === 'fatal' || failure.kind === 'auth' || failure.kind === 'dropped') throw toError(options.host, endpoint, failure, options.identity);
        break; // refused, lookup or transient on the last login: next round
      }
    }
  }
  if (!last) throw new SshError('ssh-connect', options.host, 'no SSH login to try', 'set the host address and ssh settings in the profile');
  throw toError(options.host, last.endpoint, last.failure, options.identity);
}

export async function connectOnce(options: ConnectOptions, endpoint: Endpoint): Promise<NodeSSH> {
  const name = hostPattern(endpoint.address, endpoint.port);
  let rejection: unknown;
  const ssh = new NodeSSH();
  // Everything that awaits comes before the dial: an open socket must reach ssh2 (and its error handler) at once.
  const serverHostKey = await hostKeyAlgorithms(options.hostKeys, name);
  const sock = options.via
    ? await options.via.forwardOut('127.0.0.1', 0, endpoint.address, endpoint.port)
    : await (options.dial ?? dialTcp)(endpoint, Math.min(options.dialTimeoutMs ?? DIAL_TIMEOUT_MS, options.readyTimeoutMs ?? DIAL_TIMEOUT_MS));
  try {
    await ssh.connect({
      host: endpoint.address,
      port: endpoint.port,
      username: endpoint.user,
      ...(options.identity.privateKey !== undefined ? { privateKey: options.identity.privateKey } : {}),
      ...(options.identity.agent !== undefined ? { agent: options.identity.agent } : {}),
      ...(sock ? { sock } : {}),
      keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: 3,
      readyTimeout: options.readyTimeoutMs ?? 20_000,
      algorithms: { serverHostKey: serverHostKey as never },
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        verifyHostKey(options.hostKeys, options.host, name, key).then(
          () => verify(true),
          (error: unknown) => {
            rejection = error;
            verify(false);
          },
        );
      },
    });
  } catch (error) {
    ssh.dispose();
    throw rejection ?? error;
  }
  // node-ssh drops its 'error' listener once connected; a reset later (the server going away, a
  // Ctrl-C mid-run) would then crash the process. The command that was running fails on its own.
  ssh.connection?.on('error', () => undefined);
  return ssh;
}
