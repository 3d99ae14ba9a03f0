import { describe, expect, it } from 'vitest';
import { exampleProfile, issueAt, validExample } from '../helpers/profiles.js';

type Mutate = (raw: Record<string, any>) => void;

/** One bad value per rule of the openclaw block, the path it is reported at and words of the message. */
const cases: [string, Mutate, string, RegExp][] = [
  ['a default model LiteLLM does not serve', (r) => (r['openclaw'] = { defaultModel: 'gpt-5' }), 'openclaw.defaultModel', /'gpt-5' is not a LiteLLM model of this profile; choose one of litellm.models\[\]\.alias: claude-sonnet, claude-haiku/],
  ['a default model with no LiteLLM models at all', (r) => ((r['openclaw'] = { defaultModel: 'claude-sonnet' }), (r['litellm'].models = [])), 'openclaw.defaultModel', /litellm.models is empty/],
  ['a default model that is no alias', (r) => (r['openclaw'] = { defaultModel: 'Claude Sonnet' }), 'openclaw.defaultModel', /alias of a LiteLLM model/],
  ['workspaceAccess write (L-F3)', (r) => (r['openclaw'] = { sandbox: { workspaceAccess: 'write' } }), 'openclaw.sandbox.workspaceAccess', /none, ro or rw/],
  ['an unknown sandbox mode', (r) => (r['openclaw'] = { sandbox: { mode: 'always' } }), 'openclaw.sandbox.mode', /off, non-main, all/],
  ['an unknown sandbox scope', (r) => (r['openclaw'] = { sandbox: { scope: 'host' } }), 'openclaw.sandbox.scope', /session, agent, shared/],
  ['a memory size without unit', (r) => (r['openclaw'] = { sandbox: { memory: '1024' } }), 'openclaw.sandbox.memory', /512M or 2G/],
  ['0 CPUs', (r) => (r['openclaw'] = { sandbox: { cpus: 0 } }), 'openclaw.sandbox.cpus', /greater than 0/],
  ['a pids limit of 4', (r) => (r['openclaw'] = { sandbox: { pidsLimit: 4 } }), 'openclaw.sandbox.pidsLimit', /at least 16/],
  ['a chat id as a number', (r) => (r['openclaw'] = { telegramChatId: 1234567 }), 'openclaw.telegramChatId', /quote it in YAML/],
  ['an unknown field', (r) => (r['openclaw'] = { heartbeat: true }), 'openclaw.heartbeat', /not a known field/],
];

describe('the openclaw block of the profile', () => {
  it.each(cases)('rejects %s, naming the field', (_what, mutate, path, message) => {
    const raw = exampleProfile('vpai');
    mutate(raw);
    expect(issueAt(raw, path).message).toMatch(message);
  });

  it("defaults to the first LiteLLM model and vpai's sandbox (vpai-system §4.11)", () => {
    const p = validExample('vpai');
    expect(p.openclaw).toEqual({ sandbox: { mode: 'non-main', scope: 'agent', workspaceAccess: 'rw', memory: '1G', cpus: 1, pidsLimit: 256 } });
  });

  it('accepts a default model that is a LiteLLM alias and a quoted chat id', () => {
    const p = validExample('vpai', (r) => (r['openclaw'] = { defaultModel: 'gemini-flash', telegramChatId: '-1001234567890' }));
    expect(p.openclaw.defaultModel).toBe('gemini-flash');
    expect(p.openclaw.telegramChatId).toBe('-1001234567890');
  });
});
