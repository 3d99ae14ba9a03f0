import { z } from 'zod';
import { profileSchema } from './schema.js';

/** JSON Schema of the profile for editor completion (yaml-language-server). */
export function profileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(profileSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://homelab-wizard.example.com/profile.schema.json',
    title: 'homelab-wizard profile',
  };
}

export const SCHEMA_FILE_NAME = 'homelab-wizard.schema.json';
export const SCHEMA_HEADER = `# yaml-language-server: $schema=./${SCHEMA_FILE_NAME}`;
