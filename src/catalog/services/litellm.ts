import type { ServiceEntry } from '../types.js';

export const litellm: ServiceEntry = {
  id: 'litellm',
  description: 'LiteLLM proxy: one OpenAI-compatible endpoint for every model provider, with budgets',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'ghcr.io/berriai/litellm', tag: 'v1.81.3-stable' },
  roles: ['ai-server', 'app-server'],
  dependsOn: ['docker', 'caddy', 'postgresql', 'redis'],
  networks: ['backend', 'egress', 'sandbox'],
  ports: [{ container: 4000, protocol: 'tcp' }],
  dataDirs: [],
  // No curl or wget in the image (L-B2); Python is there.
  health: {
    test: ['CMD-SHELL', "python3 -c \"import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:4000/health/liveliness', timeout=5)\""],
    intervalSeconds: 30, timeoutSeconds: 10, retries: 5, startPeriodSeconds: 90,
  },
  healthTimeoutSeconds: 120,
  smoke: [
    { id: 'litellm.liveliness', kind: 'http', path: '/health/liveliness', expectStatus: [200], via: 'site' },
    { id: 'litellm.db-login', kind: 'db-login', database: 'litellm' },
    { id: 'litellm.models', kind: 'model-list', port: 4000, keySecret: 'litellm.masterKey' },
  ],
  secrets: [
    { key: 'litellm.masterKey', description: 'LiteLLM master key (admin API)', generate: { length: 48, alphabet: 'hex', prefix: 'sk-' } },
    { key: 'litellm.saltKey', description: 'encrypts stored provider keys; changing it makes them unreadable', generate: { length: 64, alphabet: 'hex' }, immutable: true },
    { key: 'litellm.uiPassword', description: 'password of the LiteLLM admin UI', generate: { length: 24, alphabet: 'alnum' } },
    { key: 'litellm.dbPassword', description: 'password of the litellm PostgreSQL user', generate: { length: 32, alphabet: 'alnum' } },
    { key: 'anthropic.apiKey', description: 'Anthropic API key', shape: { pattern: '^sk-ant-[A-Za-z0-9_-]{20,}$', example: 'sk-ant-api03-…' } },
    { key: 'openai.apiKey', description: 'OpenAI API key', shape: { pattern: '^sk-[A-Za-z0-9_-]{20,}$', example: 'sk-proj-…' } },
    { key: 'openrouter.apiKey', description: 'OpenRouter API key', shape: { pattern: '^sk-or-[A-Za-z0-9_-]{20,}$', example: 'sk-or-v1-…' } },
    { key: 'gemini.apiKey', description: 'Google Gemini API key (Google AI Studio)', shape: { pattern: '^AIza[A-Za-z0-9_-]{35}$', example: 'AIzaSy…' } },
    { key: 'byteplus.apiKey', description: 'BytePlus ModelArk API key', shape: { pattern: '^[A-Za-z0-9_-]{20,}$', example: '0a1b2c3d-…' } },
  ],
  memoryLimit: '1024M',
  site: { defaultSubdomain: 'llm', upstreamPort: 4000, vpnOnlyDefault: true },
  database: { name: 'litellm', user: 'litellm', extensions: ['uuid-ossp'] },
};
