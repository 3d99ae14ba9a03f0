import { createHmac } from 'node:crypto';
import { NETWORKS } from '../../catalog/networks.js';
import { WizardError } from '../../errors.js';
import { Secret } from '../../lib/secret.js';
import type { DirSpec, FileSpec, Step } from '../../plan/step.js';
import type { Host, Profile } from '../../profile/schema.js';
import { INPUTS_LABEL, networkName } from '../../render/compose.js';
import { renderRelease, type Release } from '../../render/release.js';
import { BUILTIN_TEMPLATES, type Templates } from '../../render/templates.js';
import { fileOwner, MANIFEST_FILE, manifestOf, manifestText, stateText } from '../../render/release-manifest.js';
import type { MaybeSecret } from '../../render/service-env.js';
import { provisionSql, type DatabaseGrant } from '../../render/sql.js';
import { hostLayout } from '../host-layout.js';
import { DEFAULT_HEALTH_TIMEOUT_SECONDS, HEALTH_GATE, healthBounds } from './health-gate.js';
import { layoutSteps } from './layout.js';

/** A release is named by its content: the same profile and secrets give the same release. */
export function releaseId(release: Release): string {
  return manifestOf(release).release;
}

const sh = (script: string, ...args: string[]): string[] => ['sh', '-c', script, 'homelab-wizard', ...args];

/**
 * Converged when every expected service runs healthy with the expected inputs, and nothing else
 * runs. Healthy as the gate judges it: a container Docker has not checked yet (`health: starting`)
 * counts when its own health test passes now, so a no-change run right after a deploy agrees.
 * Prints one line per service that is not converged (the step has `checkReports`), so `plan` and
 * `status` say which service and why. Args: compose project, `svc=inputs` lines.
 */
export const STACK_CHECK = `${HEALTH_GATE}
running=$(docker ps --filter "label=com.docker.compose.project=$1" --format '{{.Label "com.docker.compose.service"}}=${'{{'}.Label "${INPUTS_LABEL}"${'}}'} {{.Status}}' 2>/dev/null) || { echo "docker ps failed: the containers could not be read"; exit 1; }
said=$(printf '%s\\n' "$2" | while IFS= read -r want; do
  [ -n "$want" ] || continue
  svc=\${want%%=*}
  mine=$(printf '%s\\n' "$running" | while IFS= read -r l; do case "$l" in "$svc="*) printf '%s\\n' "$l" ;; esac; done)
  line=$(printf '%s\\n' "$mine" | grep -F -- "$want Up" | head -n 1)
  case "$line" in
    *'(healthy)'*) ;;
    *'(health: starting)'*) hlw_gate "$1" 0 "$svc" >/dev/null 2>&1 || echo "$svc: starting, and its own health test fails" ;;
    '') case "$mine" in
          '') echo "$svc: not running: apply starts it" ;;
          "$want "*) echo "$svc: not up (\${mine#* })" ;;
          *) echo "$svc: its compose definition (limits, ports, healthcheck, volumes, ...), image, env file or configs differ from what runs: apply recreates its container" ;;
        esac ;;
    *) echo "$svc: not healthy (\${line#* })" ;;
  esac
done
printf '%s\\n' "$running" | while IFS= read -r l; do
  [ -n "$l" ] || continue
  svc=\${l%%=*}
  printf '%s\\n' "$2" | grep -qx -- "$svc=.*" || echo "$svc: runs but is not in this release: removed by apply"
done)
n_run=$(printf '%s\\n' "$running" | grep -c .)
n_want=$(printf '%s\\n' "$2" | grep -c .)
[ -n "$said" ] || [ "$n_run" = "$n_want" ] || said="$n_run containers run for $n_want services: the extra ones are removed by apply"
[ -z "$said" ] && exit 0
printf '%s\\n' "$said"
exit 1`;

/**
 * Up (`compose up -d`) and health-gated (HEALTH_GATE, every service of `$5` when nothing needed
 * recreating), for the services that need it only: those whose inputs label differs or that do
 * not run healthy. A plain `up` of the whole file would recreate every service, because compose
 * hashes the env-file path and the bind-mount sources, and both live in the release folder, whose
 * name changes with every release. On a failed gate the same services are brought back from the
 * previous release and the step fails with the reason: the stack never stays half-deployed.
 * The gate's progress lines go to stdout (fd 3) while its reason is kept from stderr.
 * Args: release dir, compose project, compose file, project dir, `svc=inputs` lines, the gate's
 * bounds (`svc=SECONDS ...`, healthBounds).
 */
