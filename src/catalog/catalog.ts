import { alloy } from './services/alloy.js';
import { caddy } from './services/caddy.js';
import { cadvisor } from './services/cadvisor.js';
import { couchdb } from './services/couchdb.js';
import { crowdsec } from './services/crowdsec.js';
import { diun } from './services/diun.js';
import { docker } from './services/docker.js';
import { fail2ban } from './services/fail2ban.js';
import { grafana } from './services/grafana.js';
import { headscale } from './services/headscale.js';
import { litellm } from './services/litellm.js';
import { loki } from './services/loki.js';
import { n8n } from './services/n8n.js';
import { nocodb } from './services/nocodb.js';
import { openclaw } from './services/openclaw.js';
import { postgresql } from './services/postgresql.js';
import { qdrant } from './services/qdrant.js';
import { redis } from './services/redis.js';
import { tailscale } from './services/tailscale.js';
import { ufw } from './services/ufw.js';
import { unattendedUpgrades } from './services/unattended-upgrades.js';
import { victoriametrics } from './services/victoriametrics.js';
import type { ServiceEntry } from './types.js';

/** Every service the tool can deploy, in a stable order: stack services, then host components. */
export const CATALOG: readonly ServiceEntry[] = [
  caddy, postgresql, redis, qdrant, n8n, litellm, openclaw, nocodb, grafana, victoriametrics, loki, alloy, cadvisor, diun, couchdb, headscale,
  ufw, fail2ban, crowdsec, unattendedUpgrades, docker, tailscale,
];

const byId = new Map(CATALOG.map((entry) => [entry.id, entry]));

export const SERVICE_IDS: readonly string[] = CATALOG.map((entry) => entry.id);

export function findService(id: string): ServiceEntry | undefined {
  return byId.get(id);
}

export function getService(id: string): ServiceEntry {
  const entry = byId.get(id);
  if (!entry) throw new Error(`unknown service ${id}`);
  return entry;
}

/** `name:tag` as the catalogue pins it, before any registry rewrite. */
export function imageRef(entry: ServiceEntry): string | undefined {
  return entry.image ? `${entry.image.repository}:${entry.image.tag}` : undefined;
}

/**
 * The services a selection needs, dependencies first, each with the reason it was added.
 * Used by the wizard to add dependencies automatically and to explain why.
 */
export function withDependencies(selected: readonly string[]): { id: string; requiredBy: string | null }[] {
  const out: { id: string; requiredBy: string | null }[] = [];
  const seen = new Set<string>();
  const visit = (id: string, requiredBy: string | null): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) visit(dep, id);
    out.push({ id, requiredBy });
  };
  for (const id of selected) visit(id, null);
  return out;
}
