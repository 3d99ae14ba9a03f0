import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BedDns } from '../e2e/helpers/bed-dns.js';
import { FakeOvh, ovhSignature } from './fake-ovh.js';

/** dns-packet decodes the rcode too; its types leave it out. */
type Reply = DecodedPacket & { rcode: string };

/** The test bed's stand-in for OVH's nameservers (test/e2e/helpers/bed-dns.ts), on a free port on loopback. */
let ovh: FakeOvh;
let dns: BedDns;
let resolver: Resolver;

beforeEach(async () => {
  ovh = new FakeOvh();
  ovh.addZone('example.com', [
    { fieldType: 'A', subDomain: '', target: '203.0.113.10', ttl: 0 },
    { fieldType: 'A', subDomain: 'web', target: '203.0.113.11', ttl: 300 },
    { fieldType: 'AAAA', subDomain: 'web', target: '2001:db8::11', ttl: 0 },
    { fieldType: 'CNAME', subDomain: 'www', target: 'web', ttl: 0 },
    { fieldType: 'TXT', subDomain: '_acme-challenge.deep.vpn', target: '"token-value"', ttl: 0 },
    { fieldType: 'MX', subDomain: 'mail', target: '10 mx.example.com.', ttl: 0 },
  ]);
  ovh.addZone('example.org');
  dns = new BedDns({ address: '127.0.0.1', port: 0, ovh });
  await dns.start();
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.server]);
});

afterEach(async () => {
  await dns.stop();
  await ovh.stop();
});

async function udpQuery(name: string, type: RecordType): Promise<Reply> {
  const socket = createSocket('udp4');
  try {
    const reply = new Promise<Buffer>((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('error', reject);
      setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref();
    });
    socket.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] }), dns.port, '127.0.0.1');
    return dnsPacket.decode(await reply) as Reply;
  } finally {
    socket.close();
  }
}

async function tcpQuery(name: string, type: RecordType): Promise<Reply> {
  const socket = connect(dns.port, '127.0.0.1');
  try {
    socket.write(dnsPacket.streamEncode({ type: 'query', id: 7, questions: [{ type, name, class: 'IN' }] }));
    let buffer = Buffer.alloc(0);
    for await (const chunk of socket) {
      buffer = Buffer.concat([buffer, chunk as Buffer]);
      if (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) break;
    }
    return dnsPacket.streamDecode(buffer) as Reply;
  } finally {
    socket.destroy();
  }
}

