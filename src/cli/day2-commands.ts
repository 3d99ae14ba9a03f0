import type { CommandRunner } from '../contracts/command-runner.js';

/** The day-2 commands with what they show: commands decide, cli/ mounts the Ink picker and owns the terminal. */
export const redeploy: CommandRunner = async (global, io, args, options) => {
  const [{ redeployCommand }, { runPickList }] = await Promise.all([import('../commands/redeploy.js'), import('../ui/day2/run-pick-list.js')]);
  return redeployCommand(runPickList)(global, io, args, options);
};

export const rollback: CommandRunner = async (global, io, args, options) => {
  const [{ rollbackCommand }, { runPickList }] = await Promise.all([import('../commands/rollback.js'), import('../ui/day2/run-pick-list.js')]);
  return rollbackCommand(runPickList)(global, io, args, options);
};

export const exec: CommandRunner = async (global, io, args, options) => {
  const [{ execCommandRunner }, { processTerminal }] = await Promise.all([import('../commands/exec.js'), import('./terminal.js')]);
  return execCommandRunner(io.interactiveTerminal ? processTerminal() : undefined)(global, io, args, options);
};
