import { render } from 'ink';
import { Wizard, type WizardProps } from './wizard.js';
import type { WizardState } from './wizard-state.js';

/**
 * Mounts the wizard, waits for it to finish and unmounts it, so that listr2 or a prompt can take
 * the terminal afterwards (Ink and the others never draw at the same time).
 */
export async function runWizard(props: Omit<WizardProps, 'onFinish' | 'onAbort'>): Promise<WizardState | 'aborted'> {
  let result: WizardState | 'aborted' = 'aborted';
  // stdin may have been paused by an earlier prompt; Ink would then see no keys (stack-notes §3).
  process.stdin.resume();
  const app = render(
    <Wizard
      {...props}
      onFinish={(state) => {
        result = state;
      }}
      onAbort={() => {
        result = 'aborted';
      }}
    />,
    { exitOnCtrlC: false },
  );
  await app.waitUntilExit();
  // Leave stdin paused and unreferenced, so the process can end; a prompt after the wizard must
  // call process.stdin.ref() first (stack-notes §3).
  process.stdin.pause();
  return result;
}
