import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';
import type { FakeOvh, ZoneRecord } from '../../fakes/fake-ovh.js';

/**
 * STAND-IN for OVH's authoritative nameservers (dns200.anycast.me and friends) in the test bed: it
 * serves what the fake OVH API has PUBLISHED (records as of the zone's last refresh, as real OVH),
 * over UDP and TCP on one address. Each zone gets an SOA and `NS ns1.<zone>.` at its apex, and
 * `ns1.<zone>.` resolves to this server's own address: lego's propagation check asks the zone's NS
 * directly on port 53, and Pebble (`-dnsserver`) resolves HTTP-01 names and DNS-01 TXT records here.
 * Authoritative only: names outside the fake's zones are REFUSED.
 */
export interface BedDnsOptions {
  /** IPv4 address to listen on (UDP and TCP). */
  readonly address: string;
  /** 53 by default; 0 picks a free port (the same for UDP and TCP). */
  readonly port?: number;
  readonly ovh: FakeOvh;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODE;
/** TTL of everything served (OVH's 0 = "zone default"): short, so nothing caches a test's records for long. */
const TTL = 60;
const SERVED_TYPES = new Set(['A', 'AAAA', 'TXT', 'CNAME']);

interface Resolution {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** The target of a CNAME or NS answer. */
const targetOf = (answer: Answer): string => lower(String((answer as { data?: unknown }).data));
const held = (port: number): string => (port === 0 ? '' : ` (another DNS server may hold it: \`ss -lntup 'sport = :${port}'\` names it)`);
const lower = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** OVH shows TXT targets in quotes ("…" or several "…" "…"); the wire carries the strings without them. */
function txtStrings(target: string): string[] {
  const quoted = target.match(/"((?:[^"\\]|\\.)*)"/g);
  const parts = quoted && /^\s*"/.test(target) ? quoted.map((q) => q.slice(1, -1).replace(/\\(.)/g, '$1')) : [target];
  // A character-string holds at most 255 bytes.
  return parts.flatMap((p) => {
    const chunks: string[] = [];
    for (let i = 0; i < p.length; i += 255) chunks.push(p.slice(i, i + 255));
    return chunks.length ? chunks : [''];
  });
}

export class BedDns {
  private readonly options: BedDnsOptions;
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly connections = new Set<Socket>();
  private boundPort = 0;
  /** Every question as `TYPE name → RCODE (n answers)`, for tests and for failure messages. */
  readonly log: string[] = [];

  constructor(options: BedDnsOptions) {
    this.options = options;
  }

  get address(): string {
    return this.options.address;
  }

  get port(): number {
    return this.boundPort;
  }

  /** `address:port`, as Pebble's -dnsserver and lego's --dns.resolvers take it. */
  get server(): string {
    return `${this.address}:${this.boundPort}`;
  }

  /**
   * /etc/hosts lines naming each zone's nameserver (`<address> ns1.<zone>`). lego's propagation check
   * dials the zone's NS by name through the SYSTEM resolver (not --dns.resolvers), so a client host
   * whose resolver does not know the bed's zones needs these.
   */
  hostsLines(): string {
    return this.options.ovh
      .zoneNames()
      .map((zone) => `${this.address}\tns1.${zone}\n`)
      .join('');
  }

