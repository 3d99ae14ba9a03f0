import { createHmac } from 'node:crypto';
import { NETWORKS } from '../../catalog/networks.js';
import { WizardError } from '../../errors.js';
import { Secret } from '../../lib/secret.js';
import type { DirSpec, FileSpec, Step } from '../../plan/step.js';
import type { Host, Profile } from '../../profile/schema.js';
import { networkName } from '../../render/compose.js';
import { renderRelease, type Release } from '../../render/release.js';
import { BUILTIN_TEMPLATES, type Templates } from '../../render/templates.js';
import { fileOwner, MANIFEST_FILE, manifestOf, manifestText, stateText } from '../../render/release-manifest.js';
import type { MaybeSecret } from '../../render/service-env.js';
import { provisionSql, type DatabaseGrant } from '../../render/sql.js';
import { hostLayout } from '../host-layout.js';
import { shScript } from '../../shell/script.js';
import { CURRENT_IS, FILE_HOLDS, MARKER_WRITE, NETWORK_APPLY, NETWORK_CHECK, PRUNE_RELEASES, RELEASE_SEED, STACK_CHECK, STACK_UP, SWITCH_CURRENT } from '../../remote/generated-scripts.js';
import { acmeDnsSteps } from './acme-dns.js';
import { healthBounds } from './health-gate.js';
import { layoutSteps } from './layout.js';
import { n8nOwnerSteps } from './n8n-owner.js';
import { qdrantCollectionSteps } from './qdrant.js';

/** A release is named by its content: the same profile and secrets give the same release. */
export function releaseId(release: Release): string {
  return manifestOf(release).release;
}

const sh = (script: string, ...args: string[]): string[] => shScript(script, 'homelab-wizard', args);

// The deploy's remote scripts (src/remote/*.sh, each header documents its arguments), exported
// here too because day-2 code imports them from this module.
export { PRUNE_RELEASES, STACK_CHECK, STACK_UP, SWITCH_CURRENT };

/**
 * The deploy phase of one host (DESIGN §4): project layout, networks (one owner: this tool), data
 * folders owned by each container's uid, a release folder per content, infra up and health-gated,
 * one database and one user per app, apps up and health-gated, `current` switched atomically,
 * `state.json`, old releases pruned.
 */
