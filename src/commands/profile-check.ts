import type { CommandRunner } from '../contracts/command-runner.js';
import { ProfileError } from '../errors.js';
import { profileWarnings } from '../profile/warnings.js';
import { loadProfile } from '../session/load-profile.js';

export const profileCheck: CommandRunner = async (global, io) => {
  try {
    const { loaded, profile } = await loadProfile(global, { io });
    const services = profile.hosts.reduce((n, h) => n + h.services.length, 0);
    const warnings = profileWarnings(profile);
    if (global.json) io.stdout(`${JSON.stringify({ valid: true, profile: loaded.name, file: loaded.file, hosts: profile.hosts.length, services, warnings })}\n`);
    else {
      io.stdout(`${loaded.file}: valid (${profile.hosts.length} host${profile.hosts.length === 1 ? '' : 's'}, ${services} services)\n`);
      for (const w of warnings) io.stderr(`warning: ${w.path}: ${w.message}\n`);
    }
    return 0;
  } catch (error) {
    if (global.json && error instanceof ProfileError) {
      io.stdout(`${JSON.stringify({ valid: false, issues: error.issues })}\n`);
    }
    throw error;
  }
};
