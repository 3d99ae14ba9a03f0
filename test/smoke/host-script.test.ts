import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokePlan, type SmokePlan } from '../../src/smoke/checks.js';
import { evaluateHost, hostScript, HTTP_IN_CONTAINER, parseHostFacts, type HostFacts } from '../../src/smoke/host-script.js';
import { validExample } from '../helpers/profiles.js';
import { ensureCommands } from '../helpers/system-packages.js';

const exec = promisify(execFile);
const profile = validExample('minimal', (raw) => {
  raw['domain'].tls = 'internal';
  raw['hosts'][0].services = ['docker', 'caddy', 'postgresql', 'redis', 'n8n'];
});
const plan = smokePlan(profile, profile.hosts[0]!);
const PASSWORD = `pa'ss "w" $HOME \\ ünï`;
const OWNER = `Own'er "1" $PATH ü`;

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const facts = (over: Partial<HostFacts> = {}): HostFacts => ({
  deployed: true,
  containers: new Map([
    ['minimal-infra/caddy', { state: 'running', status: 'Up 2 minutes (healthy)' }],
    ['minimal-infra/postgresql', { state: 'running', status: 'Up 2 minutes (healthy)' }],
    ['minimal-infra/redis', { state: 'running', status: 'Up 2 minutes (healthy)' }],
    ['minimal/n8n', { state: 'running', status: 'Up 1 minute (healthy)' }],
  ]),
  outputs: new Map(plan.checks.map((c, i) => [i, { code: 0, output: c.kind === 'db-login' ? 'n8n\n' : c.kind === 'n8n-owner-login' ? 'ok\n' : c.kind === 'command' ? c.expect : 'active' }])),
  ...over,
});
const status = (results: ReturnType<typeof evaluateHost>): Record<string, string> => Object.fromEntries(results.map((r) => [r.id, `${r.status} ${r.reason}`]));

