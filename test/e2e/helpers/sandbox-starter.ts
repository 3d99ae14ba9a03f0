import { parse } from 'yaml';
import { removeServer, startServer } from '../../../src/sandbox/servers.js';
import type { ServerStarter, StartedServer, StartRequest } from '../../fakes/fake-hetzner.js';
import type { TestBed } from './test-bed.js';

interface CloudConfig {
  ssh_deletekeys?: boolean;
  ssh_keys?: { ed25519_private?: string; ed25519_public?: string };
}

/**
 * Does what cloud-init does with `ssh_keys` in the user data: replaces the server's host keys with
 * the given ed25519 pair and restarts sshd. The private key travels on stdin, never in argv.
 */
async function installHostKey(bed: TestBed, container: string, userData: string): Promise<void> {
  if (!userData.startsWith('#cloud-config')) return;
  const config = (parse(userData) ?? {}) as CloudConfig;
  const key = config.ssh_keys;
  if (!key?.ed25519_private || !key.ed25519_public) return;
  const script = [
    'set -e',
    ...(config.ssh_deletekeys ? ['rm -f /etc/ssh/ssh_host_*'] : []),
    'umask 077',
    'cat > /etc/ssh/ssh_host_ed25519_key',
    `printf '%s\\n' '${key.ed25519_public.replace(/'/g, '')}' > /etc/ssh/ssh_host_ed25519_key.pub`,
    'chmod 600 /etc/ssh/ssh_host_ed25519_key; chmod 644 /etc/ssh/ssh_host_ed25519_key.pub',
    'systemctl restart ssh',
  ].join('\n');
  await bed.docker.run(['exec', '-i', container, 'sh', '-c', script], { input: key.ed25519_private, timeoutMs: 60_000 });
}

/**
 * Starter for the fake Hetzner API: every created server is a real sandbox server of the bed, with
 * the SSH keys given at creation and the host key from the cloud-init user data (so pinning at
 * provisioning is tested against a real sshd).
 */
export function sandboxStarter(bed: TestBed): ServerStarter {
  return {
    async start(request: StartRequest): Promise<StartedServer> {
      const server = await startServer(bed.docker, { bed: bed.spec.name, host: request.name, authorizedKeys: request.publicKeys }, bed.spec);
      if (request.userData) await installHostKey(bed, server.container, request.userData);
      return { ipv4: server.address };
    },
    async stop(server: { name: string }): Promise<void> {
      await removeServer(bed.docker, bed.spec.name, server.name);
    },
  };
}
