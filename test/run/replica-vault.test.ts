import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../../src/contracts/global-options.js';
import { prepareEngine } from '../../src/session/engine-setup.js';
import { clearRedeployed } from '../../src/run/redeploy-done.js';
import { vaultOwnerOf } from '../../src/session/vault-owner.js';
import { Secret } from '../../src/lib/secret.js';
import { run } from '../../src/main.js';
import { validateLoaded } from '../../src/profile/load.js';
import { sandboxProfile } from '../../src/sandbox/sandbox-profile.js';
import { missingSecrets } from '../../src/vault/generate.js';
import { REDEPLOY_KEY } from '../../src/vault/keys.js';
import { createVault, openVault, updateVault } from '../../src/vault/vault.js';
import { captureIo } from '../helpers/io.js';
import { removeTempProjects, tempProject, type TempProject } from '../helpers/vault.js';

afterAll(removeTempProjects);

/** A project with profile `p` and its full vault, plus the replica `sandbox up --profile p` writes. */
async function withReplica(): Promise<TempProject> {
  const p = await tempProject('p');
  const raw = parse(readFileSync(path.join(p.dir, 'profiles/p.yaml'), 'utf8')) as Record<string, unknown>;
  const profile = validateLoaded({ name: 'p', file: 'p.yaml', encrypted: false, text: '', raw });
  const secrets = missingSecrets(profile, [], (n) => randomBytes(n)).map((s) => [s.key, s.value] as const);
  await createVault(p.dir, 'p', [...secrets, [REDEPLOY_KEY, Secret.of('n8n')]], [p.publicKey]);
  const copy = sandboxProfile(raw, 'p', [{ host: 'vps', address: '172.31.213.3' }]);
  writeFileSync(path.join(p.dir, 'profiles/p-sandbox.yaml'), stringify(copy));
  return p;
}

function global(p: TempProject, profile: string): GlobalOptions {
  return { dir: p.dir, profile, json: false, verbose: false, yes: false, nonInteractive: true };
}

async function cli(p: TempProject, args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ env: p.env, cwd: p.dir, readStdin: async () => stdin });
  const code = await run(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe("a sandbox replica uses its source profile's vault", () => {
  it('says whose replica it is; any other profile keeps its own vault', () => {
    const copy = sandboxProfile({ project: { name: 'vpai' }, hosts: [] }, 'vpai', []);
    expect(vaultOwnerOf({ name: 'vpai-sandbox', raw: copy })).toEqual({ vaultName: 'vpai', replicaOf: 'vpai' });
    expect(vaultOwnerOf({ name: 'vpai', raw: { project: { name: 'vpai' } } })).toEqual({ vaultName: 'vpai' });
    // Replicas written before `replicaOf` existed name their source as the bed.
    expect(vaultOwnerOf({ name: 'old-sandbox', raw: { 'x-sandbox': { from: 'profiles/old.yaml', bed: 'old' } } })).toEqual({ vaultName: 'old', replicaOf: 'old' });
    // Something that is not a profile name is never used as a path.
    expect(vaultOwnerOf({ name: 'x', raw: { 'x-sandbox': { replicaOf: '../../etc/passwd' } } })).toEqual({ vaultName: 'x' });
  });

  it('apply on the replica builds its deploy steps from the source vault, with no vault of its own', async () => {
    const p = await withReplica();
    const io = captureIo({ env: p.env, cwd: p.dir });
    const setup = await prepareEngine(global(p, 'p-sandbox'), { only: 'deploy', io });
    expect(setup.vault).toEqual({ vaultName: 'p', replicaOf: 'p' });
    const source = await openVault(p.dir, 'p', { identity: p.identity });
    expect(setup.deployedVault?.get('redis.password')?.reveal()).toBe(source.get('redis.password')?.reveal());
    expect(setup.work[0]?.steps.some((s) => s.id.startsWith('deploy.'))).toBe(true);
    // Nothing was copied: the secrets stay in one file.
    expect(existsSync(path.join(p.dir, 'vault/p-sandbox.age'))).toBe(false);
  });

  it('reads the source vault as it is now: a change there reaches the replica with no step', async () => {
    const p = await withReplica();
    await updateVault(p.dir, 'p', (e) => void e.set('api.token', Secret.of('second-value-9876')), { identity: p.identity, command: 'test' });
    expect(await cli(p, ['secrets', 'get', 'api.token', '--profile', 'p-sandbox'])).toMatchObject({ code: 0, out: 'second-value-9876' });
  });

  it('never writes the source vault from the replica: secrets commands that write are refused, nothing changed', async () => {
    const p = await withReplica();
    const before = readFileSync(path.join(p.dir, 'vault/p.age'), 'utf8');
    for (const args of [['secrets', 'set', 'api.token'], ['secrets', 'rotate', 'redis.password'], ['secrets', 'recipients', 'add', p.publicKey]]) {
      const r = await cli(p, [...args, '--profile', 'p-sandbox'], 'value-1234');
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toContain("profile 'p-sandbox' is a sandbox replica of 'p' and reads its vault (vault/p.age)");
      expect(r.err).toContain('run it with --profile p');
    }
    expect(readFileSync(path.join(p.dir, 'vault/p.age'), 'utf8')).toBe(before);
    expect(existsSync(path.join(p.dir, 'vault/p-sandbox.age'))).toBe(false);
  });

  it("a deploy of the replica leaves the source's redeploy record alone (it is about the source's servers)", async () => {
    const p = await withReplica();
    const io = captureIo({ env: p.env, cwd: p.dir });
    const setup = await prepareEngine(global(p, 'p-sandbox'), { only: 'deploy', io });
    expect(await clearRedeployed(global(p, 'p-sandbox'), io, setup, [{ host: 'vps', result: 'ok', changed: 3, unchanged: 9 }])).toEqual([]);
    expect((await openVault(p.dir, 'p', { identity: p.identity })).pendingRedeploy()).toEqual(['n8n']);
  });
});