describe('bed DNS (stand-in for OVH nameservers)', () => {
  it('answers A, AAAA, TXT and CNAME from the published records, with the AA flag', async () => {
    expect(await resolver.resolve4('web.example.com')).toEqual(['203.0.113.11']);
    expect(await resolver.resolve4('example.com')).toEqual(['203.0.113.10']);
    expect(await resolver.resolve6('web.example.com')).toEqual(['2001:db8::11']);
    expect(await resolver.resolveTxt('_acme-challenge.deep.vpn.example.com')).toEqual([['token-value']]);
    expect(await resolver.resolveCname('www.example.com')).toEqual(['web.example.com']);
    // An A question for a CNAME follows it inside the zone.
    expect(await resolver.resolve4('WWW.example.com')).toEqual(['203.0.113.11']);
    const reply = await udpQuery('web.example.com', 'A');
    expect([reply.id, reply.flag_aa, reply.rcode]).toEqual([4242, true, 'NOERROR']);
    expect(reply.answers).toEqual([expect.objectContaining({ name: 'web.example.com', type: 'A', ttl: 300, data: '203.0.113.11' })]);
  });

  it('serves SOA and NS at each apex, and ns1.<zone> resolves to the server itself', async () => {
    expect(await resolver.resolveNs('example.com')).toEqual(['ns1.example.com']);
    expect(await resolver.resolve4('ns1.example.com')).toEqual(['127.0.0.1']);
    expect(await resolver.resolveSoa('example.org')).toMatchObject({ nsname: 'ns1.example.org', hostmaster: 'hostmaster.example.org' });
    expect(dns.hostsLines()).toBe('127.0.0.1\tns1.example.com\n127.0.0.1\tns1.example.org\n');
    const ns = await udpQuery('example.com', 'NS');
    expect(ns.additionals).toEqual([expect.objectContaining({ name: 'ns1.example.com', type: 'A', data: '127.0.0.1' })]);
  });

  it('answers NOERROR with no data (SOA in authority) for a type the name lacks, and for names that only have names below them', async () => {
    const noData = await udpQuery('web.example.com', 'TXT');
    expect([noData.rcode, noData.flag_aa, noData.answers?.length]).toEqual(['NOERROR', true, 0]);
    expect(noData.authorities).toEqual([expect.objectContaining({ type: 'SOA', name: 'example.com' })]);
    expect((await udpQuery('vpn.example.com', 'A')).rcode).toBe('NOERROR');
    // MX is not served, but the name exists.
    expect((await udpQuery('mail.example.com', 'A')).rcode).toBe('NOERROR');
    await expect(resolver.resolveTxt('web.example.com')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('answers NXDOMAIN (SOA in authority) inside a zone and REFUSED outside the managed zones', async () => {
    const nx = await udpQuery('nothing.example.com', 'A');
    expect([nx.rcode, nx.flag_aa]).toEqual(['NXDOMAIN', true]);
    expect(nx.authorities).toEqual([expect.objectContaining({ type: 'SOA', name: 'example.com' })]);
    await expect(resolver.resolve4('nothing.example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const refused = await udpQuery('example.net', 'A');
    expect([refused.rcode, refused.flag_aa, refused.answers?.length]).toEqual(['REFUSED', false, 0]);
    expect((await udpQuery('com', 'SOA')).rcode).toBe('REFUSED');
    await expect(resolver.resolve4('example.net')).rejects.toMatchObject({ code: 'EREFUSED' });
  });

  it('serves records only once OVH has published them (after a refresh), as real OVH nameservers', async () => {
    const signed = await signedClient();
    const created = await signed('POST', '/domain/zone/example.com/record', { fieldType: 'TXT', subDomain: '_acme-challenge.vpn-only', target: 'abc', ttl: 120 });
    expect(created.status).toBe(200);
    expect((await udpQuery('_acme-challenge.vpn-only.example.com', 'TXT')).rcode).toBe('NXDOMAIN');
    expect((await signed('POST', '/domain/zone/example.com/refresh')).status).toBe(200);
    expect(await resolver.resolveTxt('_acme-challenge.vpn-only.example.com')).toEqual([['abc']]);
    expect((await signed('DELETE', `/domain/zone/example.com/record/${(created.json as { id: number }).id}`)).status).toBe(200);
    expect(await resolver.resolveTxt('_acme-challenge.vpn-only.example.com')).toEqual([['abc']]);
    await signed('POST', '/domain/zone/example.com/refresh');
    expect((await udpQuery('_acme-challenge.vpn-only.example.com', 'TXT')).rcode).toBe('NXDOMAIN');
    // The SOA serial follows OVH's, which every refresh raises.
    expect((await resolver.resolveSoa('example.com')).serial).toBe(ovh.serial('example.com'));
  });

  it('answers over TCP too (length-prefixed), as clients retry there after a truncated UDP answer', async () => {
    const reply = await tcpQuery('web.example.com', 'A');
    expect([reply.id, reply.rcode, (reply.answers?.[0] as { data?: unknown } | undefined)?.data]).toEqual([7, 'NOERROR', '203.0.113.11']);
    const long = 'x'.repeat(300);
    ovh.addPublishedRecord('example.com', { fieldType: 'TXT', subDomain: 'long', target: long, ttl: 0 });
    for (let i = 0; i < 3; i += 1) ovh.addPublishedRecord('example.com', { fieldType: 'TXT', subDomain: 'long', target: `${long}${i}`, ttl: 0 });
    expect((await udpQuery('long.example.com', 'TXT')).flag_tc).toBe(true);
    const viaTcp = await tcpQuery('long.example.com', 'TXT');
    expect(viaTcp.answers?.length).toBe(4);
    // Strings longer than 255 bytes go out as several character-strings of one record.
    expect((await resolver.resolveTxt('long.example.com')).map((parts) => parts.join(''))).toContain(long);
  });
});

async function signedClient(): Promise<(method: string, path: string, body?: unknown) => Promise<{ status: number; json: unknown }>> {
  const endpoint = await ovh.start();
  const ck = ovh.addConsumer();
  return async (method, path, body) => {
    const url = `${endpoint}${path}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    const ts = Math.floor(Date.now() / 1000);
    const response = await fetch(url, {
      method,
      headers: {
        'X-Ovh-Application': ovh.appKey, 'X-Ovh-Consumer': ck, 'X-Ovh-Timestamp': String(ts),
        'X-Ovh-Signature': ovhSignature(ovh.appSecret, ck, method, url, text, ts), 'Content-Type': 'application/json',
      },
      ...(text ? { body: text } : {}),
    });
    const raw = await response.text();
    return { status: response.status, json: raw ? (JSON.parse(raw) as unknown) : null };
  };
}
