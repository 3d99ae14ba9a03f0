import { describe, expect, it } from 'vitest';
import { smokePlan, type HostCheck } from '../../src/smoke/checks.js';
import { evaluateHost, hostScript, type HostFacts } from '../../src/smoke/host-script.js';
import { validExample } from '../helpers/profiles.js';

const profile = validExample('vpai');
const plan = smokePlan(profile, profile.hosts[0]!);
const ALIASES = profile.litellm.models.map((m) => m.alias);
const ID = 'openclaw.litellm';

describe('the openclaw.litellm smoke check', () => {
  it("is planned where OpenClaw runs, for LiteLLM's address and the profile's LiteLLM models", () => {
    const check = plan.checks.find((c) => c.id === ID) as Extract<HostCheck, { kind: 'openclaw-litellm' }>;
    expect(check).toEqual({
      id: ID, service: 'openclaw', kind: 'openclaw-litellm', target: { project: 'vpai', file: 'docker-compose.yml', service: 'openclaw' },
      provider: 'custom-litellm', baseUrl: 'http://litellm:4000/v1', models: ALIASES,
      describe: `OpenClaw's container reaches LiteLLM at http://litellm:4000/v1 with its configured key, and LiteLLM serves its ${ALIASES.length} models`,
    });
    const minimal = validExample('minimal');
    expect(smokePlan(minimal, minimal.hosts[0]!).checks.map((c) => c.id)).not.toContain(ID);
  });

  it("runs node in OpenClaw's container with the provider name only: no key on stdin or in argv", () => {
    const script = hostScript(plan, '/opt/homelab/vpai/current');
    expect(script.passwordKeys.filter((k) => k === 'litellm.masterKey')).toHaveLength(1); // litellm.models' own, not one for OpenClaw
    expect(script.argv[2]).toMatch(/exec -T openclaw node --no-warnings -e '.*' custom-litellm 2>&1\); fact \d+/s);
  });

  it('is judged from the host facts: PASS with every model served; FAIL with the reason; FAIL when the container has no node', () => {
    const index = plan.checks.findIndex((c) => c.id === ID);
    const facts = (code: number, output: string): HostFacts => ({
      deployed: true,
      containers: new Map([['vpai/openclaw', { state: 'running', status: 'Up 1 minute (healthy)' }]]),
      outputs: new Map([[index, { code, output }]]),
    });
    const result = (code: number, output: string) => evaluateHost(plan, facts(code, output)).find((r) => r.id === ID);
    const configured = ALIASES.map((a) => `configured\t${a}`).join('\n');
    const served = ALIASES.map((a) => `model\t${a}`).join('\n');
    expect(result(0, `baseUrl\thttp://litellm:4000/v1\n${configured}\nHTTP 200\n${served}\n`)).toMatchObject({ status: 'PASS', reason: `OpenClaw reaches LiteLLM at http://litellm:4000/v1 with its key; LiteLLM serves its ${ALIASES.length} models` });
    expect(result(0, `baseUrl\thttp://llm:4000/v1\n${configured}\nHTTP 200\n`)).toMatchObject({ status: 'FAIL', reason: "OpenClaw's config sends model requests to http://llm:4000/v1, not http://litellm:4000/v1" });
    expect(result(0, `baseUrl\thttp://litellm:4000/v1\nconfigured\tclaude-sonnet\nHTTP 200\n`)).toMatchObject({ status: 'FAIL', reason: expect.stringMatching(/^OpenClaw's models differ from the profile's LiteLLM models: missing claude-haiku, /) });
    expect(result(0, `baseUrl\thttp://litellm:4000/v1\n${configured}\nHTTP 401\n`)?.reason).toMatch(/refused OpenClaw's key \(401\)/);
    expect(result(2, `baseUrl\thttp://litellm:4000/v1\n${configured}\nerror ENOTFOUND\n`)).toMatchObject({ status: 'FAIL', reason: 'OpenClaw cannot call LiteLLM at http://litellm:4000/v1: ENOTFOUND' });
    expect(result(2, 'error /home/node/.openclaw/openclaw.json has no model provider custom-litellm\n')).toMatchObject({ status: 'FAIL', reason: '/home/node/.openclaw/openclaw.json has no model provider custom-litellm' });
    expect(result(127, 'OCI runtime exec failed: exec: "node": executable file not found in $PATH')).toMatchObject({ status: 'FAIL', reason: "OpenClaw's container has no node to run the check with" });
  });
});
