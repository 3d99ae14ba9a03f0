import { render } from 'ink';
import { PickList, type PickListProps } from './pick-list.js';

/** Mounts the list on stderr (stdout stays for results), waits for a choice, unmounts. Undefined: cancelled. */
export async function runPickList(props: Omit<PickListProps, 'onSubmit' | 'onCancel'>): Promise<string | undefined> {
  let chosen: string | undefined;
  process.stdin.resume();
  const app = render(
    <PickList
      {...props}
      onSubmit={(value) => {
        chosen = value;
      }}
      onCancel={() => {
        chosen = undefined;
      }}
    />,
    { exitOnCtrlC: false, stdout: process.stderr },
  );
  await app.waitUntilExit();
  process.stdin.pause();
  return chosen;
}
