import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { freePort } from '../../helpers/sshd.js';

/** Where test/e2e/bootstrap.sh unpacks Debian 13's python3-moto (Debian 12 has none). */
export const MOTO_DIR = path.join(process.env['HLW_STATE_DIR'] ?? '/var/tmp/homelab-wizard-testbed', 'moto', 'usr/lib/python3/dist-packages');
const READY_WITHIN_MS = 20_000;

export interface S3BedOptions {
  /** IPv4 address it listens on: 127.0.0.1 for loopback, the bed network's gateway for sandbox servers. */
  readonly address: string;
  /** The port (a free one by default). */
  readonly port?: number;
}

export interface S3Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
}

export interface S3Object {
  readonly key: string;
  readonly size: number;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

/**
 * TEST BED for S3: a real S3-compatible server (moto_server, Debian 13's python3-moto, run with this
 * machine's python3 from where bootstrap.sh unpacked it) that checks AWS Signature V4. moto checks
 * signatures only once told to: `start` makes an IAM user allowed s3:* while moto still accepts
 * anything, then turns authentication on, so from then on only `credentials` work (a wrong secret
 * gets S3's SignatureDoesNotMatch, an unknown key InvalidAccessKeyId). Buckets, objects and users
 * live in memory: `stop` forgets everything.
 */
export class S3Bed {
  readonly address: string;
  private port: number | undefined;
  private moto: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private output = '';
  private keys: S3Credentials | undefined;

  constructor(private readonly options: S3BedOptions) {
    this.address = options.address;
  }

  /** `http://ADDRESS:PORT`, as a profile's backups.s3.endpoint takes it. */
  get endpoint(): string {
    if (this.port === undefined) throw new Error('the S3 bed is not started');
    return `http://${this.address}:${this.port}`;
  }

  /** The IAM user's keys: the only ones the server accepts once started. */
  get credentials(): S3Credentials {
    if (!this.keys) throw new Error('the S3 bed is not started');
    return this.keys;
  }

  /** The last lines moto printed (one per request), for failure messages. */
  outputTail(lines = 30): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  async start(): Promise<void> {
    if (!existsSync(path.join(MOTO_DIR, 'moto', 'server.py'))) {
      throw new Error(`moto_server is not unpacked in ${MOTO_DIR}: run bash test/e2e/bootstrap.sh --system (as root)`);
    }
    try {
      this.port = this.options.port ?? (await freePort());
      const child = spawn('/usr/bin/python3', ['-c', 'import sys; from moto.server import main; main(sys.argv[1:])', '-H', this.address, '-p', String(this.port)], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', PYTHONPATH: MOTO_DIR, PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.moto = child;
      this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
      const keep = (chunk: Buffer): void => {
        this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      await this.waitReady();
      await this.makeUser();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const moto = this.moto;
    this.moto = undefined;
    this.keys = undefined;
    if (moto && moto.exitCode === null && moto.signalCode === null) {
      moto.kill('SIGTERM');
      const killer = setTimeout(() => moto.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(killer);
    }
  }

  async createBucket(bucket: string): Promise<void> {
    const r = await this.s3('PUT', `/${bucket}`);
    if (r.status !== 200) throw new Error(`S3 bed: creating bucket ${bucket} answered ${r.status}: ${r.body}`);
  }

  /** The bucket's objects (keys under `prefix`), as ListObjectsV2 names them. */
  async listObjects(bucket: string, prefix = ''): Promise<S3Object[]> {
    const r = await this.s3('GET', `/${bucket}`, `list-type=2&prefix=${encodeURIComponent(prefix)}`);
    if (r.status !== 200) throw new Error(`S3 bed: listing ${bucket} answered ${r.status}: ${r.body}`);
    return [...r.body.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => ({
      key: decodeXml(/<Key>([^<]*)<\/Key>/.exec(m[1] ?? '')?.[1] ?? ''),
      size: Number(/<Size>(\d+)<\/Size>/.exec(m[1] ?? '')?.[1] ?? 0),
    }));
  }

  /** An object's content, or undefined when the bucket has no such key. */
  async getObject(bucket: string, key: string): Promise<string | undefined> {
    const r = await this.s3('GET', `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`S3 bed: GET ${bucket}/${key} answered ${r.status}: ${r.body}`);
    return r.body;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + READY_WITHIN_MS;
    for (;;) {
      if (this.moto?.exitCode !== null) throw new Error(`moto_server exited at start:\n${this.outputTail()}`);
      try {
        const r = await this.send('GET', '/moto-api/data.json', '', {}, '');
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${this.endpoint} within ${READY_WITHIN_MS / 1000} s:\n${this.outputTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** While moto still accepts any signature: an IAM user allowed s3:*, its keys, then authentication on. */
  private async makeUser(): Promise<void> {
    const anyone = { accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'setup-before-authentication' };
    const iam = async (params: Record<string, string>): Promise<string> => {
      const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
      const r = await this.signed('POST', '/', '', body, 'iam', 'us-east-1', anyone, { 'content-type': 'application/x-www-form-urlencoded' });
      if (r.status !== 200) throw new Error(`S3 bed: IAM ${params['Action']} answered ${r.status}: ${r.body}`);
      return r.body;
    };
    await iam({ Action: 'CreateUser', UserName: 'homelab-wizard-e2e' });
    await iam({
      Action: 'PutUserPolicy', UserName: 'homelab-wizard-e2e', PolicyName: 's3-all',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
    });
    const created = await iam({ Action: 'CreateAccessKey', UserName: 'homelab-wizard-e2e' });
    const accessKey = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(created)?.[1];
    const secretKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(created)?.[1];
    if (!accessKey || !secretKey) throw new Error(`S3 bed: CreateAccessKey gave no keys: ${created}`);
    this.keys = { accessKey, secretKey };
    const on = await this.send('POST', '/moto-api/reset-auth', '', {}, '0');
    if (on.status !== 200) throw new Error(`S3 bed: turning authentication on answered ${on.status}: ${on.body}`);
  }

  private s3(method: string, pathname: string, query = ''): Promise<Answer> {
    return this.signed(method, pathname, query, '', 's3', 'us-east-1', this.credentials);
  }

  /** One request signed with AWS Signature V4 (header form), as the AWS SDKs send it. */
  private signed(method: string, pathname: string, query: string, body: string, service: string, region: string, keys: S3Credentials, extra: Record<string, string> = {}): Promise<Answer> {
    const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
    const day = amzDate.slice(0, 8);
    const hash = createHash('sha256').update(body).digest('hex');
    const headers: Record<string, string> = { host: `${this.address}:${this.port}`, 'x-amz-content-sha256': hash, 'x-amz-date': amzDate, ...extra };
    const names = Object.keys(headers).sort();
    const canonicalQuery = query.split('&').filter(Boolean).map((p) => p.split('=') as [string, string?]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v ?? ''}`).join('&');
    const canonical = [method, pathname, canonicalQuery, ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), hash].join('\n');
    const scope = `${day}/${region}/${service}/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    let key: Buffer = createHmac('sha256', `AWS4${keys.secretKey}`).update(day).digest();
    for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    const signature = createHmac('sha256', key).update(toSign).digest('hex');
    headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${keys.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
    return this.send(method, pathname, canonicalQuery, headers, body);
  }

  private send(method: string, pathname: string, query: string, headers: Record<string, string>, body: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request({ host: this.address, port: this.port, method, path: query ? `${pathname}?${query}` : pathname, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('timeout', () => req.destroy(new Error(`S3 bed: no answer to ${method} ${pathname} within 10 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

function decodeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
