/** Small IPv4 CIDR arithmetic (pure). IPv6 ranges are compared only for equality. */
function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    const v = Number(part);
    if (!Number.isInteger(v) || v < 0 || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function parse(cidr: string): { base: number; size: number } | undefined {
  const [ip, bits] = cidr.split('/');
  const base = ipv4ToInt(ip ?? '');
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), size };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const range = parse(cidr);
  const n = ipv4ToInt(ip);
  return range !== undefined && n !== undefined && n >= range.base && n < range.base + range.size;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return a === b;
  return x.base < y.base + y.size && y.base < x.base + x.size;
}
