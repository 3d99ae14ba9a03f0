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
 * OpenClaw configured from the profile on a sandbox server, beside LiteLLM (both strict STAND-INS:
 * OpenClaw's starts only from a config OpenClaw 2026.2.23's schema accepts, with every `${NAME}`
 * it references set): deployed, smoke's openclaw.litellm proves OpenClaw's container reaches
 * LiteLLM at the configured address with the configured key; a changed OpenClaw setting is
 * planned and applied as a change of openclaw alone; a config OpenClaw refuses fails the deploy
 * naming openclaw, and the previous release stays current.
 */
export function describeOpenclaw(host: StackServer): void {
  describe('openclaw on a sandbox server', () => {
    const project = new SandboxProject(host.bed, 'openclaw');
    const NAME = 'e2e-openclaw';
    const cli = project.cli({ profile: NAME });
    const file = (): string => path.join(project.dir, 'profiles', `${NAME}.yaml`);
    const BOT = `123456789:AA${'b'.repeat(33)}`;
    const OPENAI = `sk-proj-${'x'.repeat(40)}`;
    const check = async (id: string): Promise<JsonCheck | undefined> => {
      const r = await cli('smoke', '--json');
      const out = JSON.parse(r.stdout) as JsonSmoke;
      return out.hosts[0]?.checks.find((c) => c.id === id);
    };
    const current = (): Promise<string> => remote(host.ssh, `readlink /opt/homelab/${NAME}/current`);
    const liveConfig = async (): Promise<Record<string, any>> => JSON.parse(await remote(host.ssh, `cat /opt/homelab/${NAME}/current/config/openclaw/openclaw.json`));

    beforeAll(async () => {
      await host.clear();
      const doc = sandboxDoc(host.bed, NAME, [{ server: host.server, role: 'ai-server', services: ['docker', 'caddy', 'postgresql', 'redis', 'litellm', 'openclaw'] }], {
        ...STACK,
        litellm: { models: [{ alias: 'mini', provider: 'openai', model: 'gpt-4o-mini' }, { alias: 'embedding', provider: 'openai', model: 'text-embedding-3-small' }] },
        openclaw: { defaultModel: 'mini', telegramChatId: '-1001234567890' },
      });
      project.writeProfile(doc);
      // Keys of the right shape; the stand-ins call no provider and no Telegram.
      await project.writeVault(doc, { set: { 'openai.apiKey': OPENAI, 'telegram.openclawBotToken': BOT } });
      const deployed = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
      if (deployed.code !== 0) throw new Error(`deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
    }, 900_000);

    afterAll(() => project.remove());

    it("starts from the tool's openclaw.json, healthy, and reaches LiteLLM at the configured address with the configured key (smoke openclaw.litellm)", async () => {
      expect(await remote(host.ssh, `stat -c '%a' /opt/homelab/${NAME}/current/config/openclaw/openclaw.json`)).toBe('644');
      const config = await liveConfig();
      expect(config['models'].providers['custom-litellm'].baseUrl).toBe('http://litellm:4000/v1');
      expect(config['agents'].defaults.model).toEqual({ primary: 'custom-litellm/mini' });
      expect(config['channels'].telegram).toMatchObject({ dmPolicy: 'allowlist', allowFrom: ['-1001234567890'] });
      expect(JSON.stringify(config)).not.toContain(BOT);
      expect(await check('openclaw.container')).toMatchObject({ status: 'PASS' });
      expect(await check('openclaw.litellm')).toMatchObject({ status: 'PASS', reason: 'OpenClaw reaches LiteLLM at http://litellm:4000/v1 with its key; LiteLLM serves its 2 models' });
    }, 300_000);

    it('a changed OpenClaw setting: plan names openclaw alone, apply recreates only openclaw, which runs the new setting', async () => {
      const before = await composeContainers(host.ssh);
      const doc = parse(readFileSync(file(), 'utf8')) as { openclaw: Record<string, unknown> };
      doc.openclaw['sandbox'] = { pidsLimit: 128, workspaceAccess: 'ro' };
      writeFileSync(file(), stringify(doc));
      const plan = await cli('plan', '--only', 'deploy');
      expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(2);
      expect(plan.stdout).toMatch(/~ deploy\.stack\.apps .*\n\s+openclaw: /);
      expect(plan.stdout).not.toMatch(/~ deploy\.stack\.infra/);
      expect(plan.stdout).not.toMatch(/^\s+(caddy|postgresql|redis|litellm): /m);

      const apply = await cli('apply', '--only', 'deploy');
      expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);
      const after = await composeContainers(host.ssh);
      expect(after['openclaw']).not.toBe(before['openclaw']);
      for (const svc of ['caddy', 'postgresql', 'redis', 'litellm']) expect(after[svc], svc).toBe(before[svc]);
      expect((await liveConfig())['agents'].defaults.sandbox).toMatchObject({ workspaceAccess: 'ro', docker: { pidsLimit: 128 } });
      expect(await check('openclaw.litellm')).toMatchObject({ status: 'PASS' });
    }, 900_000);

    it('a config OpenClaw refuses (a blank gateway token: "refusing to bind gateway … without auth") fails the deploy naming openclaw; the previous release stays current', async () => {
      const before = await current();
      const containers = await composeContainers(host.ssh);
      // The vault takes any non-empty value for the generated token; OpenClaw takes a blank one
      // for no token at all and will not listen beyond loopback without auth.
      const set = await cli.withInput('   ', 'secrets', 'set', 'openclaw.gatewayToken');
      expect(set.code, `${set.stdout}\n${set.stderr}`).toBe(0);
      const apply = await cli('apply', '--only', 'deploy');
      const output = `${apply.stdout}\n${apply.stderr}`;
      expect(apply.code, output).not.toBe(0);
      // The gate names openclaw and its exit; OpenClaw's own line ("refusing to bind gateway to
      // 0.0.0.0:18789 without auth") was in the refused container's log, which the gate does not
      // print and the restore replaces (test/sandbox/stand-in-openclaw.test.ts checks that line).
      expect(output, output).toMatch(/health gate failed: .*did not come up healthy:\s+openclaw: restarting \(last exit code 1\)/);
      expect(output, output).toMatch(/restored the previous release [0-9a-f]{12}; it is running/);
      expect(await current()).toBe(before);
      const after = await composeContainers(host.ssh);
      for (const svc of ['caddy', 'postgresql', 'redis', 'litellm']) expect(after[svc], svc).toBe(containers[svc]);
    }, 900_000);
  });
}
