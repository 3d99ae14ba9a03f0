import { CATALOG } from '../catalog/catalog.js';
import type { ServiceEntry } from '../catalog/types.js';
import type { CommandRunner } from '../contracts/command-runner.js';

function version(entry: ServiceEntry): string {
  if (entry.image) return entry.image.tag;
  if (entry.package) return entry.package.version;
  return '';
}

function source(entry: ServiceEntry): string {
  if (entry.image) return entry.image.repository;
  if (entry.package) return `${entry.package.source === 'vendor' ? 'vendor apt' : 'apt'}: ${entry.package.packages.join(' ')}`;
  return '';
}

export function catalogRows(): Record<string, unknown>[] {
  return CATALOG.map((entry) => ({
    id: entry.id,
    kind: entry.placement.kind === 'host' ? 'host component' : `compose (${entry.placement.file})`,
    source: source(entry),
    version: version(entry),
    roles: entry.roles,
    dependsOn: entry.dependsOn,
    memoryLimit: entry.memoryLimit ?? null,
    subdomain: entry.site?.defaultSubdomain ?? null,
    vpnOnlyDefault: entry.site?.vpnOnlyDefault ?? null,
    secrets: entry.secrets.map((s) => ({ key: s.key, generated: s.generate !== undefined, immutable: s.immutable === true })),
    description: entry.description,
  }));
}

export const catalogList: CommandRunner = async (global, io) => {
  const rows = catalogRows();
  if (global.json) {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const table = rows.map((r) => [String(r['id']), String(r['version']), String(r['source']), (r['dependsOn'] as string[]).join(',') || '-']);
  const widths = [0, 1, 2].map((c) => Math.max(...table.map((row) => row[c]?.length ?? 0), ['SERVICE', 'VERSION', 'SOURCE'][c]?.length ?? 0));
  const line = (cells: string[]): string => cells.map((cell, c) => (c < 3 ? cell.padEnd(widths[c] ?? 0) : cell)).join('  ').trimEnd();
  io.stdout(`${line(['SERVICE', 'VERSION', 'SOURCE', 'NEEDS'])}\n`);
  for (const row of table) io.stdout(`${line(row)}\n`);
  return 0;
};
