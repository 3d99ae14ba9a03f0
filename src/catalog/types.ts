/** The catalogue describes every service the tool knows: pure data, no I/O. */
export const HOST_ROLES = ['ai-server', 'vpn-hub', 'workstation', 'app-server'] as const;
export type HostRole = (typeof HOST_ROLES)[number];

export const NETWORK_NAMES = ['frontend', 'backend', 'monitoring', 'egress', 'sandbox'] as const;
export type NetworkName = (typeof NETWORK_NAMES)[number];

/** Where a service lives: a container in one of the two compose files, or a component of the host itself. */
export type Placement = { kind: 'compose'; file: 'infra' | 'apps' } | { kind: 'host' };

export interface ImagePin {
  readonly repository: string;
  readonly tag: string;
}

/** Host components come from the distribution (or the vendor's apt repository) and are pinned there. */
export interface PackagePin {
  readonly packages: readonly string[];
  /** `distribution` means the version of the host's Debian/Ubuntu release; otherwise an exact version. */
  readonly version: string;
  readonly source: 'distribution' | 'vendor';
}

export interface HealthCheck {
  /** Docker healthcheck test, `CMD` or `CMD-SHELL` form. Always 127.0.0.1, never localhost (L-B3). */
  readonly test: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

export type SmokeCheck =
  | { readonly id: string; readonly kind: 'http'; readonly path: string; readonly expectStatus: readonly number[]; readonly via: 'site' | 'container' }
  | { readonly id: string; readonly kind: 'tcp'; readonly port: number }
  | { readonly id: string; readonly kind: 'db-login'; readonly database: string }
  /** The app lists exactly the models of the profile (GET /v1/models in its container, with the key `keySecret` from the vault). */
  | { readonly id: string; readonly kind: 'model-list'; readonly port: number; readonly keySecret: string }
  | { readonly id: string; readonly kind: 'command'; readonly argv: readonly string[]; readonly expect: string }
  | { readonly id: string; readonly kind: 'systemd'; readonly unit: string }
  /** n8n's owner (`admins.n8nOwner`) logs in through n8n's API with the vault's `n8n.ownerPassword`. */
  | { readonly id: string; readonly kind: 'n8n-owner-login' };

export type SecretAlphabet = 'alnum' | 'hex' | 'base64url';

export interface SecretSpec {
  /** Vault key, dotted: `<service>.<name>`. */
  readonly key: string;
  readonly description: string;
  /** How to make a value. Absent means the operator supplies it (an external API key, a token). */
  readonly generate?: {
    readonly length: number;
    readonly alphabet: SecretAlphabet;
    readonly prefix?: string;
    /** Character classes the program's password rules demand (n8n: a digit and an upper-case letter). */
    readonly mustHave?: readonly ('digit' | 'upper' | 'lower')[];
  };
  /** Must never change once set (for example n8n's encryption key: changing it loses every credential). */
  readonly immutable?: boolean;
  /** External values that a deploy cannot do without. */
  readonly required?: boolean;
  /** Shape of a valid value, checked when it is entered. */
  readonly shape?: { readonly pattern: string; readonly example: string };
}

export interface DataDir {
  /** Relative to the project's data folder on the host. */
  readonly path: string;
  /** Where the container sees it. */
  readonly target: string;
  readonly uid: number;
  readonly gid: number;
  readonly mode: string;
}

export interface Site {
  readonly defaultSubdomain: string;
  readonly upstreamPort: number;
  readonly vpnOnlyDefault: boolean;
  /** WebSocket upstreams need HTTP/1.1 to the backend (L-C4). */
  readonly http1Upstream?: boolean;
}

export interface DatabaseNeed {
  readonly name: string;
  readonly user: string;
  readonly extensions: readonly string[];
}

export interface PortSpec {
  readonly container: number;
  readonly protocol: 'tcp' | 'udp';
  /** Published on the host; only Caddy (80/443) and a few host components publish. */
  readonly published?: number;
}

export interface ServiceEntry {
  readonly id: string;
  readonly description: string;
  readonly placement: Placement;
  readonly image?: ImagePin;
  readonly package?: PackagePin;
  readonly roles: readonly HostRole[];
  readonly dependsOn: readonly string[];
  readonly networks: readonly NetworkName[];
  readonly ports: readonly PortSpec[];
  readonly dataDirs: readonly DataDir[];
  readonly health?: HealthCheck;
  /**
   * How long a deploy, redeploy or rollback waits for this service to become healthy after its
   * container starts before it gives up and restores the previous release: the deploy's own
   * bound, shorter than Docker's verdict (start period plus retries times interval) would take.
   * A slow first start (database migrations) gets more. Without it: 60 s.
   */
  readonly healthTimeoutSeconds?: number;
  readonly smoke: readonly SmokeCheck[];
  readonly secrets: readonly SecretSpec[];
  readonly memoryLimit?: string;
  /** Linux capabilities added back after `cap_drop: ALL` (L-B4, L-C8). */
  readonly capAdd?: readonly string[];
  readonly site?: Site;
  readonly database?: DatabaseNeed;
}
