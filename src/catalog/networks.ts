import type { NetworkName } from './types.js';

export interface NetworkSpec {
  readonly name: NetworkName;
  readonly subnet: string;
  /** Internal networks have no route to the outside world. */
  readonly internal: boolean;
}

/** Fixed subnets, one owner (the infra compose file), as in the system being replaced (§2.4, L-D6). */
export const NETWORKS: readonly NetworkSpec[] = [
  { name: 'frontend', subnet: '172.20.1.0/24', internal: false },
  { name: 'backend', subnet: '172.20.2.0/24', internal: true },
  { name: 'monitoring', subnet: '172.20.3.0/24', internal: true },
  { name: 'egress', subnet: '172.20.4.0/24', internal: false },
  { name: 'sandbox', subnet: '172.20.5.0/24', internal: true },
];

/** The address pool the Docker daemon hands out; a VPN range must not overlap it. */
export const DOCKER_ADDRESS_POOL = '172.20.0.0/16';
