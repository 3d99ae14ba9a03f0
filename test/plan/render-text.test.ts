import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/plan.js';
import { hasChanges, summarize } from '../../src/plan/plan.js';
import { renderPlanText } from '../../src/plan/render-text.js';

const plan: Plan = {
  format: 'homelab-wizard-plan',
  version: 1,
  profile: 'home',
  project: 'home',
  phases: ['deploy'],
  createdAt: '2026-01-01T00:00:00.000Z',
  hosts: [
    {
      host: 'vps',
      target: 'deploy@203.0.113.10:2222',
      desiredDigest: 'd',
      observedDigest: 'o',
      steps: [
        { id: 'deploy.layout.data', phase: 'deploy', describe: 'Data folder', risk: 'safe', action: '=', reasons: [], files: [] },
        { id: 'deploy.layout.releases', phase: 'deploy', describe: 'Releases folder', risk: 'safe', action: '+', reasons: ['1 folder to make or fix'], dirs: [{ path: '/opt/homelab/home/releases', action: 'create', mode: '0750', owner: 'root:root', reasons: ['missing'] }], files: [] },
        { id: 'deploy.layout.shared', phase: 'deploy', describe: 'Shared folder', risk: 'safe', action: '~', reasons: ['1 folder to make or fix'], dirs: [{ path: '/opt/homelab/home/shared', action: 'update', mode: '0755', owner: 'root:root', reasons: ['mode 0700 → 0755'] }], files: [] },
        {
          id: 'deploy.caddy.config',
          phase: 'deploy',
          describe: 'Caddyfile',
          risk: 'disruptive',
          action: '~',
          reasons: ['2 files to write'],
          files: [
            { path: '/opt/homelab/home/Caddyfile', action: 'update', secret: false, bytes: 20, reasons: ['content'], diff: '--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n' },
            { path: '/opt/homelab/home/app.env', action: 'update', secret: true, bytes: 42, reasons: ['content'] },
          ],
        },
        { id: 'deploy.old.volume', phase: 'deploy', describe: 'Remove the old volume', risk: 'destructive', action: '-', reasons: ['something to remove (its check exited 1)'], files: [] },
      ],
    },
    { host: 'pi', desiredDigest: 'd', observedDigest: '', steps: [{ id: 'deploy.layout.data', phase: 'deploy', describe: 'Data folder', risk: 'safe', action: '?', reasons: ['pi: cannot reach'], files: [] }], problem: { code: 'ssh-connect', message: 'pi: 198.51.100.7:22 refused the SSH connection', hint: 'check that sshd runs' } },
  ],
};

describe('renderPlanText()', () => {
  it('prints Terraform-like symbols, diffs of plain files, and only the size of secret ones', () => {
    expect(renderPlanText(plan)).toBe(
      [
        'vps (deploy@203.0.113.10:2222)',
        '  + deploy.layout.releases  Releases folder',
        '      + /opt/homelab/home/releases/ (folder 0750 root:root)',
        '  ~ deploy.layout.shared    Shared folder',
        '      ~ /opt/homelab/home/shared/: mode 0700 → 0755',
        '  ~ deploy.caddy.config     Caddyfile  [disruptive]',
        '      ~ /opt/homelab/home/Caddyfile: content',
        '        --- a',
        '        +++ b',
        '        @@ -1 +1 @@',
        '        -old',
        '        +new',
        '      ~ /opt/homelab/home/app.env: secret changed (42 bytes)',
        '  - deploy.old.volume       Remove the old volume  [destructive]',
        '      something to remove (its check exited 1)',
        '  (1 unchanged)',
        '',
        'pi',
        '  ! pi: 198.51.100.7:22 refused the SSH connection',
        '    hint: check that sshd runs',
        '',
        'Plan: 1 to add, 2 to change, 1 to destroy, 1 unchanged. 1 host could not be planned.',
        '',
      ].join('\n'),
    );
  });

  it('lists converged steps as = with --verbose', () => {
    expect(renderPlanText(plan, { verbose: true })).toContain('  = deploy.layout.data      Data folder\n');
  });

  it('colours symbols only when asked', () => {
    expect(renderPlanText(plan)).not.toContain('\u001B[');
    expect(renderPlanText(plan, { color: true })).toContain('\u001B[32m+ deploy.layout.releases');
  });

  it('says "no changes" for a converged host and counts it', () => {
    const quiet: Plan = { ...plan, hosts: [{ host: 'vps', desiredDigest: '', observedDigest: '', steps: [{ id: 'a.b', phase: 'a', describe: 'x', risk: 'safe', action: '=', reasons: [], files: [] }] }] };
    expect(renderPlanText(quiet)).toBe('vps\n  no changes\n\nPlan: 0 to add, 0 to change, 0 to destroy, 1 unchanged.\n');
    expect(hasChanges(summarize(quiet.hosts))).toBe(false);
    expect(hasChanges(summarize(plan.hosts))).toBe(true);
  });

  it('serialises to JSON without secret content (the plan never holds any)', () => {
    const json = JSON.parse(JSON.stringify(plan));
    expect(json.hosts[0].steps[3].files[1]).toEqual({ path: '/opt/homelab/home/app.env', action: 'update', secret: true, bytes: 42, reasons: ['content'] });
  });
});
