import type { CommandRunner } from '../contracts/command-runner.js';

/** `redeploy` and `rollback` with their picker: flows decide, cli/ mounts the Ink view. */
export const redeploy: CommandRunner = async (global, io, args, options) => {
  const [{ redeployCommand }, { runPickList }] = await Promise.all([import('../flows/redeploy.js'), import('../ui/day2/run-pick-list.js')]);
  return redeployCommand(runPickList)(global, io, args, options);
};

export const rollback: CommandRunner = async (global, io, args, options) => {
  const [{ rollbackCommand }, { runPickList }] = await Promise.all([import('../flows/rollback.js'), import('../ui/day2/run-pick-list.js')]);
  return rollbackCommand(runPickList)(global, io, args, options);
};
