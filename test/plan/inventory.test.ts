import { describe, expect, it } from 'vitest';
import { healthOf, imageTag, inventoryNeedsAttention, summarizeInventory, type ContainerFacts, type InventoryFacts, type PinnedService } from '../../src/plan/inventory.js';

const pinned: PinnedService[] = [
  { id: 'postgresql', image: 'reg:5000/library/postgres:18.1-bookworm', composeProject: 'lab-infra', hasHealthCheck: true },
  { id: 'grafana', image: 'reg:5000/grafana/grafana:12.3.2', composeProject: 'lab', hasHealthCheck: true },
];
const running = (service: string, image: string, project: string, state = 'running', status = 'Up 2 minutes (healthy)'): ContainerFacts => ({ project, service, image, state, status });
const state = (files: Record<string, string>, release = 'abc123abc123'): string => JSON.stringify({ release, services: {}, files });

function facts(over: Partial<InventoryFacts> = {}): InventoryFacts {
  return {
    docker: true,
    containers: [running('postgresql', pinned[0]!.image, 'lab-infra'), running('grafana', pinned[1]!.image, 'lab')],
    stateJson: state({ 'docker-compose.yml': 'aa', 'env/grafana.env': 'bb' }),
    current: 'releases/abc123abc123',
    files: [{ path: 'docker-compose.yml', sha256: 'aa' }, { path: 'env/grafana.env', sha256: 'bb' }],
    ...over,
  };
}

describe('host inventory', () => {
  it('is in sync when every service runs its pinned image healthy and every file matches state.json', () => {
    const inv = summarizeInventory(facts(), pinned);
    expect(inv.services.map((s) => [s.service, s.runningTag, s.pinnedTag, s.health, s.problem])).toEqual([
      ['postgresql', '18.1-bookworm', '18.1-bookworm', 'healthy', null],
      ['grafana', '12.3.2', '12.3.2', 'healthy', null],
    ]);
    expect(inv).toMatchObject({ release: 'abc123abc123', current: 'abc123abc123', drifted: [], unexpected: [], notes: [] });
    expect(inventoryNeedsAttention(inv)).toBe(false);
  });

  it('names files edited, removed or added by hand under current/', () => {
    const inv = summarizeInventory(facts({ files: [{ path: 'docker-compose.yml', sha256: 'zz' }, { path: 'notes.txt', sha256: 'cc' }] }), pinned);
    expect(inv.drifted).toEqual([
      { path: 'docker-compose.yml', change: 'modified' },
      { path: 'env/grafana.env', change: 'missing' },
      { path: 'notes.txt', change: 'added' },
    ]);
    expect(inventoryNeedsAttention(inv)).toBe(true);
  });

  it('reports a missing, stopped, unhealthy or starting service, and one off its pinned version', () => {
    const cases: [ContainerFacts[], string][] = [
      [[running('postgresql', pinned[0]!.image, 'lab-infra')], 'no container'],
      [[running('postgresql', pinned[0]!.image, 'lab-infra'), running('grafana', pinned[1]!.image, 'lab', 'exited', 'Exited (0) 5 seconds ago')], 'exited (Exited (0) 5 seconds ago)'],
      [[running('postgresql', pinned[0]!.image, 'lab-infra'), running('grafana', pinned[1]!.image, 'lab', 'running', 'Up 1 minute (unhealthy)')], 'unhealthy'],
      [[running('postgresql', pinned[0]!.image, 'lab-infra'), running('grafana', pinned[1]!.image, 'lab', 'running', 'Up 3 seconds (health: starting)')], 'health check still starting'],
      [[running('postgresql', pinned[0]!.image, 'lab-infra'), running('grafana', 'reg:5000/grafana/grafana:12.2.0', 'lab')], 'runs reg:5000/grafana/grafana:12.2.0, the profile pins reg:5000/grafana/grafana:12.3.2'],
    ];
    for (const [containers, problem] of cases) {
      const inv = summarizeInventory(facts({ containers }), pinned);
      expect(inv.services[1]?.problem, problem).toContain(problem);
      expect(inv.services[0]?.problem).toBeNull();
      expect(inventoryNeedsAttention(inv)).toBe(true);
    }
    expect(summarizeInventory(facts({ containers: [] }), pinned).services[1]).toMatchObject({ state: 'missing', runningImage: null, health: null });
    // Starting, but its own health test passed (the deploy gate's verdict): healthy enough, and said so.
    const passed = summarizeInventory(facts({ containers: [running('postgresql', pinned[0]!.image, 'lab-infra'), { ...running('grafana', pinned[1]!.image, 'lab', 'running', 'Up 3 seconds (health: starting)'), ownTest: 'pass' }] }), pinned);
    expect(passed.services[1]).toMatchObject({ health: 'starting', ownTestPassed: true, problem: null });
    expect(inventoryNeedsAttention(passed)).toBe(false);
  });

  it('lists containers of the project that the profile does not have, and says when state.json and current disagree', () => {
    const inv = summarizeInventory(facts({ containers: [...facts().containers, running('qdrant', 'qdrant/qdrant:1', 'lab-infra')], current: 'releases/fff000fff000' }), pinned);
    expect(inv.unexpected).toEqual(['qdrant']);
    expect(inv.notes.join('\n')).toContain('state.json records release abc123abc123, but current points to fff000fff000');
    expect(inv.drifted).toEqual([]);
    expect(inventoryNeedsAttention(inv)).toBe(true);
  });

  it('explains a host never deployed, an unreadable state.json, an old one without checksums, and no Docker', () => {
    expect(summarizeInventory(facts({ stateJson: null, current: null, files: null }), pinned).notes).toEqual(['no state.json: nothing was deployed here yet']);
    expect(summarizeInventory(facts({ stateJson: '{oops' }), pinned).notes[0]).toContain('state.json is not readable');
    expect(summarizeInventory(facts({ stateJson: JSON.stringify({ release: 'abc123abc123', services: {} }) }), pinned).notes[0]).toContain('no file checksums');
    expect(summarizeInventory(facts({ docker: false, containers: [] }), pinned).notes).toContain('Docker does not answer on this host');
  });

  it('reads tags and health from docker ps', () => {
    expect(imageTag('reg:5000/grafana/grafana:12.3.2')).toBe('12.3.2');
    expect(imageTag('reg:5000/grafana/grafana')).toBe('latest');
    expect(healthOf('Up 5 seconds (health: starting)')).toBe('starting');
    expect(healthOf('Up 5 seconds')).toBe('none');
  });
});
