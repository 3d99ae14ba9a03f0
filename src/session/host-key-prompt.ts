import type { Io } from '../contracts/io.js';
import { UserAbortError } from '../errors.js';
import type { HostKeyQuestion } from '../ssh/host-key-policy.js';

/**
 * Ask about an unknown host key, through the prompts cli/ supplies. Hosts connect in parallel, so
 * questions are asked one at a time. Never called while Ink or listr2 draws: connections are made
 * before.
 */
export function askHostKey(io: Io): (question: HostKeyQuestion) => Promise<boolean> {
  let queue: Promise<unknown> = Promise.resolve();
  let aborted = false;
  return (question) => {
    const asked = queue.then(async () => {
      // Once the operator aborted one question, the others queued behind it are not asked.
      if (aborted) throw new UserAbortError();
      io.stderr(`\nThe host key of ${question.host} (${question.name}) is not known yet:\n  ${question.keyType} ${question.fingerprint}\n`);
      io.stderr('Compare it with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the server console.\n');
      try {
        return await io.prompts.confirm(`Trust this key for ${question.host} and remember it?`);
      } catch (error) {
        if (error instanceof UserAbortError) aborted = true;
        throw error;
      }
    });
    queue = asked.catch(() => undefined);
    return asked;
  };
}
