import { connect } from 'node:net';

function banner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    // sshd speaks first: a banner means it is really up, not just a port that accepts.
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

/** Waits until sshd answers at host:port; bounded. Returns false when the time is up. */
export async function waitForSsh(host: string, port: number, timeoutMs: number, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await banner(host, port)) return true;
    await sleep(1000);
  }
  return false;
}
