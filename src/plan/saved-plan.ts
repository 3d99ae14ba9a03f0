import { z } from 'zod';
import { WizardError } from '../errors.js';
import type { Plan } from './plan.js';

const hostShape = z.object({
  host: z.string(),
  desiredDigest: z.string(),
  observedDigest: z.string(),
  steps: z.array(z.object({ id: z.string(), action: z.enum(['=', '+', '~', '-', '?']) }).loose()),
  problem: z.object({ code: z.string(), message: z.string(), hint: z.string() }).optional(),
}).loose();

const planShape = z.object({
  format: z.literal('homelab-wizard-plan'),
  version: z.literal(1),
  profile: z.string(),
  project: z.string(),
  phases: z.array(z.string()),
  createdAt: z.string(),
  hosts: z.array(hostShape),
}).loose();

/** A plan saved by `plan --out`, checked for shape before `apply --plan` trusts any of it. */
export function parseSavedPlan(text: string, file: string): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new WizardError('plan-unreadable', `${file} is not a plan: ${(error as Error).message}`, 'create it with `homelab-wizard plan --out FILE`', { cause: error });
  }
  const parsed = planShape.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new WizardError('plan-unreadable', `${file} is not a homelab-wizard plan (${first ? `${first.path.join('.') || 'top level'}: ${first.message}` : 'bad shape'})`, 'create it with `homelab-wizard plan --out FILE`');
  }
  return parsed.data as unknown as Plan;
}
