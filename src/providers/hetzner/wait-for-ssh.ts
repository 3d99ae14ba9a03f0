import { sshBanner } from '../../lib/ssh-banner.js';

/** Waits until sshd answers at host:port; bounded. Returns false when the time is up. */
export async function waitForSsh(host: string, port: number, timeoutMs: number, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await sshBanner(host, port, 3000)) return true;
    await sleep(1000);
  }
  return false;
}
