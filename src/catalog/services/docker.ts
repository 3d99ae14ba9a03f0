import type { ServiceEntry } from '../types.js';

export const docker: ServiceEntry = {
  id: 'docker',
  description: "Docker engine with the Compose v2 plugin (Docker's packages, or the distribution's docker.io)",
  placement: { kind: 'host' },
  package: { packages: ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-compose-plugin'], version: '5:28.5.2', source: 'vendor' },
  roles: ['ai-server', 'vpn-hub', 'workstation', 'app-server'],
  dependsOn: [],
  networks: [],
  ports: [],
  dataDirs: [],
  smoke: [{ id: 'docker.active', kind: 'systemd', unit: 'docker' }],
  secrets: [],
};
