import type { CommandRunner } from '../contracts/command-runner.js';
import { profileJsonSchema } from '../profile/json-schema.js';

export const profileSchemaCommand: CommandRunner = async (_global, io) => {
  io.stdout(`${JSON.stringify(profileJsonSchema(), null, 2)}\n`);
  return 0;
};
