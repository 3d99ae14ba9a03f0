import { connect } from 'node:net';

/**
 * Whether sshd answers at host:port. sshd speaks first, so a banner means it is really up, not
 * just a port that accepts (a Docker port forward, a cloud firewall).
 */
export function sshBanner(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('SSH-'));
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
