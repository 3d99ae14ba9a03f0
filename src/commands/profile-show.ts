import { stringify } from 'yaml';
import type { CommandRunner } from '../contracts/command-runner.js';
import { effectiveProfile } from '../profile/effective.js';
import { loadProfile } from '../session/load-profile.js';

export const profileShow: CommandRunner = async (global, io) => {
  const { loaded, profile } = await loadProfile(global, { io });
  const effective = effectiveProfile(profile);
  if (global.json) io.stdout(`${JSON.stringify(effective, null, 2)}\n`);
  else io.stdout(`# ${loaded.file}, with defaults filled in\n${stringify(effective, { lineWidth: 0 })}`);
  return 0;
};