export function deploySteps(profile: Profile, host: Host, secret: MaybeSecret, templates: Templates = BUILTIN_TEMPLATES): Step[] {
  const layout = hostLayout(profile);
  const base = layoutSteps(profile, host, templates);
  const release = renderRelease({ profile, host, projectDir: layout.project, secret, templates });
  const compose = release.services.filter((s) => s.entry.placement.kind === 'compose');
  if (compose.length === 0) return base;
  if (release.missingSecrets.length > 0) {
    throw new WizardError(
      'secret-missing',
      `${host.name}: the vault has no ${release.missingSecrets.join(', ')}`,
      'run `homelab-wizard init` again (it generates the internal secrets of every enabled service), or `homelab-wizard secrets set KEY --generate`',
    );
  }
  const manifest = manifestOf(release);
  const id = manifest.release;
  const dir = `${layout.releases}/${id}`;
  const at = (file: string): string => `${dir}/${file}`;
  const steps: Step[] = [...base];
  const project = profile.project.name;

  const used = new Set(compose.flatMap((s) => s.entry.networks));
  for (const net of NETWORKS.filter((n) => used.has(n.name))) {
    const name = networkName(project, net.name);
    steps.push({
      id: `deploy.network.${net.name}`,
      describe: `Network ${name} (${net.subnet}${net.internal ? ', internal' : ''})`,
      host: host.name,
      check: { argv: sh(NETWORK_CHECK, name, net.subnet, String(net.internal)) },
      apply: [
        {
          argv: sh(NETWORK_APPLY, name, net.subnet, String(net.internal), project),
        },
      ],
      risk: 'safe',
      effect: 'create',
    });
  }

  const dataDirs: DirSpec[] = compose.flatMap((s) => s.entry.dataDirs.map((d) => ({ path: `${layout.data}/${d.path}`, mode: d.mode, owner: `${d.uid}:${d.gid}` })));
  const parents = [...new Set(dataDirs.map((d) => d.path.split('/').slice(0, -1).join('/')).filter((p) => p !== layout.data))];
  if (dataDirs.length > 0) {
    steps.push({
      id: 'deploy.data.folders',
      describe: 'Data folders, owned by the user each container runs as',
      host: host.name,
      check: null,
      dirs: [...parents.map((p) => ({ path: p, mode: '0755', owner: 'root:root' })), ...dataDirs],
      apply: [],
      risk: 'safe',
    });
  }
  // Before Caddy starts: in DNS-01 mode it serves only the certificate lego put in place.
  steps.push(...acmeDnsSteps(profile, host, secret, templates));

  const folders = [...new Set(release.files.map((f) => f.path.split('/').slice(0, -1).join('/')).filter(Boolean))].sort();
  steps.push(
    {
      id: 'deploy.release.seed',
      describe: `Release folder ${id}, started from the current release so only changed files are uploaded`,
      host: host.name,
      check: { argv: ['test', '-d', dir] },
      apply: [{ argv: sh(RELEASE_SEED, dir, layout.project) }],
      risk: 'safe',
      effect: 'create',
    },
    {
      id: 'deploy.release.files',
      describe: `Compose files, env files and configs of release ${id}`,
      host: host.name,
      check: null,
      dirs: [{ path: dir, mode: '0750', owner: 'root:root' }, ...folders.map((f) => ({ path: at(f), mode: '0750', owner: 'root:root' }))],
      files: [
        ...release.files.map((f): FileSpec => ({ path: at(f.path), mode: f.mode, owner: fileOwner(f), content: f.content })),
        // It holds digests of secret files: root only, and shown in plans as a secret.
        { path: at(MANIFEST_FILE), mode: '0600', owner: 'root:root', content: Secret.of(manifestText(manifest)) },
      ],
      apply: [],
      risk: 'safe',
    },
  );

  const stack = (file: 'infra' | 'apps'): Step | undefined => {
    const services = compose.filter((s) => s.entry.placement.kind === 'compose' && s.entry.placement.file === file);
    if (services.length === 0) return undefined;
    const composeProject = file === 'infra' ? `${project}-infra` : project;
    const composeFile = file === 'infra' ? 'docker-compose-infra.yml' : 'docker-compose.yml';
    const expected = services.map((s) => `${s.id}=${release.inputs.get(s.id)}`).join('\n');
    return {
      id: `deploy.stack.${file}`,
      describe: `${file === 'infra' ? 'Infrastructure' : 'Apps'} up and healthy: ${services.map((s) => s.id).join(', ')}`,
      host: host.name,
      check: { argv: sh(STACK_CHECK, composeProject, expected) },
      checkReports: true,
      apply: [{ argv: sh(STACK_UP, dir, composeProject, composeFile, layout.project, expected, healthBounds(services.map((s) => s.id))) }],
      risk: 'disruptive',
      effect: 'update',
    };
  };

  const infra = stack('infra');
  if (infra) steps.push(infra);
  // Qdrant is in the infra file: up and healthy now, before the apps that use its collections.
  steps.push(...qdrantCollectionSteps(profile, host, compose.some((s) => s.id === 'qdrant')));
  const grants: DatabaseGrant[] = compose
    .filter((s) => s.entry.database !== undefined)
    .map((s) => ({ database: s.entry.database!.name, user: s.entry.database!.user, password: secret(`${s.id}.dbPassword`) ?? Secret.of(''), extensions: s.entry.database!.extensions }));
  // Keyed, so the markers on the host tell nothing about the passwords.
  const markerKey = secret('homelab-wizard.fingerprintSalt')?.reveal() ?? 'homelab-wizard';
  const marker = (what: string): string => createHmac('sha256', markerKey).update(what).digest('hex');
  const state = `${layout.project}/state`;
  const writeMarker = (file: string, value: string) => ({ argv: sh(MARKER_WRITE, state, file, value) });
  if (compose.some((s) => s.id === 'postgresql')) {
    const superuser = secret('postgresql.superuserPassword');
    const sql = provisionSql(grants, superuser ? { user: 'postgres', password: superuser } : undefined);
    const provisioned = marker(sql);
    steps.push({
      id: 'deploy.postgresql.databases',
      describe: `Superuser password${grants.length > 0 ? `, and one database and one user with its own password per app: ${grants.map((g) => g.database).join(', ')}` : ''}`,
      host: host.name,
      check: { argv: sh(FILE_HOLDS, `${state}/postgresql-provisioned`, provisioned) },
      apply: [
        // Local socket, trust auth inside the container: works whatever password the roles have now.
        { argv: ['docker', 'compose', '-p', `${project}-infra`, '-f', at('docker-compose-infra.yml'), 'exec', '-T', 'postgresql', 'psql', '-q', '-U', 'postgres', '-d', 'postgres'], stdin: Secret.of(sql) },
        writeMarker('postgresql-provisioned', provisioned),
      ],
      risk: 'safe',
      effect: 'update',
    });
  }
  const apps = stack('apps');
  if (apps) steps.push(apps);
  const grafanaAdmin = compose.some((s) => s.id === 'grafana') ? secret('grafana.adminPassword') : undefined;
  if (grafanaAdmin !== undefined) {
    // GF_SECURITY_ADMIN_PASSWORD seeds the admin only on the first start; after that the password
    // lives in Grafana's database, and only the Grafana CLI changes it (reads one line of stdin).
    const set = marker(`grafana-admin\0${profile.admins.grafanaUser}\0${grafanaAdmin.reveal()}`);
    steps.push({
      id: 'deploy.grafana.admin-password',
      describe: `Grafana admin password (${profile.admins.grafanaUser}) set inside Grafana's database`,
      host: host.name,
      check: { argv: sh(FILE_HOLDS, `${state}/grafana-admin-password`, set) },
      apply: [
        {
          argv: ['docker', 'compose', '-p', project, '-f', at('docker-compose.yml'), 'exec', '-T', 'grafana', 'grafana', 'cli', '--homepath', '/usr/share/grafana', '--config', '/etc/grafana/grafana.ini', 'admin', 'reset-admin-password', '--password-from-stdin'],
          stdin: grafanaAdmin.map((p) => `${p}\n`),
        },
        writeMarker('grafana-admin-password', set),
      ],
      risk: 'safe',
      effect: 'update',
    });
  }

  // After the apps are up: the owner is created through n8n's own API.
  steps.push(...n8nOwnerSteps(profile, host, compose.map((s) => s.id), secret));

  steps.push(
    {
      id: 'deploy.release.current',
      describe: `current → releases/${id}`,
      host: host.name,
      check: { argv: sh(CURRENT_IS, layout.project, id) },
      apply: [{ argv: sh(SWITCH_CURRENT, layout.project, id) }],
      risk: 'safe',
      effect: 'update',
    },
    {
      id: 'deploy.release.state',
      describe: 'state.json: what runs, with the inputs of each service and the checksum of each file of the release',
      host: host.name,
      check: null,
      // 0600 and never shown in a diff: it holds checksums of env files, which hold secrets.
      files: [{ path: `${layout.project}/state.json`, mode: '0600', owner: 'root:root', content: Secret.of(stateText(manifest)) }],
      apply: [],
      risk: 'safe',
    },
    {
      id: 'deploy.release.prune',
      describe: `Keep the ${profile.deploy.keepReleases} newest releases (and any release a container still mounts a file from)`,
      host: host.name,
      check: { argv: sh(PRUNE_RELEASES, layout.releases, String(profile.deploy.keepReleases), `${project}-infra ${project}`, 'check') },
      apply: [{ argv: sh(PRUNE_RELEASES, layout.releases, String(profile.deploy.keepReleases), `${project}-infra ${project}`) }],
      risk: 'safe',
      effect: 'delete',
    },
  );
  return steps;
}