describe('host-side smoke evaluation', () => {
  it('passes healthy containers, expected command output and the app login', () => {
    const s = status(evaluateHost(plan, facts()));
    expect(s).toEqual({
      'docker.active': 'PASS active',
      'caddy.container': 'PASS Up 2 minutes (healthy)',
      'postgresql.container': 'PASS Up 2 minutes (healthy)',
      'postgresql.ready': "PASS 'accepting connections'",
      'redis.container': 'PASS Up 2 minutes (healthy)',
      'redis.ping': "PASS 'PONG'",
      'n8n.container': 'PASS Up 1 minute (healthy)',
      'n8n.db-login': 'PASS logged in as n8n',
      'n8n.owner-login': 'PASS ops@example.com logged in',
    });
  });

  it('fails a stopped, missing or unhealthy container and the checks that need it; warns while health starts', () => {
    const containers = new Map(facts().containers);
    containers.set('minimal-infra/redis', { state: 'exited', status: 'Exited (0) 5 seconds ago' });
    containers.delete('minimal-infra/caddy');
    containers.set('minimal/n8n', { state: 'running', status: 'Up 3 seconds (health: starting)' });
    containers.set('minimal-infra/postgresql', { state: 'running', status: 'Up 9 minutes (unhealthy)' });
    const s = status(evaluateHost(plan, facts({ containers })));
    expect(s['redis.container']).toBe('FAIL exited: Exited (0) 5 seconds ago');
    expect(s['redis.ping']).toBe('FAIL container redis is not running (exited: Exited (0) 5 seconds ago)');
    expect(s['caddy.container']).toBe('FAIL no container: not deployed, or removed');
    expect(s['n8n.container']).toBe('WARN health check still starting: Up 3 seconds (health: starting)');
    expect(s['postgresql.container']).toBe('FAIL unhealthy: Up 9 minutes (unhealthy)');
    // The script ran the container's own health test (as the deploy gate does): failed → still WARN.
    containers.set('minimal/n8n', { state: 'running', status: 'Up 3 seconds (health: starting)', ownTest: 'fail' });
    expect(status(evaluateHost(plan, facts({ containers })))['n8n.container']).toBe('WARN health check still starting: Up 3 seconds (health: starting)');
  });

  it("passes a container Docker has not checked yet when its own health test passes, as the deploy gate did", () => {
    const containers = new Map(facts().containers);
    containers.set('minimal/n8n', { state: 'running', status: 'Up 3 seconds (health: starting)', ownTest: 'pass' });
    expect(status(evaluateHost(plan, facts({ containers })))['n8n.container']).toBe(
      'PASS its own health test passes; Docker has not run its first check yet: Up 3 seconds (health: starting)',
    );
  });

  it('fails a wrong password, an inactive unit, unexpected output, a timeout, a missing vault key', () => {
    const outputs = new Map(facts().outputs);
    const idx = (id: string): number => plan.checks.findIndex((c) => c.id === id);
    outputs.set(idx('n8n.db-login'), { code: 2, output: 'psql: error: connection to server at "postgresql" (172.20.2.2), port 5432 failed: FATAL:  password authentication failed for user "n8n"\n' });
    outputs.set(idx('docker.active'), { code: 3, output: 'inactive\n' });
    outputs.set(idx('redis.ping'), { code: 0, output: 'NOAUTH Authentication required.\n' });
    outputs.set(idx('postgresql.ready'), { code: 124, output: '' });
    const s = status(evaluateHost(plan, facts({ outputs })));
    expect(s['n8n.db-login']).toMatch(/^FAIL .*password authentication failed for user "n8n"$/);
    expect(s['docker.active']).toBe('FAIL docker is inactive');
    expect(s['redis.ping']).toBe("FAIL expected 'PONG', got 'NOAUTH Authentication required.' (exit 0)");
    expect(s['postgresql.ready']).toBe('FAIL timed out after 30 s');
    expect(status(evaluateHost(plan, facts(), new Set(['n8n.dbPassword'])))['n8n.db-login']).toBe('FAIL the vault has no n8n.dbPassword');
  });

  it("fails the n8n owner's login with n8n's own reason, without the vault's password, or without an owner in the profile", () => {
    const outputs = new Map(facts().outputs);
    const i = plan.checks.findIndex((c) => c.id === 'n8n.owner-login');
    outputs.set(i, { code: 1, output: 'n8n refused the login of ops@example.com: 401 Wrong username or password. Do you have caps lock on?\n' });
    expect(status(evaluateHost(plan, facts({ outputs })))['n8n.owner-login']).toBe('FAIL n8n refused the login of ops@example.com: 401 Wrong username or password. Do you have caps lock on?');
    outputs.set(i, { code: 1, output: 'n8n: /rest/login did not answer in 60 s (ECONNREFUSED)\n' });
    expect(status(evaluateHost(plan, facts({ outputs })))['n8n.owner-login']).toBe('FAIL n8n: /rest/login did not answer in 60 s (ECONNREFUSED)');
    expect(status(evaluateHost(plan, facts(), new Set(['n8n.ownerPassword'])))['n8n.owner-login']).toBe('FAIL the vault has no n8n.ownerPassword');
    const noOwner = validExample('minimal', (raw) => {
      raw['hosts'][0].services = ['docker', 'caddy', 'postgresql', 'redis', 'n8n'];
      delete raw['admins'].n8nOwner;
    });
    const p = smokePlan(noOwner, noOwner.hosts[0]!);
    expect(status(evaluateHost(p, facts()))['n8n.owner-login']).toBe('FAIL the profile names no n8n owner (admins.n8nOwner)');
    expect(hostScript(p, '/cur').passwordKeys).toEqual(['n8n.dbPassword']);
  });

  it('judges in-container HTTP by status code, skips images without any client or shell, and needs exit 0 for commands', () => {
    const q = validExample('minimal', (raw) => {
      raw['hosts'][0].services = ['docker', 'caddy', 'qdrant'];
    });
    const qp = smokePlan(q, q.hosts[0]!);
    const i = qp.checks.findIndex((c) => c.id === 'qdrant.readyz');
    const containers = new Map([['minimal-infra/qdrant', { state: 'running', status: 'Up 1 minute (healthy)' }], ['minimal-infra/caddy', { state: 'running', status: 'Up (healthy)' }]]);
    const judge = (code: number, output: string): string | undefined => status(evaluateHost(qp, { deployed: true, containers, outputs: new Map([[i, { code, output }]]) }))['qdrant.readyz'];
    expect(judge(0, '200')).toBe('PASS status 200');
    expect(judge(0, '503')).toBe('FAIL expected 200, got 503');
    expect(judge(3, 'no curl, wget or bash in the container\n')).toBe('SKIP no curl, wget or bash in the container');
    expect(judge(127, 'OCI runtime exec failed: exec: "sh": executable file not found in $PATH')).toBe('SKIP the image has no shell to run the check in');
    const outputs = new Map(facts().outputs);
    outputs.set(plan.checks.findIndex((c) => c.id === 'redis.ping'), { code: 1, output: 'PONG? no: Could not connect\n' });
    expect(status(evaluateHost(plan, facts({ outputs })))['redis.ping']).toMatch(/^FAIL expected 'PONG'.*\(exit 1\)$/);
  });

  it('fails every container check when nothing is deployed', () => {
    const s = status(evaluateHost(plan, facts({ deployed: false })));
    expect(s['n8n.container']).toBe('FAIL nothing deployed on this host (no current release)');
    expect(s['docker.active']).toBe('PASS active');
  });

  it('parses the facts the script prints', () => {
    const out = ['cur\tok', `ps\tminimal\tn8n\trunning\t${b64('Up 1 minute (healthy)')}`, `r\t3\t0\t${b64('PONG\n')}`, `ca\t${b64('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n')}`, ''].join('\n');
    const f = parseHostFacts(out);
    expect(f.deployed).toBe(true);
    expect(f.containers.get('minimal/n8n')).toEqual({ state: 'running', status: 'Up 1 minute (healthy)' });
    expect(f.outputs.get(3)).toEqual({ code: 0, output: 'PONG\n' });
    const starting = parseHostFacts(`cur\tok\nps\tminimal\tn8n\trunning\t${b64('Up 3 seconds (health: starting)')}\tpass\nps\tminimal-infra\tredis\trunning\t${b64('Up 2 seconds (health: starting)')}\tfail\n`);
    expect(starting.containers.get('minimal/n8n')).toEqual({ state: 'running', status: 'Up 3 seconds (health: starting)', ownTest: 'pass' });
    expect(starting.containers.get('minimal-infra/redis')).toEqual({ state: 'running', status: 'Up 2 seconds (health: starting)', ownTest: 'fail' });
    expect(f.caRoot).toMatch(/BEGIN CERTIFICATE/);
    expect(parseHostFacts('cur\tmissing\nca\t-\n')).toMatchObject({ deployed: false });
    expect(parseHostFacts('cur\tmissing\nca\t-\n').caRoot).toBeUndefined();
  });
});