export const STACK_UP = `${HEALTH_GATE}
exec 3>&1
cd "$1" || exit 1
svcs=$(printf '%s\\n' "$5" | while IFS='=' read -r svc want; do
  [ -n "$svc" ] || continue
  st=$(docker ps --filter "label=com.docker.compose.project=$2" --filter "label=com.docker.compose.service=$svc" --filter "label=${INPUTS_LABEL}=$want" --filter status=running --format '{{.Status}}')
  case "$st" in
    *'(healthy)'*) ;;
    *'(health: starting)'*) hlw_gate "$2" 0 "$svc" 2>/dev/null || printf '%s ' "$svc" ;;
    *) printf '%s ' "$svc" ;;
  esac
done)
# Nothing changed (an orphan or a missing network made the check fail): keep every container as it is.
extra=''
gate=$svcs
[ -n "$svcs" ] || { extra=--no-recreate; gate=$(printf '%s\\n' "$5" | sed -n 's/=.*//p' | tr '\\n' ' '); }
# shellcheck disable=SC2086
gate=$(hlw_bounded "$6" $gate)
why=''
# shellcheck disable=SC2086
if docker compose -p "$2" -f "$3" up -d --remove-orphans --quiet-pull $extra $svcs; then why=$(hlw_gate "$2" ${DEFAULT_HEALTH_TIMEOUT_SECONDS} $gate 2>&1 >&3) && exit 0; fi
echo "health gate failed: $3 of release $(basename "$1") did not come up healthy:" >&2
[ -z "$why" ] || printf '%s\\n' "$why" >&2
docker compose -p "$2" -f "$3" ps -a --format '  {{.Service}}: {{.Status}}' >&2
prev=$(readlink "$4/current" 2>/dev/null || true)
if [ -n "$prev" ] && [ "$4/$prev" != "$1" ] && [ -f "$4/$prev/$3" ]; then
  # shellcheck disable=SC2086
  if (cd "$4/$prev" && docker compose -p "$2" -f "$3" up -d --remove-orphans $extra $svcs >/dev/null 2>&1 && hlw_gate "$2" ${DEFAULT_HEALTH_TIMEOUT_SECONDS} $gate 2>/dev/null); then
    echo "restored the previous release $(basename "$prev"); it is running" >&2
  else
    echo "the previous release $(basename "$prev") did not come back healthy either" >&2
  fi
fi
exit 1`;

/**
 * Switch `current` atomically, then append who (this run's lock: owner, machine, command) and when
 * to the host's append-only `history.jsonl`, which `rollback` lists. Args: project dir, release id.
 */
export const SWITCH_CURRENT = `cd "$1" || exit 1
ln -sfn "releases/$2" current.new && mv -T current.new current || exit 1
by=$(tr -d '\\n' < lock/info.json 2>/dev/null | grep . || echo null)
printf '{"at":"%s","release":"%s","by":%s}\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$2" "$by" >> history.jsonl`;

/**
 * Old releases, newest first, beyond the newest N: never `current`, and never a release a
 * container still mounts a file from (an unchanged service keeps the release it was created
 * from; pruning it would break that container's next start). A release that never went live (a
 * failed health gate, a run stopped before the switch: a folder with a release.json whose id
 * history.jsonl never recorded) is no rollback target: it does not count among the N, is removed
 * too, and is no reason for the check to fail, so it never shows as a change the operator made.
 * Args: releases dir, N, compose projects. With `check` as $4: exit 1 when a release beyond the
 * newest N would be removed, else 0.
 */
