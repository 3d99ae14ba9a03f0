// Section 6 (issue 9): decrypt, change one value and re-encrypt a 100-secret vault in recipient
// mode (age X25519 identity, no passphrase). In process: our vault code (updateVault: read,
// decrypt, change, encrypt, decrypt-back proof, atomic write with .bak, under the lock). End to
// end: `homelab-wizard secrets set KEY`, the value on stdin. Goal: under 50 ms in process.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { summarize, formatSummary, verdict } from '../lib/stats.mjs';
import { load } from '../lib/machine.mjs';
import { measure, runTimed } from '../lib/timing.mjs';

export const title = 'Vault';
export const goal = 'decrypt, change one value and re-encrypt a 100-secret vault in under 50 ms in process (recipient mode)';

export async function run(ctx) {
  const dist = (p) => import(pathToFileURL(path.join(ctx.repo, 'dist', p)).href);
  const { generateIdentity, identityToRecipient } = await import('age-encryption');
  const { Secret } = await dist('lib/secret.js');
  const { createVault, openVault, updateVault } = await dist('vault/vault.js');
  const { identityProvider } = await dist('vault/identity.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-bench-vault-'));
  try {
    // `secrets set` needs the profile next to the vault: the example profile, renamed.
    mkdirSync(path.join(dir, 'profiles'));
    writeFileSync(path.join(dir, 'profiles', 'bench.yaml'), readFileSync(path.join(ctx.repo, 'profiles/minimal.yaml'), 'utf8').replace('name: minimal', 'name: bench'));
    const identity = await generateIdentity();
    const env = { HOMELAB_WIZARD_IDENTITY: identity };
    const entries = new Map(Array.from({ length: 100 }, (_, i) => [`bench.secret${String(i).padStart(3, '0')}`, Secret.of(randomBytes(24).toString('base64url'))]));
    await createVault(dir, 'bench', entries, [await identityToRecipient(identity)]);
    const runs = ctx.runs(20);
    const inProcess = async (fn) => {
      const samples = [];
      const loads = [];
      for (let i = 0; i < 3 + runs; i += 1) {
        const provider = identityProvider({ env }); // a new command each time: the identity is parsed again
        const start = process.hrtime.bigint();
        await fn(provider, i);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (i >= 3) {
          samples.push(ms);
          loads.push(load()[0]);
        }
      }
      return { ...summarize(samples), samples, load1: Number(summarize(loads).median.toFixed(1)) };
    };
    const update = await inProcess(async (identityFn, i) => {
      const r = await updateVault(dir, 'bench', (m) => m.set('bench.secret050', Secret.of(`changed-${i}-${randomBytes(8).toString('hex')}`)), { identity: identityFn });
      if (!r.changed) throw new Error('vault bench: the update changed nothing');
    });
    const open = await inProcess(async (identityFn) => {
      const v = await openVault(dir, 'bench', { identity: identityFn });
      if (v.keys().length !== 100) throw new Error(`vault bench: ${v.keys().length} keys, expected 100`);
    });
    // The same update in a folder on tmpfs, where fsync costs nothing: what our code costs, apart
    // from the disk's two fsyncs (the new file, then its folder) that make the write durable.
    let onTmpfs;
    if (existsSync('/dev/shm')) {
      const shm = mkdtempSync('/dev/shm/hlw-bench-vault-');
      try {
        await createVault(shm, 'bench', entries, [await identityToRecipient(identity)]);
        onTmpfs = await inProcess(async (identityFn, i) => {
          await updateVault(shm, 'bench', (m) => m.set('bench.secret050', Secret.of(`changed-${i}`)), { identity: identityFn });
        });
      } finally {
        rmSync(shm, { recursive: true, force: true });
      }
    }
    ctx.log(`  in process: update ${formatSummary(update)}, decrypt only ${formatSummary(open)}${onTmpfs ? `, update on tmpfs ${formatSummary(onTmpfs)}` : ''}`);
    const bin = path.join(ctx.repo, 'bin/homelab-wizard.js');
    let n = 0;
    const cli = await measure('secrets set (CLI)', () =>
      runTimed(process.execPath, [bin, '--dir', dir, '--profile', 'bench', 'secrets', 'set', 'bench.secret051'], {
        env: { ...process.env, ...env, NO_COLOR: '1', CI: '1' },
        input: `cli-value-${(n += 1)}-${randomBytes(4).toString('hex')}`,
        timeoutMs: 60_000,
      }), { warmups: 1, runs: ctx.runs(5) });
    ctx.log(`  CLI secrets set: ${formatSummary(cli)}`);
    const headers = ['what', 'median (min–max)', 'load (1 min)', 'goal < 50 ms'];
    const rows = [
      ['in process: decrypt, change one value, re-encrypt (updateVault, 100 secrets)', formatSummary(update), update.load1, verdict(update.median, 50)],
      ...(onTmpfs ? [['the same update with the vault on tmpfs (no fsync cost: the code alone)', formatSummary(onTmpfs), onTmpfs.load1, verdict(onTmpfs.median, 50)]] : []),
      ['in process: decrypt only (openVault)', formatSummary(open), open.load1, ''],
      ['CLI end to end: `secrets set KEY` (value on stdin)', formatSummary(cli), cli.load1, ''],
    ];
    return { headers, rows, figures: { update, onTmpfs, open, cli }, goalMet: update.median < 50, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
