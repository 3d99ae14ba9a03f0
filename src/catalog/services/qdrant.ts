import type { ServiceEntry } from '../types.js';

export const qdrant: ServiceEntry = {
  id: 'qdrant',
  description: 'Qdrant vector database (semantic cache and RAG index)',
  placement: { kind: 'compose', file: 'infra' },
  image: { repository: 'qdrant/qdrant', tag: 'v1.16.3' },
  roles: ['ai-server', 'app-server'],
  dependsOn: ['docker'],
  networks: ['backend'],
  ports: [{ container: 6333, protocol: 'tcp' }, { container: 6334, protocol: 'tcp' }],
  dataDirs: [
    { path: 'qdrant/storage', target: '/qdrant/storage', uid: 1000, gid: 1000, mode: '0750' },
    { path: 'qdrant/snapshots', target: '/qdrant/snapshots', uid: 1000, gid: 1000, mode: '0750' },
  ],
  // The image has neither curl nor wget (L-B2): probe the port with bash.
  health: { test: ['CMD-SHELL', "bash -c ':> /dev/tcp/127.0.0.1/6333'"], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 20 },
  healthTimeoutSeconds: 60,
  smoke: [{ id: 'qdrant.readyz', kind: 'http', path: '/readyz', expectStatus: [200], via: 'container' }],
  secrets: [{ key: 'qdrant.apiKey', description: 'Qdrant API key', generate: { length: 64, alphabet: 'hex' } }],
  memoryLimit: '1536M',
  capAdd: ['CHOWN', 'SETGID', 'SETUID', 'DAC_OVERRIDE', 'FOWNER'],
  site: { defaultSubdomain: 'qd', upstreamPort: 6333, vpnOnlyDefault: true },
};
