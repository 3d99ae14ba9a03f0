import { request } from 'node:https';
import type { SiteOutcome } from '../smoke/site-result.js';

export interface SiteRequest {
  /** The host's address: where the TCP connection goes, whatever DNS says about the name. */
  readonly address: string;
  readonly port: number;
  /** `<sub>.<domain>`: the TLS server name and the Host header. */
  readonly name: string;
  readonly path: string;
  /** PEM roots to trust instead of the system's (Caddy's internal CA); verification is never off. */
  readonly ca?: string;
  readonly timeoutMs?: number;
}

export type SiteFetcher = (req: SiteRequest) => Promise<SiteOutcome>;

/** Errors that mean "this machine cannot get there", as opposed to "it got there and it is wrong". */
const UNREACHABLE = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/** One HTTPS GET, TLS verified (against `ca` when given), bounded in time, the body discarded. */
export const fetchSite: SiteFetcher = (req) =>
  new Promise((resolve) => {
    const timeoutMs = req.timeoutMs ?? 10_000;
    let settled = false;
    const done = (outcome: SiteOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const r = request(
      {
        host: req.address,
        port: req.port,
        path: req.path,
        method: 'GET',
        servername: req.name,
        headers: { Host: req.name, 'User-Agent': 'homelab-wizard-smoke' },
        ...(req.ca !== undefined ? { ca: req.ca } : {}),
        rejectUnauthorized: true,
        agent: false,
      },
      (res) => {
        const socket = res.socket as import('node:tls').TLSSocket;
        const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
        const issuer = peer?.issuer?.CN ?? peer?.issuer?.O;
        const cert = peer && peer.valid_to ? { validFrom: new Date(peer.valid_from).toISOString(), validTo: new Date(peer.valid_to).toISOString(), ...(issuer ? { issuer: String(issuer) } : {}) } : undefined;
        res.resume();
        res.on('end', () => done({ kind: 'response', status: res.statusCode ?? 0, ...(cert ? { cert } : {}) }));
        res.on('error', () => done({ kind: 'response', status: res.statusCode ?? 0, ...(cert ? { cert } : {}) }));
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      done({ kind: 'unreachable', reason: `no answer from ${req.address}:${req.port} within ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    r.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (UNREACHABLE.has(code)) done({ kind: 'unreachable', reason: `${code} connecting to ${req.address}:${req.port}` });
      else if (code === 'ECONNREFUSED') done({ kind: 'error', reason: `nothing listens on ${req.address}:${req.port} (connection refused)` });
      else if (code === 'ECONNRESET') done({ kind: 'error', reason: `${req.address}:${req.port} reset the connection` });
      else done({ kind: 'error', reason: `TLS or HTTP failed for ${req.name}: ${code ? `${code}: ` : ''}${error.message}` });
    });
    r.end();
  });