  async start(): Promise<void> {
    const wanted = this.options.port ?? 53;
    // With port 0 the UDP socket picks the port and TCP must get the same one; another process may
    // hold it on TCP, so a few tries.
    for (let attempt = 0; ; attempt += 1) {
      const udp = await this.bindUdp(wanted);
      const port = udp.address().port;
      try {
        this.tcp = await this.bindTcp(port);
        this.udp = udp;
        this.boundPort = port;
        return;
      } catch (error) {
        udp.close();
        if (wanted !== 0 || attempt >= 5) throw new Error(`bed-dns: cannot listen on TCP ${this.address}:${port}: ${(error as Error).message}${held(port)}`);
      }
    }
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    for (const socket of this.connections) socket.destroy();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  private bindUdp(port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', (error) => reject(new Error(`bed-dns: cannot listen on UDP ${this.address}:${port}: ${error.message}${held(port)}`)));
      socket.on('message', (msg, rinfo) => this.onUdp(socket, msg, rinfo));
      socket.bind(port, this.address, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve(socket);
      });
    });
  }

  private bindTcp(port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.onTcp(socket));
      server.once('error', reject);
      server.listen(port, this.address, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  private onUdp(socket: UdpSocket, msg: Buffer, rinfo: RemoteInfo): void {
    const reply = this.answer(msg, 'udp');
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  }

  private onTcp(socket: Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(10_000, () => socket.destroy());
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      // Each message is prefixed with its length (RFC 1035 §4.2.2); one connection may carry several.
      while (buffer.length >= 2) {
        const length = buffer.readUInt16BE(0);
        if (buffer.length < 2 + length) break;
        const message = buffer.subarray(2, 2 + length);
        buffer = buffer.subarray(2 + length);
        const reply = this.answer(message, 'tcp');
        if (!reply) {
          socket.destroy();
          return;
        }
        const framed = Buffer.alloc(2 + reply.length);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        socket.write(framed);
      }
    });
  }

  /** The encoded reply to one message, or undefined when it is not even a DNS header. */
  private answer(message: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    if (message.length < 12) return undefined;
    const id = message.readUInt16BE(0);
    const rd = message.readUInt16BE(2) & dnsPacket.RECURSION_DESIRED;
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return dnsPacket.encode({ type: 'response', id, flags: rd | RCODE.FORMERR });
    }
    if (query.type !== 'query') return undefined;
    const questions = query.questions ?? [];
    const base = { type: 'response' as const, id, questions };
    const opcode = (message.readUInt16BE(2) >> 11) & 0xf;
    if (opcode !== 0) return dnsPacket.encode({ ...base, flags: rd | RCODE.NOTIMP });
    const question = questions[0];
    if (questions.length !== 1 || !question) return dnsPacket.encode({ ...base, flags: rd | RCODE.FORMERR });
    const result = this.resolve(question);
    this.log.push(`${question.type} ${question.name} → ${result.rcode} (${result.answers.length} answers)`);
    const authoritative = result.rcode === 'REFUSED' ? 0 : dnsPacket.AUTHORITATIVE_ANSWER;
    const reply: Packet = { ...base, flags: rd | authoritative | RCODE[result.rcode], answers: result.answers, authorities: result.authorities, additionals: result.additionals };
    const encoded = dnsPacket.encode(reply);
    const opt = (query.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const limit = Math.max(512, opt?.udpPayloadSize ?? 512);
    if (transport === 'tcp' || encoded.length <= limit) return encoded;
    // Too big for this UDP client: say so, and it asks again over TCP.
    return dnsPacket.encode({ ...base, flags: rd | authoritative | dnsPacket.TRUNCATED_RESPONSE | RCODE[result.rcode] });
  }

  /** The zone (longest match among the fake's zones) that holds this name, if any. */
  private zoneOf(name: string): string | undefined {
    return this.options.ovh
      .zoneNames()
      .filter((zone) => name === zone || name.endsWith(`.${zone}`))
      .sort((a, b) => b.length - a.length)[0];
  }

  private soa(zone: string): Answer {
    return {
      type: 'SOA', name: zone, ttl: TTL, class: 'IN',
      data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: this.options.ovh.serial(zone) ?? 1, refresh: 3600, retry: 600, expire: 604800, minimum: TTL },
    };
  }

  private resolve(question: Question): Resolution {
    const answers: Answer[] = [];
    let name = lower(question.name);
    // Answers carry the owner name as the question spelled it (resolvers compare it to the question).
    let spelled = question.name.replace(/\.$/, '');
    const type = question.type;
    const zone = this.zoneOf(name);
    if (zone === undefined) return { rcode: 'REFUSED', answers, authorities: [], additionals: [] };
    // A CNAME chain inside the managed zones, as an authoritative server for all of them would answer.
    for (let hops = 0; hops < 8; hops += 1) {
      const current = this.zoneOf(name);
      if (current === undefined) break;
      const records = this.recordsAt(current, name)?.map((r) => ({ ...r, name: spelled }) as Answer);
      if (records === undefined) {
        return { rcode: answers.length ? 'NOERROR' : 'NXDOMAIN', answers, authorities: [this.soa(current)], additionals: [] };
      }
      const cname = records.find((r) => r.type === 'CNAME');
      if (cname && type !== 'CNAME') {
        answers.push(cname);
        name = targetOf(cname);
        spelled = name;
        continue;
      }
      const matching = (type as string) === 'ANY' ? records : records.filter((r) => r.type === type);
      answers.push(...matching);
      const additionals: Answer[] = [];
      if (type === 'NS') for (const ns of matching) additionals.push(...(this.recordsAt(current, targetOf(ns))?.filter((r) => r.type === 'A') ?? []));
      return { rcode: 'NOERROR', answers, authorities: matching.length ? [] : [this.soa(current)], additionals };
    }
    return { rcode: 'NOERROR', answers, authorities: [], additionals: [] };
  }

  /** Every record at this exact name (published records plus the apex SOA/NS and ns1's A), or undefined if the name does not exist. */
  private recordsAt(zone: string, name: string): Answer[] | undefined {
    const rows: Answer[] = [];
    if (name === zone) {
      rows.push(this.soa(zone), { type: 'NS', name: zone, ttl: TTL, class: 'IN', data: `ns1.${zone}` });
    }
    if (name === `ns1.${zone}`) rows.push({ type: 'A', name, ttl: TTL, class: 'IN', data: this.address });
    let below = false;
    for (const record of this.options.ovh.published(zone)) {
      const owner = record.subDomain === '' ? zone : `${lower(record.subDomain)}.${zone}`;
      if (owner.endsWith(`.${name}`)) below = true;
      if (owner !== name || !SERVED_TYPES.has(record.fieldType)) {
        // A record of a type this server does not serve still makes its name exist.
        if (owner === name) below = true;
        continue;
      }
      rows.push(this.toAnswer(name, record));
    }
    // A name with only names below it exists (an empty non-terminal): NOERROR, not NXDOMAIN.
    return rows.length || below ? rows : undefined;
  }

  private toAnswer(name: string, record: ZoneRecord): Answer {
    const ttl = record.ttl > 0 ? record.ttl : TTL;
    switch (record.fieldType) {
      case 'TXT':
        return { type: 'TXT', name, ttl, class: 'IN', data: txtStrings(record.target) };
      case 'CNAME':
        // Zone-file style: a target without the final dot is relative to the zone.
        return { type: 'CNAME', name, ttl, class: 'IN', data: record.target.endsWith('.') ? lower(record.target) : `${lower(record.target)}.${record.zone}` };
      default:
        return { type: record.fieldType as 'A' | 'AAAA', name, ttl, class: 'IN', data: record.target };
    }
  }
}
