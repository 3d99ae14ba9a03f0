import { Document } from 'yaml';
import type { Secret } from '../../lib/secret.js';

export interface HostKeyPair {
  /** OpenSSH private key text (a Secret: it only travels inside user_data). */
  readonly privateKey: Secret;
  /** `ssh-ed25519 AAAA…` */
  readonly publicKey: string;
}

/**
 * cloud-init user data that installs a host key generated on the operator's machine, so the very
 * first SSH connection is verified against a pinned key: no trust on first use (anchors row 26).
 * Only that key: cloud-init generates no others. Built as an object and written with `yaml`.
 */
export function cloudInitUserData(hostKey: HostKeyPair): Secret {
  return hostKey.privateKey.map((privateKey) => {
    const doc = new Document({
      ssh_deletekeys: true,
      ssh_genkeytypes: [],
      ssh_keys: { ed25519_private: privateKey.endsWith('\n') ? privateKey : `${privateKey}\n`, ed25519_public: hostKey.publicKey },
    });
    doc.commentBefore = 'cloud-config';
    return doc.toString({ lineWidth: 0 });
  });
}
