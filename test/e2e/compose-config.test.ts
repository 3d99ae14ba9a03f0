import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret, isSecret } from '../../src/lib/secret.js';
import { renderEnvFile } from '../../src/render/env-file.js';
import { dockerBinary } from '../../src/sandbox/docker-cli.js';
import { NASTY, release, writeRelease } from '../helpers/release-fixture.js';

/**
 * What Compose itself makes of the rendered files. Here and not in the fast suite: it needs the
 * Compose v2 plugin, which bootstrap.sh installs before this suite runs (Debian 12 has none).
 */
const docker = dockerBinary(process.env);

describe('rendered files, read by Docker Compose', () => {
  it('quotes env values so that Compose reads every byte back', () => {
    const values = [NASTY, 'ends with quote"', "ends with single'", 'line1\nline2', 'cr\rlf', '\\', '"', '$', 'a\\$b', '${HOME:-x}', ' padded ', 'a=b', '#x'];
    const dir = mkdtempSync(path.join(tmpdir(), 'hlw-env-'));
    writeFileSync(path.join(dir, 'compose.yml'), 'services:\n  app:\n    image: stand-in/none:1\n    env_file: [app.env]\n');
    const env = renderEnvFile(values.map((v, i) => [`V${i}`, Secret.of(v)] as const));
    writeFileSync(path.join(dir, 'app.env'), isSecret(env) ? env.reveal() : env);
    const out = JSON.parse(execFileSync(docker, ['compose', 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8' }));
    // `config` prints a compose file, where a literal $ is written $$.
    const got = Object.fromEntries(Object.entries(out.services.app.environment as Record<string, string>).map(([k, v]) => [k, v.replace(/\$\$/g, '$')]));
    values.forEach((v, i) => expect(got[`V${i}`], JSON.stringify(v)).toBe(v));
  });

  it('renders compose files that `docker compose config` accepts, with the hardening of vpai-system §4.4', () => {
    for (const [name, host] of [['minimal', 0], ['vpai', 0], ['vpai', 1]] as const) {
      const r = release(name, host);
      expect(r.missingSecrets).toEqual([]);
      const dir = writeRelease(r);
      for (const file of ['docker-compose-infra.yml', 'docker-compose.yml']) {
        const res = spawnSync(docker, ['compose', '-f', file, 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
        expect(res.status, `${name}/${host}/${file}: ${res.stderr}`).toBe(0);
        const model = JSON.parse(res.stdout);
        for (const [id, svc] of Object.entries(model.services as Record<string, any>)) {
          expect(svc.cap_drop, id).toEqual(['ALL']);
          expect(svc.security_opt, id).toEqual(['no-new-privileges:true']);
          expect(svc.restart, id).toBe('unless-stopped');
          expect(svc.healthcheck?.test, id).toBeDefined();
          expect(svc.labels['homelab-wizard.inputs'], id).toMatch(/^[0-9a-f]{64}$/);
          for (const net of Object.keys(svc.networks ?? {})) expect(model.networks[net].external, `${id} ${net}`).toBe(true);
        }
      }
    }
  });
});
