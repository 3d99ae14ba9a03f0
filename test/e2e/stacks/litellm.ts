import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { sandboxDoc, SandboxProject, STACK } from '../helpers/sandbox-project.js';
import { composeContainers, remote } from '../helpers/test-bed.js';
import type { StackServer } from './stack-server.js';

interface JsonCheck { id: string; status: string; reason: string }
interface JsonSmoke { ok: boolean; hosts: { checks: JsonCheck[] }[] }

/**
 * LiteLLM configured from the profile on a sandbox server (its strict STAND-IN, which starts only
 * from a config the real proxy would load): deployed with a model list, smoke's litellm.models
 * proves it lists exactly those aliases behind the vault's master key; a changed model list is
 * planned and applied as a change of litellm alone.
 */
export function describeLitellm(host: StackServer): void {
  describe('litellm on a sandbox server', () => {
    const project = new SandboxProject(host.bed, 'litellm');
    const NAME = 'e2e-litellm';
    const cli = project.cli({ profile: NAME });
    const file = (): string => path.join(project.dir, 'profiles', `${NAME}.yaml`);
    const models = async (): Promise<JsonCheck | undefined> => {
      const r = await cli('smoke', '--json');
      const out = JSON.parse(r.stdout) as JsonSmoke;
      return out.hosts[0]?.checks.find((c) => c.id === 'litellm.models');
    };

    beforeAll(async () => {
      await host.clear();
      const doc = sandboxDoc(host.bed, NAME, [{ server: host.server, services: ['docker', 'caddy', 'postgresql', 'redis', 'litellm'] }], {
        ...STACK,
        litellm: {
          models: [
            { alias: 'mini', provider: 'openai', model: 'gpt-4o-mini' },
            { alias: 'deepseek-v3', provider: 'openrouter', model: 'deepseek/deepseek-chat-v3-0324', maxTokens: 4096 },
          ],
        },
      });
      project.writeProfile(doc);
      // Provider keys of the right shape; the stand-in calls no provider.
      await project.writeVault(doc, { set: { 'openai.apiKey': `sk-proj-${'x'.repeat(40)}`, 'openrouter.apiKey': `sk-or-v1-${'y'.repeat(40)}` } });
      const deployed = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
      if (deployed.code !== 0) throw new Error(`deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
    }, 900_000);

    afterAll(() => project.remove());

    it('lists exactly the configured models with the master key from the vault (smoke litellm.models)', async () => {
      expect(await remote(host.ssh, `stat -c '%a' /opt/homelab/${NAME}/current/config/litellm/config.yaml`)).toBe('644');
      expect(await models()).toMatchObject({ status: 'PASS', reason: 'lists the 2 configured models: deepseek-v3, mini' });
    }, 300_000);

    it('a changed model list: plan names litellm alone, apply recreates only litellm, smoke sees the new list', async () => {
      const before = await composeContainers(host.ssh);
      // One more model, of a provider whose key the vault has.
      const doc = parse(readFileSync(file(), 'utf8')) as { litellm: { models: unknown[] } };
      doc.litellm.models.push({ alias: 'embedding', provider: 'openai', model: 'text-embedding-3-small' });
      writeFileSync(file(), stringify(doc));
      const plan = await cli('plan', '--only', 'deploy');
      expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(2);
      expect(plan.stdout).toMatch(/~ deploy\.stack\.apps .*\n\s+litellm: its compose definition/);
      expect(plan.stdout).not.toMatch(/~ deploy\.stack\.infra/);
      expect(plan.stdout).not.toMatch(/^\s+(caddy|postgresql|redis): /m);

      const apply = await cli('apply', '--only', 'deploy');
      expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);
      const after = await composeContainers(host.ssh);
      expect(after['litellm']).not.toBe(before['litellm']);
      for (const svc of ['caddy', 'postgresql', 'redis']) expect(after[svc], svc).toBe(before[svc]);
      expect(await models()).toMatchObject({ status: 'PASS', reason: 'lists the 3 configured models: deepseek-v3, embedding, mini' });
    }, 900_000);
  });
}
