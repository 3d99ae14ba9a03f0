import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { hostServices } from '../../src/profile/effective.js';
import { serviceEnv } from '../../src/render/service-env.js';
import { freePort } from '../helpers/sshd.js';
import { stopProcess, untilAnswers } from '../helpers/stand-in-process.js';
import { REPO, validExample } from '../helpers/profiles.js';

/**
 * The NocoDB STAND-IN (templates/sandbox/stand-ins/nocodb_stand_in.py) on this machine's python3,
 * from the environment the tool renders for NocoDB: it refuses to start without a database URL it
 * can read, a JWT secret, or a complete S3 setting, and logs in to PostgreSQL with NC_DB's
 * credentials before it answers. Here psql is a stand-in script that accepts one password (the
 * sandbox e2e suite logs in to the real PostgreSQL).
 */
const STAND_INS = path.join(REPO, 'templates/sandbox/stand-ins');
const SCRIPT = path.join(STAND_INS, 'nocodb_stand_in.py');
const dir = mkdtempSync(path.join(tmpdir(), 'hlw-nocodb-stand-in-'));
const DB_PASSWORD = `pa'ss&w=rd ü`;
let server: ChildProcess | undefined;

// psql as the stand-in calls it: argv and the password it got (never on its command line) recorded.
writeFileSync(path.join(dir, 'psql'), [
  '#!/bin/sh',
  `printf '%s\\n' "$*" > "${dir}/psql-argv"`,
  `[ "$PGPASSWORD" = '${DB_PASSWORD.replace(/'/g, "'\\''")}' ] && { echo nocodb; exit 0; }`,
  'echo "psql: error: connection to server at \\"postgresql\\" (203.0.113.5), port 5432 failed: FATAL:  password authentication failed for user \\"nocodb\\"" >&2',
  'exit 2',
].join('\n'));
chmodSync(path.join(dir, 'psql'), 0o755);

/** NocoDB's env as the tool renders it for the vpai example (shared bucket), with the vault's values. */
function renderedEnv(): Record<string, string> {
  const profile = validExample('vpai');
  const host = profile.hosts.find((h) => h.services.some((s) => (typeof s === 'string' ? s : s.name) === 'nocodb'))!;
  const nocodb = hostServices(profile, host).find((s) => s.id === 'nocodb')!;
  const value = (key: string): Secret => Secret.of(key === 'nocodb.dbPassword' ? DB_PASSWORD : `value-of-${key}`);
  return Object.fromEntries(serviceEnv(profile, nocodb, value, value).map(([k, v]) => [k, typeof v === 'string' ? v : v.reveal()]));
}

function run(env: Record<string, string | undefined>): { code: number | null; stderr: string } {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const r = spawnSync('python3', [SCRIPT], {
    env: { PATH: `${dir}:${process.env['PATH']}`, PYTHONPATH: STAND_INS, STAND_IN_DB_WAIT_SECONDS: '0', STAND_IN_LISTEN: '127.0.0.1', PORT: '0', ...clean },
    encoding: 'utf8', timeout: 5000,
  });
  return { code: r.status, stderr: r.stderr };
}

afterAll(async () => {
  await stopProcess(server);
  rmSync(dir, { recursive: true, force: true });
});

describe('NocoDB stand-in', { timeout: 30_000 }, () => {
  const env = renderedEnv();
  it.each([
    ['no NC_DB', { NC_DB: undefined }, /NC_DB is not set/],
    ['another database client', { NC_DB: 'mysql2://db:3306?u=nocodb&p=x&d=nocodb' }, /NC_DB: unsupported database client 'mysql2'/],
    ['an NC_DB without user', { NC_DB: 'pg://postgresql:5432?p=x&d=nocodb' }, /NC_DB is not a database URL NocoDB can read: no u \(user\)/],
    ['no JWT secret', { NC_AUTH_JWT_SECRET: undefined }, /NC_AUTH_JWT_SECRET is not set/],
    ['a bucket without region', { NC_S3_REGION: undefined }, /S3 storage \(NC_S3_BUCKET_NAME=vpai-shared\) without NC_S3_REGION: NocoDB's S3 plugin requires/],
    ['a bucket without its keys', { NC_S3_ACCESS_KEY: undefined, NC_S3_ACCESS_SECRET: undefined }, /without NC_S3_ACCESS_KEY, NC_S3_ACCESS_SECRET/],
    ['an endpoint without scheme', { NC_S3_ENDPOINT: 'fsn1.your-objectstorage.com' }, /Invalid URL: NC_S3_ENDPOINT 'fsn1\.your-objectstorage\.com'/],
    ['a database password PostgreSQL refuses', { NC_DB: 'pg://postgresql:5432?u=nocodb&p=wrong&d=nocodb' }, /cannot connect to the database of NC_DB \(nocodb@postgresql:5432\/nocodb\): .*password authentication failed for user "nocodb"/],
  ])('refuses to start with %s, saying why', (_what, change, reason) => {
    const r = run({ ...env, ...change });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^nocodb stand-in: refusing to start: /);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).not.toContain(DB_PASSWORD);
  });

  it("starts from the tool's rendered env after logging in with NC_DB's credentials (password in psql's environment only), and answers /api/v1/health", async () => {
    const port = await freePort();
    server = spawn('python3', [SCRIPT], { env: { PATH: `${dir}:${process.env['PATH']}`, PYTHONPATH: STAND_INS, STAND_IN_LISTEN: '127.0.0.1', ...env, PORT: String(port) }, stdio: 'ignore' });
    await untilAnswers(`http://127.0.0.1:${port}/api/v1/health`, 'the NocoDB stand-in');
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).json()) as { message: string };
    expect(health.message).toBe('OK');
    const argv = readFileSync(path.join(dir, 'psql-argv'), 'utf8');
    expect(argv).toContain('-h postgresql -p 5432 -U nocodb -d nocodb');
    expect(argv).not.toContain(DB_PASSWORD);
  });
});
