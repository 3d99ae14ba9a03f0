/** The parts of Hetzner Cloud API objects this tool reads (apis.md §1). Nullable where the API says so. */
export interface HcloudAction {
  readonly id: number;
  readonly command: string;
  readonly status: 'running' | 'success' | 'error';
  readonly progress: number;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface HcloudServer {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly public_net: {
    readonly ipv4: { readonly ip: string } | null;
    readonly ipv6: { readonly ip: string } | null;
    readonly firewalls?: readonly { readonly id: number; readonly status: string }[];
  };
  readonly server_type: { readonly name: string };
  readonly location: { readonly name: string } | null;
  readonly image: { readonly name: string | null } | null;
}

export interface HcloudSshKey {
  readonly id: number;
  readonly name: string;
  readonly fingerprint: string;
  readonly public_key: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface HcloudFirewallRule {
  readonly direction: 'in' | 'out';
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'esp' | 'gre';
  readonly port?: string | null;
  readonly source_ips: readonly string[];
  readonly destination_ips?: readonly string[];
  readonly description?: string | null;
}

export interface HcloudFirewall {
  readonly id: number;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: readonly HcloudFirewallRule[];
  readonly applied_to: readonly { readonly type: string; readonly server?: { readonly id: number } }[];
}

export interface HcloudServerType {
  readonly name: string;
  readonly architecture: 'x86' | 'arm';
  readonly locations?: readonly { readonly name: string; readonly available?: boolean; readonly deprecation?: unknown }[];
  readonly deprecation?: { readonly unavailable_after: string } | null;
}

export interface HcloudLocation {
  readonly name: string;
  readonly city?: string;
}