export const PRUNE_RELEASES = `cd "$1" || exit 1
keep=$(basename "$(readlink ../current)")
never=''
if [ -f ../history.jsonl ]; then
  live=" $(sed -n 's/.*"release":"\\([^"]*\\)".*/\\1/p' ../history.jsonl | tr '\\n' ' ') "
  never=$(ls -1 | grep -vxF -- "$keep" | while IFS= read -r r; do [ -f "$r/${MANIFEST_FILE}" ] || continue; case "$live" in *" $r "*) ;; *) printf '%s\\n' "$r" ;; esac; done)
fi
old=$(ls -1t | grep -vxF -- "$keep" | { if [ -n "$never" ]; then grep -vxF -- "$never"; else cat; fi; } | tail -n +"$2")
if [ "\${4:-}" = check ]; then candidates=$old; else candidates=$(printf '%s\\n%s\\n' "$old" "$never" | grep .); fi
# Nothing to remove: no need to ask Docker what is mounted (the common case).
[ -n "$candidates" ] || exit 0
used=" $(for pr in $3; do docker ps -aq --filter "label=com.docker.compose.project=$pr"; done | xargs -r docker inspect -f '{{range .Mounts}}{{println .Source}}{{end}}' 2>/dev/null | sed -n "s#^$1/\\([^/]*\\)/.*#\\1#p" | sort -u | tr '\\n' ' ') "
gone=$(printf '%s\\n' "$candidates" | while IFS= read -r r; do case "$used" in *" $r "*) ;; *) printf '%s\\n' "$r" ;; esac; done)
if [ "\${4:-}" = check ]; then [ -z "$gone" ]; exit; fi
printf '%s\\n' "$gone" | while IFS= read -r r; do [ -n "$r" ] && rm -rf -- "./$r"; done
exit 0`;

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
      check: { argv: sh(`[ "$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Internal}}' "$1" 2>/dev/null)" = "$2 $3" ]`, name, net.subnet, String(net.internal)) },
      apply: [
        {
          argv: sh(
            'docker network rm "$1" >/dev/null 2>&1; docker network create --driver bridge --subnet "$2" $( [ "$3" = true ] && echo --internal ) --label org.homelab-wizard.project="$4" "$1" >/dev/null',
            name,
            net.subnet,
            String(net.internal),
            project,
          ),
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

  const folders = [...new Set(release.files.map((f) => f.path.split('/').slice(0, -1).join('/')).filter(Boolean))].sort();
  steps.push(
    {
      id: 'deploy.release.seed',
      describe: `Release folder ${id}, started from the current release so only changed files are uploaded`,
      host: host.name,
      check: { argv: ['test', '-d', dir] },
      apply: [{ argv: sh('install -d -m 0750 "$1" && if [ -d "$2/current/" ]; then cp -a "$2/current/." "$1/"; fi', dir, layout.project) }],
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
  const grants: DatabaseGrant[] = compose
    .filter((s) => s.entry.database !== undefined)
    .map((s) => ({ database: s.entry.database!.name, user: s.entry.database!.user, password: secret(`${s.id}.dbPassword`) ?? Secret.of(''), extensions: s.entry.database!.extensions }));
  // Keyed, so the markers on the host tell nothing about the passwords.
  const markerKey = secret('homelab-wizard.fingerprintSalt')?.reveal() ?? 'homelab-wizard';
  const marker = (what: string): string => createHmac('sha256', markerKey).update(what).digest('hex');
  const state = `${layout.project}/state`;
  const writeMarker = (file: string, value: string) => ({ argv: sh('install -d -m 0700 "$1" && printf %s "$3" > "$1/$2"', state, file, value) });
  if (compose.some((s) => s.id === 'postgresql')) {
    const superuser = secret('postgresql.superuserPassword');
    const sql = provisionSql(grants, superuser ? { user: 'postgres', password: superuser } : undefined);
    const provisioned = marker(sql);
    steps.push({
      id: 'deploy.postgresql.databases',
      describe: `Superuser password${grants.length > 0 ? `, and one database and one user with its own password per app: ${grants.map((g) => g.database).join(', ')}` : ''}`,
      host: host.name,
      check: { argv: sh('[ "$(cat "$1/postgresql-provisioned" 2>/dev/null)" = "$2" ]', state, provisioned) },
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
      check: { argv: sh('[ "$(cat "$1/grafana-admin-password" 2>/dev/null)" = "$2" ]', state, set) },
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

  steps.push(
    {
      id: 'deploy.release.current',
      describe: `current → releases/${id}`,
      host: host.name,
      check: { argv: sh('[ "$(readlink "$1/current")" = "releases/$2" ]', layout.project, id) },
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
