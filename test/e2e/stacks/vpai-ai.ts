import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { exampleProfile } from '../../helpers/profiles.js';
import { sandboxDoc, SandboxProject, STACK } from '../helpers/sandbox-project.js';
import { composeContainers, remote } from '../helpers/test-bed.js';
import type { StackServer } from './stack-server.js';

interface JsonCheck { id: string; status: string; reason: string }
interface JsonSmoke { ok: boolean; hosts: { checks: JsonCheck[] }[] }

/**
 * Left out: the host components the harden suite proves on its own server (this suite deploys
 * only, on the stack server the other suites share), Tailscale (it needs the VPN hub, a host of its
 * own) and CrowdSec (its hub needs HTTPS, which sandbox servers lack).
 */
const NOT_IN_A_SANDBOX = new Set(['ufw', 'fail2ban', 'unattended-upgrades', 'tailscale', 'crowdsec']);
const serviceId = (s: unknown): string => (typeof s === 'string' ? s : (s as { name: string }).name);

/**
 * The AI server of profiles/vpai.yaml (sese-ai) replicated on a sandbox server: its services,
 * subdomains and the profile's LiteLLM models and budgets, Qdrant collections, n8n owner and
 * locale, taken from the example file itself. Every app comes up healthy and every smoke check of
 * every app passes with its reason; a changed budget is a change of LiteLLM alone.
 */
export function describeVpaiAi(host: StackServer): void {
  describe('the AI server of profiles/vpai.yaml on a sandbox server', () => {
    const project = new SandboxProject(host.bed, 'vpai-ai');
    const NAME = 'e2e-vpai-ai';
    // The first deploy pulls and starts every image of the AI server on two cores: more than the default 15 minutes.
    const cli = project.cli({ profile: NAME, timeoutMs: 1_500_000 });
    const file = (): string => path.join(project.dir, 'profiles', `${NAME}.yaml`);
    const vpai = exampleProfile('vpai');
    const seseAi = (vpai['hosts'] as { name: string; role: string; services: unknown[] }[]).find((h) => h.name === 'sese-ai');
    if (seseAi === undefined) throw new Error('profiles/vpai.yaml has no host sese-ai');
    const services = seseAi.services.filter((s) => !NOT_IN_A_SANDBOX.has(serviceId(s)));

    beforeAll(async () => {
      await host.clear();
      const doc = sandboxDoc(host.bed, NAME, [{ server: host.server, reach: 'network', name: seseAi.name, role: seseAi.role, services }], {
        ...STACK,
        // vpai's access: admin sites only over the VPN, with its Headscale (not part of this bed: no hub, no join).
        access: vpai['access'],
        vpn: { enabled: true, headscaleUrl: vpai['vpn'].headscaleUrl },
        admins: vpai['admins'],
        litellm: vpai['litellm'],
        qdrant: vpai['qdrant'],
        locale: vpai['locale'],
      });
      project.writeProfile(doc);
      // Provider keys of the right shape for the five providers of vpai's models; nothing calls a provider.
      await project.writeVault(doc, {
        set: {
          'anthropic.apiKey': `sk-ant-api03-${'a'.repeat(40)}`,
          'openai.apiKey': `sk-proj-${'o'.repeat(40)}`,
          'openrouter.apiKey': `sk-or-v1-${'r'.repeat(40)}`,
          'gemini.apiKey': `AIza${'g'.repeat(35)}`,
          'byteplus.apiKey': `bp-${'b'.repeat(30)}`,
        },
      });
      const deployed = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
      if (deployed.code !== 0) throw new Error(`deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
    }, 1_800_000);

    afterAll(() => project.remove());

    it('runs every container of the AI server, none unhealthy', async () => {
      const ids = await remote(host.ssh, `docker ps -a --filter label=com.docker.compose.project --format '{{.Label "com.docker.compose.service"}} {{.Status}}'`);
      const running = new Map(ids.split('\n').filter(Boolean).map((l) => [l.split(' ')[0] as string, l]));
      const compose = services.map(serviceId).filter((id) => id !== 'docker');
      for (const id of compose) {
        // Up, and not unhealthy: the health gate lets a container through whose own test passes before Docker's first check.
        expect(running.get(id), `${id} is not running:\n${ids}`).toMatch(/^\S+ Up /);
        expect(running.get(id), ids).not.toMatch(/unhealthy|Restarting/);
      }
    }, 300_000);

    it('passes every smoke check of every app, each with its reason', async () => {
      const r = await cli('smoke', '--json');
      const checks = (JSON.parse(r.stdout) as JsonSmoke).hosts[0]?.checks ?? [];
      const failed = checks.filter((c) => c.status !== 'PASS');
      const containers = failed.length === 0 ? '' : await remote(host.ssh, `docker ps -a --format '{{.Names}} {{.Status}}'; docker logs --tail 30 $(docker ps -aq --filter label=com.docker.compose.service=caddy) 2>&1 | tail -n 30`);
      expect(failed, `${JSON.stringify(failed, null, 1)}\n${containers}`).toEqual([]);
      expect(r.code).toBe(0);
      for (const c of checks) expect(c.reason, c.id).not.toBe('');
      const ids = checks.map((c) => c.id);
      for (const id of ['litellm.models', 'qdrant.collections', 'n8n.owner-login', 'n8n.db-login', 'openclaw.litellm', 'nocodb.db-login', 'grafana.health']) expect(ids).toContain(id);
      expect(checks.find((c) => c.id === 'litellm.models')?.reason).toBe(
        'lists the 8 configured models: claude-haiku, claude-sonnet, deepseek-v3, embedding, gemini-flash, gpt-4o-mini, qwen3-coder, seedream',
      );
    }, 300_000);

    it('a changed budget: plan names litellm alone, apply recreates only litellm', async () => {
      const before = await composeContainers(host.ssh);
      const doc = parse(readFileSync(file(), 'utf8')) as { litellm: { budgets: { globalDaily: number } } };
      doc.litellm.budgets.globalDaily = 7.5;
      writeFileSync(file(), stringify(doc));
      const plan = await cli('plan', '--only', 'deploy');
      expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(2);
      expect(plan.stdout).toMatch(/~ deploy\.stack\.apps .*\n\s+litellm: its compose definition/);
      expect(plan.stdout).not.toMatch(/~ deploy\.stack\.infra/);

      const apply = await cli('apply', '--only', 'deploy');
      expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);
      const after = await composeContainers(host.ssh);
      expect(after['litellm']).not.toBe(before['litellm']);
      for (const [svc, id] of Object.entries(before)) if (svc !== 'litellm') expect(after[svc], svc).toBe(id);
      expect(await remote(host.ssh, `grep -c 'max_budget: 7.5' /opt/homelab/${NAME}/current/config/litellm/config.yaml`)).toBe('1');
    }, 900_000);
  });
}
