import { afterAll, describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../../src/contracts/global-options.js';
import type { EngineSetup } from '../../src/session/engine-setup.js';
import { clearRedeployed, redeployedBy } from '../../src/run/redeploy-done.js';
import type { HostOutcome } from '../../src/engine/host-session.js';
import { Secret } from '../../src/lib/secret.js';
import { createVault, openVault, updateVault } from '../../src/vault/vault.js';
import { REDEPLOY_KEY } from '../../src/vault/keys.js';
import { captureIo } from '../helpers/io.js';
import { validExample } from '../helpers/profiles.js';
import { removeTempProjects, tempProject } from '../helpers/vault.js';

afterAll(removeTempProjects);

const profile = validExample('minimal');
const ok = (host: string): HostOutcome => ({ host, result: 'ok', changed: 3, unchanged: 9 });

describe("clearing the vault's redeploy record after a deploy", () => {
  it('counts a compose service redeployed only when every host running it was deployed', () => {
    expect(redeployedBy(profile, ['n8n', 'redis'], new Set(['vps']))).toEqual(['n8n', 'redis']);
    expect(redeployedBy(profile, ['n8n'], new Set())).toEqual([]);
    // Not a compose service: deploy does not redeploy it.
    expect(redeployedBy(profile, ['fail2ban'], new Set(['vps']))).toEqual([]);
  });

  it('removes the redeployed services from the record, and keeps them when a secret changed during the run', async () => {
    const p = await tempProject();
    const entries = new Map([['redis.password', Secret.of('before-1234')], [REDEPLOY_KEY, Secret.of('n8n redis')]]);
    await createVault(p.dir, 'p', entries, [p.publicKey]);
    const global: GlobalOptions = { dir: p.dir, profile: 'p', json: false, verbose: false, yes: false, nonInteractive: true };
    const io = captureIo({ env: p.env, cwd: p.dir });
    const used = (await openVault(p.dir, 'p', { identity: p.identity })).entries();
    const setup = { profileName: 'p', vault: { vaultName: 'p' }, profile, phases: ['deploy'], work: [], deployedVault: used } as unknown as EngineSetup;

    // Rotated again while the deploy ran: the record stays.
    await updateVault(p.dir, 'p', (e) => void e.set('redis.password', Secret.of('during-5678')), { identity: p.identity, command: 'test' });
    expect(await clearRedeployed(global, io, setup, [ok('vps')])).toEqual([]);
    expect((await openVault(p.dir, 'p', { identity: p.identity })).pendingRedeploy()).toEqual(['n8n', 'redis']);

    const fresh = { ...setup, deployedVault: (await openVault(p.dir, 'p', { identity: p.identity })).entries() } as EngineSetup;
    expect(await clearRedeployed(global, io, fresh, [{ ...ok('vps'), result: 'failed' }])).toEqual([]);
    expect(await clearRedeployed(global, io, fresh, [ok('vps')])).toEqual(['n8n', 'redis']);
    const after = await openVault(p.dir, 'p', { identity: p.identity });
    expect(after.pendingRedeploy()).toEqual([]);
    expect(after.get('redis.password')?.reveal()).toBe('during-5678');
  });
});
