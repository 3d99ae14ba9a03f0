import { Box, Text } from 'ink';
import { theme } from '../theme.js';
import type { Draft } from './screens.js';

const svc = (s: any): string => (typeof s === 'string' ? s : `${s?.name}*`);

/** Everything on one page; secrets only by key, never by value. */
export function Review({ draft, secretKeys, generateInternal, internalCount, keptCount = 0 }: { draft: Draft; secretKeys: readonly string[]; generateInternal: boolean; internalCount: number; keptCount?: number }) {
  const kept = keptCount > 0 ? `${keptCount} already in the vault, kept` : '';
  const internal =
    internalCount === 0 ? `internal secrets: ${kept || 'none needed'}` : generateInternal ? `${internalCount} internal secrets generated on write${kept ? `; ${kept}` : ''}` : 'internal secrets: as entered, the rest generated';
  const hosts: Draft[] = Array.isArray(draft['hosts']) ? draft['hosts'] : [];
  const row = (label: string, value: string) => (
    <Text key={label}>
      <Text color={theme.muted}>{label.padEnd(14)}</Text>
      {value}
    </Text>
  );
  return (
    <Box flexDirection="column" marginBottom={1}>
      {row('project', `${draft['project']?.name ?? '?'}${draft['project']?.production ? ' (production)' : ''}`)}
      {row('domain', `${draft['domain']?.name ?? '?'} · DNS ${draft['domain']?.dnsProvider ?? 'manual'} · TLS ${draft['domain']?.tls ?? 'acme-http'}`)}
      {row('access', `${draft['access']?.mode ?? 'public'}${draft['vpn']?.enabled ? ` · VPN ${draft['vpn']?.headscaleUrl ?? '?'}` : ' · no VPN'}`)}
      {hosts.map((h, i) =>
        row(
          i === 0 ? 'hosts' : '',
          `${h['name'] ?? '?'} ${h['role'] ?? '?'} @ ${h['address'] ?? h['provider']?.['kind'] ?? '?'} ssh ${h['ssh']?.port ?? 22}→${h['ssh']?.targetPort ?? 22}: ${(h['services'] ?? []).map(svc).join(' ') || '(none)'}`,
        ),
      )}
      {row('notifications', `${draft['notifications']?.method ?? 'none'} ${draft['notifications']?.email ?? ''}`)}
      {row('secrets', `${secretKeys.length > 0 ? secretKeys.map((k) => `${k}=••••`).join(' ') : 'no external secrets'}`)}
      {row('', internal)}
    </Box>
  );
}
