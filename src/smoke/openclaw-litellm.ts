/**
 * The `openclaw.litellm` smoke check: from inside OpenClaw's container, with what OpenClaw itself
 * runs on (the config file at OPENCLAW_CONFIG_PATH, the container's environment and networks),
 * call the configured model provider's `/models` with the configured key, and judge the answer.
 * Pure.
 *
 * The program runs with `node`, which both the real image (a Node program; its health check uses
 * node) and the sandbox's stand-in have. It resolves `${NAME}` in the key as OpenClaw does
 * (src/config/env-substitution.ts), from the container's env: no secret in argv, stdin or output.
 */
export const OPENCLAW_LITELLM_JS = [
  "const fs = require('fs'), os = require('os'), path = require('path');",
  "const file = process.env.OPENCLAW_CONFIG_PATH || path.join(os.homedir(), '.openclaw', 'openclaw.json');",
  'let config;',
  "try { config = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { console.log('error reading ' + file + ': ' + e.message); process.exit(2); }",
  'const name = process.argv[1];',
  'const provider = ((config.models || {}).providers || {})[name];',
  "if (!provider) { console.log('error ' + file + ' has no model provider ' + name); process.exit(2); }",
  "console.log('baseUrl\\t' + provider.baseUrl);",
  "for (const m of provider.models || []) console.log('configured\\t' + m.id);",
  "const key = String(provider.apiKey || '').replace(/\\$\\{([A-Z_][A-Z0-9_]*)\\}/g, (_, v) => {",
  "  if (!process.env[v]) { console.log('error the container has no ' + v + ' (the config reads the key from it)'); process.exit(2); }",
  '  return process.env[v];',
  '});',
  "fetch(String(provider.baseUrl).replace(/\\/+$/, '') + '/models', { headers: { Authorization: 'Bearer ' + key }, signal: AbortSignal.timeout(10000) })",
  "  .then(async (r) => { console.log('HTTP ' + r.status); if (r.ok) for (const m of (await r.json()).data || []) console.log('model\\t' + m.id); })",
  "  .catch((e) => { console.log('error ' + ((e.cause && (e.cause.code || e.cause.message)) || e.message)); process.exit(2); });",
].join('\n');

export interface OpenclawLitellmVerdict {
  readonly status: 'PASS' | 'FAIL';
  readonly reason: string;
}

const list = (names: readonly string[]): string => (names.length === 0 ? 'none' : names.join(', '));

/**
 * PASS when OpenClaw's config names the expected base URL and models and LiteLLM, asked there with
 * OpenClaw's key, answered 200 listing every model OpenClaw is configured with.
 */
export function judgeOpenclawLitellm(expected: { readonly baseUrl: string; readonly models: readonly string[] }, code: number, output: string): OpenclawLitellmVerdict {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const value = (prefix: string): string[] => lines.filter((l) => l.startsWith(`${prefix}\t`)).map((l) => l.slice(prefix.length + 1));
  const error = lines.find((l) => l.startsWith('error '))?.slice('error '.length);
  const baseUrl = value('baseUrl')[0];
  if (baseUrl === undefined) return { status: 'FAIL', reason: error ?? `no answer from the check in OpenClaw's container: ${lines.at(-1) ?? `exit ${code}`}` };
  if (baseUrl !== expected.baseUrl) return { status: 'FAIL', reason: `OpenClaw's config sends model requests to ${baseUrl}, not ${expected.baseUrl}` };
  const configured = value('configured');
  const notInProfile = configured.filter((m) => !expected.models.includes(m));
  const notConfigured = expected.models.filter((m) => !configured.includes(m));
  if (notInProfile.length > 0 || notConfigured.length > 0) {
    return { status: 'FAIL', reason: `OpenClaw's models differ from the profile's LiteLLM models: ${[...(notConfigured.length > 0 ? [`missing ${list(notConfigured)}`] : []), ...(notInProfile.length > 0 ? [`not in the profile: ${list(notInProfile)}`] : [])].join('; ')} (an older openclaw.json?)` };
  }
  if (error !== undefined) return { status: 'FAIL', reason: `OpenClaw cannot call LiteLLM at ${baseUrl}: ${error}` };
  const http = lines.map((l) => /^HTTP (\d{3})$/.exec(l)).find((m) => m !== null);
  if (!http) return { status: 'FAIL', reason: `no answer from LiteLLM at ${baseUrl}: ${lines.at(-1) ?? `exit ${code}`}` };
  const status = Number(http[1]);
  if (status === 401 || status === 403) return { status: 'FAIL', reason: `LiteLLM at ${baseUrl} refused OpenClaw's key (${status}): LITELLM_API_KEY in openclaw's env is not LiteLLM's master key` };
  if (status !== 200) return { status: 'FAIL', reason: `LiteLLM at ${baseUrl}/models answered ${status}` };
  const served = value('model');
  const unserved = configured.filter((m) => !served.includes(m));
  if (unserved.length > 0) return { status: 'FAIL', reason: `LiteLLM at ${baseUrl} does not serve OpenClaw's ${list(unserved)}` };
  return { status: 'PASS', reason: `OpenClaw reaches LiteLLM at ${baseUrl} with its key; LiteLLM serves its ${configured.length} models` };
}
