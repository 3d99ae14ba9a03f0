/**
 * Reads the inside of an OpenSSH public key line: the base64 must decode to the blob its type
 * promises (the type again, then the key of the right length). A line that only looks right (a
 * truncated paste, `ssh-ed25519 garbage`) would install a key nobody can log in with. Pure.
 */

const ECDSA_POINT: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };
/** OpenSSH refuses smaller RSA keys (RequiredRSASize). */
const MIN_RSA_BITS = 1024;

function fields(blob: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(at);
    at += 4;
    if (at + length > blob.length) return undefined;
    out.push(blob.subarray(at, at + length));
    at += length;
  }
  return out;
}

function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (mpint[i] as number).toString(2).length;
}

/** Why a `type base64 [comment]` line is not a usable key, or undefined when it is. */
export function sshPublicKeyProblem(line: string): string | undefined {
  const [type = '', data = ''] = line.split(' ');
  const cut = `is not a whole ${type} key: its data does not decode to one (a truncated or mistyped paste?)`;
  const blob = Buffer.from(data, 'base64');
  // Node skips what is not base64; re-encoding tells a clean decode from a lenient one.
  if (blob.toString('base64').replace(/=+$/, '') !== data.replace(/=+$/, '')) return cut;
  const parts = fields(blob);
  if (!parts || parts.length === 0) return cut;
  const inner = parts[0]?.toString('latin1');
  if (inner !== type) return `says ${type} but holds ${inner && /^[\x20-\x7e]{1,40}$/.test(inner) ? `a ${inner} key` : 'no key of that type'}`;
  if (type === 'ssh-ed25519') return parts.length === 2 && parts[1]?.length === 32 ? undefined : cut;
  if (type === 'sk-ssh-ed25519@openssh.com') return parts.length === 3 && parts[1]?.length === 32 ? undefined : cut;
  if (type === 'ssh-rsa') {
    if (parts.length !== 3) return cut;
    const bits = bitLength(parts[2] as Buffer);
    return bits < MIN_RSA_BITS ? `is an RSA key of ${bits} bits; OpenSSH needs at least ${MIN_RSA_BITS} (an ed25519 key is better)` : undefined;
  }
  const curve = /^ecdsa-sha2-(nistp\d+)$/.exec(type)?.[1];
  if (curve !== undefined) {
    const point = parts[2];
    return parts.length === 3 && parts[1]?.toString('latin1') === curve && point?.length === ECDSA_POINT[curve] && point?.[0] === 4 ? undefined : cut;
  }
  return undefined;
}
