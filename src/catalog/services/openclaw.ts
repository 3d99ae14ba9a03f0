import type { ServiceEntry } from '../types.js';

export const openclaw: ServiceEntry = {
  id: 'openclaw',
  description: 'OpenClaw agent gateway and control UI (WebSocket)',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'ghcr.io/openclaw/openclaw', tag: '2026.2.23' },
  roles: ['ai-server'],
  dependsOn: ['docker', 'caddy', 'litellm'],
  networks: ['backend', 'egress'],
  ports: [{ container: 18789, protocol: 'tcp' }],
  dataDirs: [
    { path: 'openclaw/system', target: '/home/node/.openclaw', uid: 1000, gid: 1000, mode: '0750' },
    { path: 'openclaw/workspace', target: '/home/node/workspace', uid: 1000, gid: 1000, mode: '0750' },
    { path: 'openclaw/state', target: '/home/node/state', uid: 1000, gid: 1000, mode: '0750' },
  ],
  // The gateway must answer a WebSocket upgrade with 101, not just any HTTP status (L-C4).
  health: {
    test: ['CMD-SHELL', "node -e \"const h=require('http');const r=h.request({host:'127.0.0.1',port:18789,headers:{Connection:'Upgrade',Upgrade:'websocket','Sec-WebSocket-Version':'13','Sec-WebSocket-Key':'dGhlIHNhbXBsZSBub25jZQ=='}});r.on('upgrade',()=>process.exit(0));r.on('response',()=>process.exit(1));r.on('error',()=>process.exit(1));r.end()\""],
    intervalSeconds: 30, timeoutSeconds: 10, retries: 5, startPeriodSeconds: 60,
  },
  healthTimeoutSeconds: 90,
  smoke: [{ id: 'openclaw.ui', kind: 'http', path: '/', expectStatus: [200], via: 'site' }],
  secrets: [
    { key: 'openclaw.gatewayToken', description: 'token of the OpenClaw gateway and control UI', generate: { length: 64, alphabet: 'hex' } },
    {
      key: 'telegram.openclawBotToken',
      description: 'Telegram bot token of the OpenClaw bot (BotFather)',
      shape: { pattern: '^[0-9]{6,12}:[A-Za-z0-9_-]{30,}$', example: '123456789:AA…' },
    },
    // Optional: with it, OpenClaw's web search tool is on (BRAVE_API_KEY, docs/tools/web.md); without it, off.
    { key: 'brave.apiKey', description: 'Brave Search API key (web search tool of OpenClaw agents)', shape: { pattern: '^[A-Za-z0-9_-]{20,}$', example: 'BSA…' } },
  ],
  memoryLimit: '1536M',
  site: { defaultSubdomain: 'admin', upstreamPort: 18789, vpnOnlyDefault: true, http1Upstream: true },
};
