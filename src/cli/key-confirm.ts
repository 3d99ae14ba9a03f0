import { emitKeypressEvents } from 'node:readline';

export interface KeyStreams {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
}

/**
 * A yes/no question answered by one key, like every yes/no of the wizard: y or n, Enter for the
 * default, Esc or Ctrl-C for no. (A readline prompt would need y and then Enter, and after the y
 * alone it looks hung.) Returns 'abort' for Ctrl-C, so the caller can exit 130.
 */
export function confirmKey(message: string, defaultYes: boolean, streams: KeyStreams = { input: process.stdin, output: process.stdout }): Promise<boolean | 'abort'> {
  const { input, output } = streams;
  output.write(`? ${message} ${defaultYes ? '(Y/n)' : '(y/N)'} `);
  emitKeypressEvents(input);
  const raw = input.isTTY === true;
  if (raw) input.setRawMode(true);
  input.ref();
  input.resume();
  return new Promise((resolve) => {
    const done = (answer: boolean | 'abort') => {
      input.off('keypress', onKey);
      if (raw) input.setRawMode(false);
      input.pause();
      input.unref();
      output.write(`${answer === 'abort' ? 'aborted' : answer ? 'yes' : 'no'}\n`);
      resolve(answer);
    };
    const onKey = (text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) => {
      if (key?.ctrl && key.name === 'c') done('abort');
      else if (key?.name === 'return' || key?.name === 'enter') done(defaultYes);
      else if (key?.name === 'escape') done(false);
      else if (text === 'y' || text === 'Y') done(true);
      else if (text === 'n' || text === 'N') done(false);
    };
    input.on('keypress', onKey);
  });
}
