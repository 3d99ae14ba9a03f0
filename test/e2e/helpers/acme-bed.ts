import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FakeOvh, ZoneRecord } from '../../fakes/fake-ovh.js';
import { BedDns } from './bed-dns.js';

const run = promisify(execFile);

export const PEBBLE = '/usr/bin/pebble';
const READY_WITHIN_MS = 20_000;

export interface AcmeBedOptions {
  /** IPv4 address everything listens on: 127.0.0.1 for loopback, the bed network's gateway for sandbox servers. */
  readonly address: string;
  /** The fake OVH whose PUBLISHED records the bed's DNS serves. */
  readonly ovh: FakeOvh;
  /** Where the run's temporary directory goes (the system's temp directory by default). */
  readonly dir?: string;
  /** The DNS port (53 by default: lego's propagation check asks a zone's NS on port 53). */
  readonly dnsPort?: number;
}

/**
 * TEST BED for ACME: a real ACME server (Pebble, Let's Encrypt's RFC 8555 test CA, Debian package
 * `pebble`) and the DNS it validates against (BedDns, the stand-in for OVH's nameservers), both on
 * one address. Pebble validates HTTP-01 on port 80 and TLS-ALPN-01 on port 443 of the address a name
 * resolves to, and DNS-01 against the TXT records the fake OVH has published. Its HTTPS listener
 * uses a certificate from a CA made for the run, so clients that reach it by IP can verify it.
 */
export class AcmeBed {
  readonly address: string;
  readonly dns: BedDns;
  private readonly options: AcmeBedOptions;
  private workDir: string | undefined;
  private pebble: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private listenerCa = '';
  private output = '';

  constructor(options: AcmeBedOptions) {
    this.options = options;
    this.address = options.address;
    this.dns = new BedDns({ address: options.address, port: options.dnsPort ?? 53, ovh: options.ovh });
  }

  get directoryUrl(): string {
    return `https://${this.address}:14000/dir`;
  }

  get managementUrl(): string {
    return `https://${this.address}:15000`;
  }

  /** The last lines Pebble printed (it logs every request and validation), for failure messages. */
  outputTail(lines = 30): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  async start(): Promise<void> {
    try {
      this.workDir = await mkdtemp(path.join(this.options.dir ?? tmpdir(), 'hlw-acme-bed-'));
      await this.dns.start();
      await this.makeListenerCertificate(this.workDir);
      const config = path.join(this.workDir, 'pebble-config.json');
      await writeFile(config, JSON.stringify({
        pebble: {
          listenAddress: `${this.address}:14000`,
          managementListenAddress: `${this.address}:15000`,
          certificate: path.join(this.workDir, 'listener.pem'),
          privateKey: path.join(this.workDir, 'listener.key'),
          httpPort: 80,
          tlsPort: 443,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }, null, 2));
      await this.startPebble(config);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const pebble = this.pebble;
    this.pebble = undefined;
    if (pebble && pebble.exitCode === null && pebble.signalCode === null) {
      pebble.kill('SIGTERM');
      const killer = setTimeout(() => pebble.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(killer);
    }
    await this.dns.stop();
    if (this.workDir) await rm(this.workDir, { recursive: true, force: true });
    this.workDir = undefined;
  }

  /** The CA of Pebble's own HTTPS listener (what a client needs to talk to Pebble). */
  get listenerCaPem(): string {
    return this.listenerCa;
  }

  /**
   * Everything a client must trust: the listener's CA (to talk to Pebble) and Pebble's issuing root
   * and intermediate (to verify the certificates it issues). Pebble makes a new root every start.
   */
  async rootsPem(): Promise<string> {
    const root = await this.management('/roots/0');
    const intermediate = await this.management('/intermediates/0');
    return [this.listenerCa, root, intermediate].map((pem) => `${pem.trim()}\n`).join('');
  }

  async writeRoots(file: string): Promise<void> {
    await writeFile(file, await this.rootsPem(), { mode: 0o644 });
  }

  /** A PUBLISHED A record `<subDomain>.<zone>` → ipv4 in the fake OVH (as the tool's DNS step leaves it after a refresh), so HTTP-01 for that name reaches ipv4. */
  pointAt(zone: string, subDomain: string, ipv4: string): ZoneRecord {
    return this.options.ovh.addPublishedRecord(zone, { fieldType: 'A', subDomain, target: ipv4, ttl: 60 });
  }

  private async makeListenerCertificate(dir: string): Promise<void> {
    const file = (name: string): string => path.join(dir, name);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    await run('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2',
      '-subj', '/CN=homelab-wizard test bed CA for Pebble (STAND-IN)',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await run('openssl', ['req', ...ec, '-keyout', file('listener.key'), '-out', file('listener.csr'), '-subj', '/CN=pebble test bed']);
    await writeFile(file('listener.ext'), [
      `subjectAltName=IP:${this.address},DNS:localhost`, 'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', '',
    ].join('\n'));
    await run('openssl', ['x509', '-req', '-in', file('listener.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
      '-days', '2', '-extfile', file('listener.ext'), '-out', file('listener.pem')]);
    // The CA key signs nothing else: gone before Pebble starts.
    await rm(file('ca.key'));
    this.listenerCa = await readFile(file('ca.pem'), 'utf8');
  }

  private async startPebble(config: string): Promise<void> {
    const child = spawn(PEBBLE, ['-config', config, '-dnsserver', this.dns.server], {
      cwd: this.workDir,
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pebble = child;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-64_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exitNote = '';
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (error) => {
        exitNote = `could not start ${PEBBLE}: ${error.message}`;
        resolve();
      });
      child.once('exit', (code, signal) => {
        exitNote = `${PEBBLE} exited (${signal ?? `code ${code}`})`;
        resolve();
      });
    });
    const deadline = Date.now() + READY_WITHIN_MS;
    let last = '';
    while (Date.now() < deadline) {
      if (exitNote) throw new Error(`acme bed: ${exitNote} before serving ${this.directoryUrl}; its output ends:\n${this.outputTail()}`);
      try {
        const directory = JSON.parse(await this.get(this.directoryUrl)) as { newOrder?: string };
        if (directory.newOrder) return;
        last = 'the directory has no newOrder';
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`acme bed: Pebble did not serve ${this.directoryUrl} within ${READY_WITHIN_MS / 1000} s (last: ${last}); its output ends:\n${this.outputTail()}`);
  }

  private async management(p: string): Promise<string> {
    return this.get(`${this.managementUrl}${p}`);
  }

  /** GET over HTTPS trusting only the listener's CA, bounded. */
  private get(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(url, { ca: this.listenerCa, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within 5 s`)));
      req.on('error', reject);
      req.end();
    });
  }
}
