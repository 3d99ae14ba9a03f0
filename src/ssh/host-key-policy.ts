import { WizardError } from '../errors.js';
import { SshError } from './errors.js';
import { checkHostKey, knownKeyTypes, type KnownHostsFile } from './known-hosts.js';

export interface HostKeyQuestion {
  readonly host: string;
  /** The known_hosts name: `addr` or `[addr]:port`. */
  readonly name: string;
  readonly keyType: string;
  readonly fingerprint: string;
}

/** What to do with a key that known_hosts does not have. */
export type UnknownKeyMode =
  | { readonly kind: 'ask'; readonly confirm: (question: HostKeyQuestion) => Promise<boolean> }
  | { readonly kind: 'accept' }
  | { readonly kind: 'refuse' };

export interface HostKeyPolicy {
  readonly knownHosts: KnownHostsFile;
  readonly unknown: UnknownKeyMode;
  /**
   * Keys learnt out of band, e.g. from the provider when the provision phase creates a server
   * (the hook for that phase): trusted without asking, and recorded in known_hosts.
   */
  readonly pinned?: ReadonlyMap<string, readonly Buffer[]>;
  /** Why the pinned keys are trusted, for the known_hosts comment. */
  readonly pinnedReason?: string;
}

const SSH_RSA_ALGOS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
const ALL_HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', ...SSH_RSA_ALGOS];

/**
 * Host key algorithms in the order to offer them: the types known for this host first, so a host
 * known by its ECDSA key is not reported as changed because the handshake picked Ed25519.
 */
export async function hostKeyAlgorithms(policy: HostKeyPolicy, name: string): Promise<string[]> {
  const known = knownKeyTypes(await policy.knownHosts.load(), name).flatMap((t) => (t === 'ssh-rsa' ? SSH_RSA_ALGOS : [t]));
  return [...new Set([...known, ...ALL_HOST_KEY_ALGOS])];
}

/** Decide about a presented key; resolves when trusted, rejects with the reason otherwise. */
export async function verifyHostKey(policy: HostKeyPolicy, host: string, name: string, blob: Buffer): Promise<void> {
  const file = policy.knownHosts.file;
  const status = checkHostKey(await policy.knownHosts.load(), name, blob);
  if (status.status === 'known') return;
  if (status.status === 'revoked') {
    throw new SshError('ssh-host-key-changed', host, `${name} presented a REVOKED host key (${status.keyType} ${status.fingerprint})`, `do not connect; the key is marked @revoked in ${file}`);
  }
  if (status.status === 'changed') {
    throw new SshError(
      'ssh-host-key-changed',
      host,
      `the host key of ${name} CHANGED: known ${status.expected.join(', ')}; presented ${status.keyType} ${status.fingerprint}`,
      `someone may be intercepting the connection, or the server was reinstalled; only if you know it was, delete the old line for ${name} from ${file} and run again`,
    );
  }
  const pinned = policy.pinned?.get(name);
  if (pinned?.some((key) => key.equals(blob))) {
    await policy.knownHosts.add(name, blob, `${host} ${policy.pinnedReason ?? 'pinned-at-provisioning'}`);
    return;
  }
  if (pinned && pinned.length > 0) {
    throw new SshError('ssh-host-key-changed', host, `${name} presented ${status.keyType} ${status.fingerprint}, not the key pinned when it was created`, 'someone may be intercepting the connection; check the server console before going on');
  }
  const accepted = policy.unknown.kind === 'accept' || (policy.unknown.kind === 'ask' && (await policy.unknown.confirm({ host, name, keyType: status.keyType, fingerprint: status.fingerprint })));
  if (!accepted) {
    throw new SshError(
      'ssh-host-key-unknown',
      host,
      `unknown host key for ${name}: ${status.keyType} ${status.fingerprint}`,
      policy.unknown.kind === 'ask'
        ? 'not trusted, nothing was done; compare the fingerprint with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the server console before accepting it'
        : 'compare it with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the server console, then run again interactively or with --accept-new-host-keys',
    );
  }
  await policy.knownHosts.add(name, blob, `${host} added-${policy.unknown.kind === 'accept' ? 'with-accept-new-host-keys' : 'after-confirmation'}`);
}

export function isHostKeyError(error: unknown): error is WizardError {
  return error instanceof WizardError && (error.code === 'ssh-host-key-changed' || error.code === 'ssh-host-key-unknown');
}
