import type { Step } from '../../plan/step.js';
import { renderTemplate } from '../../render/templates.js';
import { sh, type HardenContext } from './context.js';
import { DOCKER_ENGINE_CHECK, DOCKER_INSTALL_DISTRIBUTION, DOCKER_INSTALL_VENDOR, DOCKER_USER_APPLY, DOCKER_USER_CHECK } from '../../remote/generated-scripts.js';

/** Where the docker CLI looks for system-wide plugins on Linux (the packages install into the last). */
const COMPOSE_PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

/** A port that containers may be reached on from outside, optionally only from one range. */
export interface PublishedAllow {
  readonly port: number;
  readonly proto: 'tcp' | 'udp';
  readonly from?: string;
}

/**
 * Published container ports bypass UFW's INPUT rules (Docker DNATs them in FORWARD), so the
 * DOCKER-USER chain filters them like the host firewall does (vpai-system §9.8.3). Traffic from
 * the containers' own bridges (docker0, br-*) passes: matching on the interface, not on a 172.16/12
 * source, because the host's own network may use that range too.
 */
export function dockerUserScript(allowed: readonly PublishedAllow[]): string {
  const lines = [
    '#!/bin/sh',
    '# written by homelab-wizard: Docker-published ports, filtered like the host firewall',
    'set -e',
    'iptables -N DOCKER-USER 2>/dev/null || true',
    'iptables -F DOCKER-USER',
    'iptables -A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
    'iptables -A DOCKER-USER -i docker0 -j RETURN',
    'iptables -A DOCKER-USER -i br-+ -j RETURN',
    ...allowed.map((a) => `iptables -A DOCKER-USER${a.from ? ` -s ${a.from}` : ''} -p ${a.proto} -m conntrack --ctorigdstport ${a.port} -j RETURN`),
    'iptables -A DOCKER-USER -m conntrack --ctstate NEW -j DROP',
    'iptables -A DOCKER-USER -j RETURN',
    '',
  ];
  return lines.join('\n');
}

/** The same openings as the host firewall's web and VPN rules (firewall.ts): vpn-only stays vpn-only for containers too. */
export function publishedAllows(ctx: HardenContext): PublishedAllow[] {
  const vpnOnly = ctx.profile.access.mode === 'vpn-only' && !ctx.has('headscale');
  // Port 80 only where the host firewall opens it too: public sites, or the ACME HTTP challenge.
  const http = ctx.profile.access.mode === 'public' || ctx.profile.domain.tls === 'acme-http';
  const web: PublishedAllow[] = vpnOnly
    ? [{ port: 443, proto: 'tcp', from: ctx.profile.vpn.cidr }, { port: 443, proto: 'udp', from: ctx.profile.vpn.cidr }]
    : [...(http ? [{ port: 80, proto: 'tcp' as const }] : []), { port: 443, proto: 'tcp' }, { port: 443, proto: 'udp' }];
  return [...web, ...(ctx.has('headscale') ? [{ port: 3478, proto: 'udp' as const }] : [])];
}

/**
 * /etc/docker/daemon.json. `images.registry` given as a bare `host[:port]` holds Docker Hub's
 * paths (`library/postgres`), so it is also Docker's Hub mirror: Hub names in compose files keep
 * working when Hub is slow or unreachable (the sandbox's case). A registry with a path is only a
 * rewrite target. `insecureRegistry`: plain HTTP, for the mirror URL and for pulls by name.
 */
export function daemonSettings(ctx: HardenContext): Record<string, unknown> {
  const registry = ctx.profile.images.registry;
  const registryHost = registry?.split('/')[0];
  const insecure = ctx.profile.images.insecureRegistry;
  return {
    'log-driver': 'json-file',
    'log-opts': { 'max-size': '10m', 'max-file': '3' },
    'live-restore': true,
    'userland-proxy': false,
    // Outside the fixed subnets of our own networks (catalog/networks.ts).
    'default-address-pools': [{ base: '172.21.0.0/16', size: 24 }],
    ...(registry !== undefined && registry === registryHost ? { 'registry-mirrors': [`${insecure ? 'http' : 'https'}://${registry}`] } : {}),
    ...(registryHost !== undefined && insecure ? { 'insecure-registries': [registryHost] } : {}),
  };
}

const DOCKER_USER_SCRIPT = '/usr/local/sbin/homelab-wizard-docker-user';

export function dockerSteps(ctx: HardenContext): Step[] {
  if (!ctx.has('docker')) return [];
  const daemon = daemonSettings(ctx);
  const allowed = publishedAllows(ctx);
  const shown = allowed.map((a) => `${a.port}/${a.proto}${a.from ? ` from ${a.from}` : ''}`).join(', ');
  const unit = renderTemplate(ctx.templates, 'systemd/docker-user.service.eta', { script: DOCKER_USER_SCRIPT });
  return [
    {
      id: 'harden.docker.engine',
      describe: `Docker engine and Compose v2 (${ctx.host.docker.source === 'vendor' ? "Docker's packages" : "the distribution's docker.io"})`,
      host: ctx.host.name,
      // The Compose v2 plugin's file where the docker CLI looks for it, not `docker compose
      // version`, which starts two Go programs (about 0.3 s of every no-change run).
      check: { argv: sh(DOCKER_ENGINE_CHECK, ...COMPOSE_PLUGIN_DIRS) },
      apply: [{ argv: sh(ctx.host.docker.source === 'vendor' ? DOCKER_INSTALL_VENDOR : DOCKER_INSTALL_DISTRIBUTION) }],
      risk: 'safe',
      effect: 'create',
    },
    {
      id: 'harden.docker.daemon',
      describe: 'Docker daemon settings: log rotation, live restore, no userland proxy, address pool',
      host: ctx.host.name,
      check: { argv: ['systemctl', 'is-active', '--quiet', 'docker'] },
      files: [{ path: '/etc/docker/daemon.json', mode: '0644', owner: 'root:root', content: `${JSON.stringify(daemon, null, 2)}\n` }],
      apply: [{ argv: ['systemctl', 'restart', 'docker'] }],
      risk: 'disruptive',
      effect: 'update',
    },
    {
      id: 'harden.docker.published-ports',
      describe: `Filter Docker-published ports: only ${shown} reach containers from outside`,
      host: ctx.host.name,
      check: { argv: sh(DOCKER_USER_CHECK) },
      files: [
        { path: DOCKER_USER_SCRIPT, mode: '0755', owner: 'root:root', content: dockerUserScript(allowed) },
        { path: '/etc/systemd/system/homelab-wizard-docker-user.service', mode: '0644', owner: 'root:root', content: unit },
      ],
      apply: [{ argv: sh(DOCKER_USER_APPLY) }],
      risk: 'safe',
      effect: 'update',
    },
  ];
}
