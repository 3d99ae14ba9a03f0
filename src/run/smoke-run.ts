import type { SecretSource } from '../engine/secret-source.js';
import type { ExecResult } from '../engine/runner.js';
import type { Command } from '../plan/command.js';
import { redact, Secret } from '../lib/secret.js';
import type { Host, Profile } from '../profile/schema.js';
import { smokePlan, type SiteCheck, type SmokePlan } from '../smoke/checks.js';
import { evaluateHost, hostUnavailable, parseHostFacts, hostScript, type HostFacts } from '../smoke/host-script.js';
import type { CheckResult, HostSmoke } from '../smoke/results.js';
import { evaluateSite } from '../smoke/site-result.js';
import { hostLayout } from '../steps/host-layout.js';
import { fetchSite as httpsFetch, type SiteFetcher } from './site-probe.js';

/** What the smoke runner needs of a host connection: one command, run once. */
export interface SmokeRunner {
  readonly target: string;
  exec(command: Command): Promise<ExecResult>;
}

export interface SmokeInputs {
  readonly profile: Profile;
  readonly hosts: readonly Host[];
  /** The host's connection (the run's pooled one); rejects when the host cannot be reached. */
  readonly runner: (host: string) => Promise<SmokeRunner>;
  /** The vault: each app's database password. */
  readonly secrets: SecretSource;
  readonly fetchSite?: SiteFetcher;
  readonly now?: () => Date;
  /** Where Caddy listens on the host's address. */
  readonly httpsPort?: number;
}

/**
 * The smoke checks of the given hosts, side by side: on each host one command (one round trip)
 * for every host-side check, then the sites from this machine through Caddy. Never throws for
 * a host: an unreachable host is a FAIL of its checks, with the reason. Also what `redeploy`
 * calls after a deploy.
 */
export async function runSmoke(inputs: SmokeInputs): Promise<HostSmoke[]> {
  return Promise.all(inputs.hosts.map((host) => smokeHost(inputs, host)));
}

async function smokeHost(inputs: SmokeInputs, host: Host): Promise<HostSmoke> {
  const plan = smokePlan(inputs.profile, host);
  if (plan.address === undefined) {
    return { host: host.name, results: [...hostUnavailable(plan, 'SKIP', 'no address yet (not provisioned)'), ...sitesUnavailable(plan, 'SKIP', 'no address yet (not provisioned)')] };
  }
  const hasHostChecks = plan.checks.some((c) => c.kind !== 'site');
  let target: string | undefined;
  let hostResults: CheckResult[] = [];
  let facts: HostFacts | undefined;
  let hostProblem: string | undefined;
  if (hasHostChecks || plan.internalCa) {
    try {
      const runner = await inputs.runner(host.name);
      target = runner.target;
      const script = hostScript(plan, `${hostLayout(inputs.profile).project}/current`);
      const passwords: Secret[] = [];
      const missing = new Set<string>();
      for (const key of script.passwordKeys) {
        const value = await inputs.secrets.get(key);
        if (value === undefined) missing.add(key);
        passwords.push(value ?? Secret.of(''));
      }
      const stdin = Secret.of(passwords.map((p) => `${Buffer.from(p.reveal(), 'utf8').toString('base64')}\n`).join(''));
      const result = await runner.exec({ argv: script.argv, stdin });
      facts = parseHostFacts(result.stdout);
      const clean = (text: string): string => redact(text, passwords);
      hostResults = evaluateHost(plan, facts, missing).map((r) => ({ ...r, reason: clean(r.reason) }));
      if (result.code !== 0 && !result.stdout.includes('cur\t')) hostProblem = `the smoke script failed on the host (exit ${result.code}): ${clean(result.stderr.trim().split('\n').at(-1) ?? '')}`;
    } catch (error) {
      hostProblem = `no connection: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (hostProblem !== undefined) hostResults = hostUnavailable(plan, 'FAIL', hostProblem);
  }

  const sites = plan.checks.filter((c): c is SiteCheck => c.kind === 'site');
  let siteResults: CheckResult[];
  if (sites.length > 0 && plan.internalCa && !facts?.caRoot) {
    siteResults = sitesUnavailable(plan, 'FAIL', hostProblem ? `Caddy's internal root certificate could not be read (${hostProblem})` : "Caddy's internal root certificate could not be read from the caddy container (/data/caddy/pki/authorities/local/root.crt)");
  } else {
    const fetch = inputs.fetchSite ?? httpsFetch;
    const now = inputs.now ?? (() => new Date());
    siteResults = await Promise.all(
      sites.map(async (check) => {
        const outcome = await fetch({ address: plan.address as string, port: inputs.httpsPort ?? 443, name: check.name, path: check.path, ...(facts?.caRoot ? { ca: facts.caRoot } : plan.expectedCa ? { ca: plan.expectedCa } : {}) });
        return evaluateSite(check, outcome, now());
      }),
    );
  }
  return { host: host.name, ...(target ? { target } : {}), results: [...hostResults, ...siteResults] };
}

function sitesUnavailable(plan: SmokePlan, status: 'FAIL' | 'SKIP', reason: string): CheckResult[] {
  return plan.checks.flatMap((c): CheckResult[] => (c.kind === 'site' ? [{ id: c.id, service: c.service, where: 'operator', describe: c.describe, status, reason }] : []));
}
