import { describe, expect, it } from 'vitest';
import { hostStatus } from '../../src/commands/status.js';
import type { HostInventory } from '../../src/plan/inventory.js';
import type { HostPlan } from '../../src/plan/plan.js';

const plan = (over: Partial<HostPlan> = {}): HostPlan => ({ host: 'vps', target: 'root@203.0.113.10:22', steps: [], desiredDigest: 'd', observedDigest: 'o', ...over });
const inventory = (over: Partial<HostInventory> = {}): HostInventory => ({
  docker: true, release: 'abc', current: 'abc', unexpected: [], drifted: [], notes: [],
  services: [{ service: 'grafana', pinnedImage: 'g:1', pinnedTag: '1', runningImage: 'g:1', runningTag: '1', state: 'running', health: 'healthy', problem: null }],
  ...over,
});

describe('status of one host', () => {
  it('needs attention (exit 2) for a drifted file, a service with a problem, or step drift; not when all is in sync', () => {
    expect(hostStatus(plan(), inventory()).attention).toBe(false);
    expect(hostStatus(plan(), inventory({ drifted: [{ path: 'env/n8n.env', change: 'modified' }] })).attention).toBe(true);
    expect(hostStatus(plan(), inventory({ services: [{ ...inventory().services[0]!, state: 'exited', problem: 'exited' }] })).attention).toBe(true);
    expect(hostStatus(plan(), inventory({ current: 'def' })).attention).toBe(true);
    const drifting = plan({ steps: [{ id: 'deploy.stack.apps', phase: 'deploy', describe: 'Apps', risk: 'disruptive', action: '~', reasons: ['n8n: its compose definition differs'], files: [] }] });
    expect(hostStatus(drifting).drift).toEqual(['~ deploy.stack.apps']);
    expect(hostStatus(drifting).driftReasons).toEqual({ 'deploy.stack.apps': ['n8n: its compose definition differs'] });
    expect(hostStatus(drifting).attention).toBe(true);
  });

  it('reads nothing more from an unreachable host', () => {
    const s = hostStatus(plan({ problem: { code: 'ssh-unreachable', message: 'no route', hint: 'check it' } }));
    expect(s).toMatchObject({ reachable: false, inventory: null, attention: false, drift: [], problem: 'no route (hint: check it)' });
  });

  it('shows a guard an unfinished run left armed, and needs attention for it (the next apply resolves it)', () => {
    const guard = { unit: 'homelab-wizard-guard-demo-harden-firewall-rules', path: '/opt/homelab/demo/guards/harden-firewall-rules.sh', meta: { step: 'harden.firewall.rules', runId: 'killed', seconds: 180, prove: 'current' as const }, timer: 'active', service: 'inactive', age: 60 };
    const s = hostStatus(plan({ guards: [guard] }), inventory());
    expect(s.guards).toEqual(['guard of harden.firewall.rules armed by run killed: its timer reverts the step in about 120 s']);
    expect(s.attention).toBe(true);
    expect(hostStatus(plan(), inventory()).guards).toEqual([]);
  });
});
