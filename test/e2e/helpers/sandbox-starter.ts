import { removeServer, startServer } from '../../../src/sandbox/servers.js';
import type { ServerStarter, StartedServer, StartRequest } from '../../fakes/fake-hetzner.js';
import type { TestBed } from './test-bed.js';

/** Starter for the fake Hetzner API: every created server is a real sandbox server of the bed. */
export function sandboxStarter(bed: TestBed): ServerStarter {
  return {
    async start(request: StartRequest): Promise<StartedServer> {
      const server = await startServer(bed.docker, { bed: bed.spec.name, host: request.name, authorizedKeys: request.publicKeys }, bed.spec);
      return { ipv4: server.address };
    },
    async stop(server: { name: string }): Promise<void> {
      await removeServer(bed.docker, bed.spec.name, server.name);
    },
  };
}
