import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxDoc, SandboxProject, STACK } from '../helpers/sandbox-project.js';
import { remote } from '../helpers/test-bed.js';
import type { StackServer } from './stack-server.js';

interface JsonCheck { id: string; status: string; reason: string }
interface JsonSmoke { ok: boolean; hosts: { checks: JsonCheck[] }[] }

/**
 * Qdrant's collections on a real sandbox server, through the strict Qdrant STAND-IN (no registry
 * here has Qdrant): `apply --only deploy` creates the profile's collections through Qdrant's API,
 * a second apply changes nothing, a restart keeps them, smoke `qdrant.collections` passes, and a
 * collection that exists with other dimensions fails the deploy, naming it, and is left alone.
 */
export function describeQdrant(host: StackServer): void {
  describe('qdrant on a sandbox server', () => {
    const project = new SandboxProject(host.bed, 'qdrant');
    const NAME = 'e2e-qdrant';
    const cli = project.cli({ profile: NAME });
    const COLLECTIONS = [
      { name: 'semantic_cache', dimensions: 1536, distance: 'Cosine' },
      { name: 'content_index', dimensions: 1536, distance: 'Cosine' },
      { name: 'e2e_small', dimensions: 8, distance: 'Euclid' },
    ];
    let vaultValues = new Map<string, string>();

    /**
     * GET /collections/NAME asked of the Qdrant container's own API (python3 is in the stand-in
     * only, not in the real image): `status size distance`, or the HTTP status of a refusal. The
     * key comes from the container's environment, never from a command line; `withKey` false
     * sends none.
     */
    async function ask(name: string, withKey = true): Promise<string> {
      const py = [
        'import json, os, sys, urllib.request as u, urllib.error as e',
        `h = {"api-key": os.environ["QDRANT__SERVICE__API_KEY"]} if sys.argv[2] == "key" else {}`,
        'try:',
        '    d = json.load(u.urlopen(u.Request("http://127.0.0.1:6333/collections/" + sys.argv[1], headers=h), timeout=10))',
        '    v = d["result"]["config"]["params"]["vectors"]',
        '    print(d["result"]["status"], v["size"], v["distance"])',
        'except e.HTTPError as x:',
        '    print(x.code)',
      ].join('\n');
      const cid = `$(docker ps -q --filter label=com.docker.compose.project=${NAME}-infra --filter label=com.docker.compose.service=qdrant)`;
      return (await remote(host.ssh, `docker exec ${cid} python3 -c '${py}' ${name} ${withKey ? 'key' : 'none'}`)).trim();
    }

    beforeAll(async () => {
      await host.clear();
      const doc = sandboxDoc(host.bed, NAME, [{ server: host.server, services: ['docker', 'qdrant'] }], { ...STACK, qdrant: { collections: COLLECTIONS } });
      project.writeProfile(doc);
      vaultValues = await project.writeVault(doc);
    }, 300_000);

    afterAll(() => project.remove());

    it('plan shows the collections step; apply --only deploy creates every collection with its dimensions, through the API that requires the key', async () => {
      const plan = await cli('plan', '--only', 'deploy', '--accept-new-host-keys');
      expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(2);
      expect(plan.stdout).toMatch(/deploy\.qdrant\.collections/);
      expect(plan.stdout).toMatch(/Qdrant collections through its API: semantic_cache \(1536 dimensions, Cosine\), content_index \(1536 dimensions, Cosine\), e2e_small \(8 dimensions, Euclid\)/);
      const r = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      for (const c of COLLECTIONS) expect(await ask(c.name), c.name).toBe(`green ${c.dimensions} ${c.distance}`);
      // The stand-in, like Qdrant, refuses a request without the key: the step really sent it.
      expect(await ask('semantic_cache', false)).toBe('401');
      // The config file the tool wrote is the one the container reads (the stand-in refuses to start without it).
      expect(await remote(host.ssh, `grep -c full_scan_threshold_kb /opt/homelab/${NAME}/current/config/qdrant/production.yaml`)).toBe('1');
      for (const value of vaultValues.values()) expect(`${r.stdout}${r.stderr}${plan.stdout}`.includes(value), 'a secret in the output').toBe(false);
    }, 900_000);

    it('has nothing to do the second time, and a restarted Qdrant still has the collections', async () => {
      const again = await cli('apply', '--only', 'deploy');
      expect(again.code, again.stderr).toBe(0);
      expect(`${again.stdout}${again.stderr}`).toMatch(/0 changed/);
      await remote(host.ssh, `docker restart $(docker ps -q --filter label=com.docker.compose.project=${NAME}-infra --filter label=com.docker.compose.service=qdrant) >/dev/null && sleep 2`);
      expect(await ask('content_index')).toBe('green 1536 Cosine');
      const plan = await cli('plan', '--only', 'deploy');
      expect(plan.code, plan.stdout).toBe(0);
    }, 600_000);

    it('smoke qdrant.collections passes, with the collections as its reason', async () => {
      const r = await cli('smoke', '--json');
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const checks = Object.fromEntries((JSON.parse(r.stdout) as JsonSmoke).hosts[0]!.checks.map((c) => [c.id, c]));
      expect(checks['qdrant.collections']).toMatchObject({ status: 'PASS', reason: 'present: semantic_cache (1536, Cosine) content_index (1536, Cosine) e2e_small (8, Euclid)' });
      for (const c of Object.values(checks)) expect(c.status, `${c.id}: ${c.reason}`).toBe('PASS');
    }, 300_000);

    it('fails the deploy when a collection exists with other dimensions, naming it, and leaves it as it is', async () => {
      const file = path.join(project.dir, 'profiles', `${NAME}.yaml`);
      const good = readFileSync(file, 'utf8');
      writeFileSync(file, good.replace(/(name: content_index\n\s+dimensions:) 1536/, '$1 768'));
      expect(readFileSync(file, 'utf8')).not.toBe(good);
      const r = await cli('apply', '--only', 'deploy');
      expect(r.code).toBe(1);
      expect(`${r.stdout}${r.stderr}`).toMatch(/content_index: exists with 1536 dimensions, Cosine; the profile wants 768 dimensions, Cosine/);
      expect(await ask('content_index')).toBe('green 1536 Cosine');
      const smoke = await cli('smoke', '--json');
      expect(smoke.code).toBe(1);
      const check = (JSON.parse(smoke.stdout) as JsonSmoke).hosts[0]!.checks.find((c) => c.id === 'qdrant.collections');
      expect(check).toMatchObject({ status: 'FAIL', reason: 'content_index: exists with 1536 dimensions, Cosine; the profile wants 768 dimensions, Cosine' });
      writeFileSync(file, good);
    }, 600_000);
  });
}
