import { z } from 'zod';
import { memoryLimit, telegramChatId } from './fields.js';

/**
 * OpenClaw's settings where a host runs it (vpai-system §4.11). The values each key may take are
 * OpenClaw's own (its config schema, `AgentSandboxSchema` and `SandboxDockerSchema` in
 * src/config/zod-schema.agent-runtime.ts of openclaw 2026.2.23): L-F3, `workspaceAccess` is
 * none, ro or rw, never `write`.
 */
export const openclawSchema = z
  .strictObject({
    /**
     * The LiteLLM alias agents use unless told otherwise (`custom-litellm/<alias>`); it must be one
     * of `litellm.models` (checked across blocks in rules.ts). Absent: the first LiteLLM model.
     */
    defaultModel: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be the alias of a LiteLLM model of this profile, such as claude-sonnet')
      .optional(),
    /**
     * The one Telegram chat the bot answers (`dmPolicy: allowlist`); absent: anyone may ask to pair
     * and the operator approves (`dmPolicy: pairing`). Used only when the vault has
     * `telegram.openclawBotToken`.
     */
    telegramChatId: telegramChatId.optional(),
    /** Where agents other than the main one run their tools: vpai's values by default. */
    sandbox: z
      .strictObject({
        mode: z.enum(['off', 'non-main', 'all']).default('non-main'),
        scope: z.enum(['session', 'agent', 'shared']).default('agent'),
        workspaceAccess: z.enum(['none', 'ro', 'rw'], { message: 'must be none, ro or rw (read-write is rw, not write)' }).default('rw'),
        memory: memoryLimit.default('1G'),
        cpus: z.number().positive('must be a number of CPUs greater than 0, such as 1 or 0.5').max(64).default(1),
        pidsLimit: z.number().int().min(16, 'must be at least 16 processes').max(65_536).default(256),
      })
      .prefault({}),
  })
  .prefault({});

export type OpenclawSettings = z.output<typeof openclawSchema>;