describe('the host script, run by a real sh against stand-in docker, systemctl and psql', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-smoke-script-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function standIns(): { bin: string; calls: string; current: string } {
    const bin = path.join(dir, 'bin');
    const current = path.join(dir, 'current');
    mkdirSync(bin, { recursive: true });
    mkdirSync(current, { recursive: true });
    const calls = path.join(dir, 'argv.log');
    const write = (name: string, text: string): void => {
      writeFileSync(path.join(bin, name), text);
      chmodSync(path.join(bin, name), 0o755);
    };
    // fake-docker: records its argv; `ps` lists containers; `compose ... exec -T SVC CMD...` runs CMD here.
    write(
      'docker',
      `#!/bin/sh
printf '%s\\n' "$*" >> ${JSON.stringify(calls)}
if [ "$1" = ps ]; then
  case "$*" in
    *project=minimal-infra*) printf 'caddy\\trunning\\tUp 1 minute (healthy)\\npostgresql\\trunning\\tUp 1 minute (healthy)\\nredis\\texited\\tExited (0) 2 seconds ago\\n' ;;
    *project=minimal*) printf 'n8n\\trunning\\tUp 1 minute (healthy)\\n' ;;
  esac
  exit 0
fi
while [ "$1" != exec ]; do shift; done
shift 3
exec "$@"
`,
    );
    write('systemctl', '#!/bin/sh\nprintf \'%s\\n\' "$*" >> ' + JSON.stringify(calls) + '\necho active\n');
    write('pg_isready', '#!/bin/sh\necho "127.0.0.1:5432 - accepting connections"\n');
    write('redis-cli', '#!/bin/sh\necho PONG\n');
    // stand-in node for src/remote/n8n-owner.sh: n8n accepts the owner's login only with the expected password (base64 on stdin).
    write('node', `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(calls)}\npw=$(base64 -d)\nif [ "$3 $4" = 'login ops@example.com' ] && [ "$pw" = ${shq(OWNER)} ]; then echo ok; else echo "n8n refused the login of $4: 401 Wrong username or password."; exit 1; fi\n`);
    write('cat', '#!/bin/sh\nprintf -- "-----BEGIN CERTIFICATE-----\\nstand-in\\n-----END CERTIFICATE-----\\n"\n');
    // stand-in psql: the app's user logs in only with the expected password, from its environment.
    write('psql', `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(calls)}\nif [ "$PGPASSWORD" = ${shq(PASSWORD)} ]; then echo n8n; else echo 'FATAL:  password authentication failed for user "n8n"' >&2; exit 2; fi\n`);
    return { bin, calls, current };
  }

  function shq(s: string): string {
    return `'${s.replaceAll("'", `'\\''`)}'`;
  }

  async function run(p: SmokePlan, password: string, owner = OWNER): Promise<{ stdout: string; argv: string }> {
    const { bin, calls, current } = standIns();
    const script = hostScript(p, current);
    expect(script.passwordKeys).toEqual(['n8n.ownerPassword', 'n8n.dbPassword']);
    const child = exec(script.argv[0]!, script.argv.slice(1), { env: { PATH: `${bin}:${process.env['PATH']}` } });
    child.child.stdin?.end(`${Buffer.from(owner).toString('base64')}\n${Buffer.from(password).toString('base64')}\n`);
    const { stdout } = await child;
    return { stdout, argv: readFileSync(calls, 'utf8') };
  }

  it('runs every host check in one script; the password reaches psql only through stdin and its environment', async () => {
    const { stdout, argv } = await run(plan, PASSWORD);
    const s = status(evaluateHost(plan, parseHostFacts(stdout)));
    expect(s['n8n.db-login']).toBe('PASS logged in as n8n');
    expect(s['n8n.owner-login']).toBe('PASS ops@example.com logged in');
    expect(argv).not.toContain(OWNER);
    expect(s['redis.container']).toBe('FAIL exited: Exited (0) 2 seconds ago');
    expect(s['redis.ping']).toMatch(/^FAIL container redis is not running/);
    expect(s['postgresql.ready']).toBe("PASS 'accepting connections'");
    expect(s['docker.active']).toBe('PASS active');
    expect(parseHostFacts(stdout).caRoot).toMatch(/stand-in/);
    expect(argv).toContain('-h postgresql -U n8n -d n8n');
    expect(argv).not.toContain('ss "w"');
    expect(hostScript(plan, '/opt/homelab/minimal/current').argv.join(' ')).not.toContain(PASSWORD);
  });

  it('fails the login with another password', async () => {
    const { stdout } = await run(plan, 'wrong');
    expect(status(evaluateHost(plan, parseHostFacts(stdout)))['n8n.db-login']).toBe('FAIL FATAL:  password authentication failed for user "n8n"');
    const owner = await run(plan, PASSWORD, 'Wrong-owner-1');
    expect(status(evaluateHost(plan, parseHostFacts(owner.stdout)))['n8n.owner-login']).toBe('FAIL n8n refused the login of ops@example.com: 401 Wrong username or password.');
  });
});

describe('the in-container HTTP probe', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-smoke-http-'));
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    ensureCommands({ curl: 'curl', wget: 'wget', bash: 'bash' });
    server = createServer((req, res) => {
      res.statusCode = req.url === '/readyz' ? 200 : 404;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A PATH holding only the named programs, like a slim image. */
  function image(name: string, tools: string[]): string {
    const bin = path.join(dir, name);
    mkdirSync(bin, { recursive: true });
    for (const tool of ['sh', 'awk', 'cat', ...tools]) {
      const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => existsSync(p));
      if (!found) throw new Error(`this test needs ${tool} (apt-get install ${tool})`);
      symlinkSync(found, path.join(bin, tool));
    }
    return bin;
  }

  async function probe(bin: string, urlPath: string): Promise<{ code: number; out: string }> {
    try {
      const { stdout } = await exec(path.join(bin, 'sh'), ['-c', HTTP_IN_CONTAINER, 'sh', String(port), urlPath], { env: { PATH: bin } });
      return { code: 0, out: stdout.trim() };
    } catch (error) {
      const e = error as { code: number; stdout: string };
      return { code: e.code, out: e.stdout.trim() };
    }
  }

  it('reads the status with curl, or wget, or bash alone (qdrant), and says so when the image has none', async () => {
    for (const [name, tools] of [['with-curl', ['curl']], ['with-wget', ['wget']], ['with-bash', ['bash']]] as const) {
      const bin = image(name, [...tools]);
      expect(await probe(bin, '/readyz'), name).toEqual({ code: 0, out: '200' });
      expect((await probe(bin, '/missing')).out, name).toBe('404');
    }
    expect(await probe(image('bare', []), '/readyz')).toEqual({ code: 3, out: 'no curl, wget or bash in the container' });
  });
});
