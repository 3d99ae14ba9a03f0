import type { CommandRunner } from './program.js';

/** The day-2 commands with what they ask through: flows decide, cli/ mounts the Ink picker and the prompts. */
export const redeploy: CommandRunner = async (global, io, args, options) => {
  const [{ redeployCommand }, { runPickList }, { confirmInteractively }] = await Promise.all([import('../flows/redeploy.js'), import('../ui/day2/run-pick-list.js'), import('./confirm-prompt.js')]);
  return redeployCommand(runPickList, confirmInteractively)(global, io, args, options);
};

export const rollback: CommandRunner = async (global, io, args, options) => {
  const [{ rollbackCommand }, { runPickList }, { confirmInteractively }] = await Promise.all([import('../flows/rollback.js'), import('../ui/day2/run-pick-list.js'), import('./confirm-prompt.js')]);
  return rollbackCommand(runPickList, confirmInteractively)(global, io, args, options);
};

export const restart: CommandRunner = async (global, io, args, options) => {
  const [{ restartCommand }, { confirmInteractively }] = await Promise.all([import('../flows/restart.js'), import('./confirm-prompt.js')]);
  return restartCommand(confirmInteractively)(global, io, args, options);
};

export const logs: CommandRunner = async (global, io, args, options) => (await import('../flows/logs.js')).logsCommand(global, io, args, options);

export const exec: CommandRunner = async (global, io, args, options) => {
  const [{ execCommandRunner }, { processTerminal }] = await Promise.all([import('../flows/exec.js'), import('./terminal.js')]);
  return execCommandRunner(io.interactiveTerminal ? processTerminal() : undefined)(global, io, args, options);
};
