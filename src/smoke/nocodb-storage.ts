/**
 * The `nocodb-storage` smoke check (NocoDB's attachments reach the shared bucket): a program run
 * with `node` in NocoDB's container, from the container's own NC_S3_* environment (what NocoDB's S3
 * plugin was started with), and the judgement of what it printed. Pure.
 *
 * It writes a small object where NocoDB puts uploads (`nc/uploads/...`), reads it back, and deletes
 * it, signing with AWS Signature V4 as NocoDB's AWS SDK does, bucket in the path or in the host
 * name as NC_S3_FORCE_PATH_STYLE says. Why not through NocoDB's upload API: that needs an API token
 * made by hand in its UI (vpai §4.12), which a first deploy does not have. The keys stay in the
 * container's environment: never in argv, stdin or output. `node` is in the real image (NocoDB
 * runs on it) and in the sandbox's stand-in.
 */
export const NOCODB_STORAGE_JS = [
  "const crypto = require('crypto'), http = require('http'), https = require('https');",
  'const env = process.env;',
  "if (!env.NC_S3_BUCKET_NAME) { console.log('no-s3 NC_S3_BUCKET_NAME is not set in the container: NocoDB keeps attachments on its disk'); process.exit(2); }",
  "const bucket = env.NC_S3_BUCKET_NAME, region = env.NC_S3_REGION || 'us-east-1', pathStyle = env.NC_S3_FORCE_PATH_STYLE === 'true';",
  'let endpoint;',
  "try { endpoint = new URL(env.NC_S3_ENDPOINT || 'https://s3.' + region + '.amazonaws.com'); } catch (e) { console.log('fail NC_S3_ENDPOINT is not a URL: ' + env.NC_S3_ENDPOINT); process.exit(1); }",
  "const key = 'nc/uploads/homelab-wizard-smoke/' + Date.now() + '-' + crypto.randomBytes(4).toString('hex') + '.txt';",
  "const body = Buffer.from('homelab-wizard smoke check ' + new Date().toISOString() + '\\n');",
  "const sha = (d) => crypto.createHash('sha256').update(d).digest('hex');",
  "const hmac = (k, d) => crypto.createHmac('sha256', k).update(d).digest();",
  "const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());",
  "const host = pathStyle ? endpoint.host : bucket + '.' + endpoint.host;",
  "const where = (pathStyle ? endpoint.origin + '/' + bucket : endpoint.protocol + '//' + host) + '/' + key;",
  "const path = endpoint.pathname.replace(/\\/$/, '') + (pathStyle ? '/' + enc(bucket) : '') + '/' + key.split('/').map(enc).join('/');",
  'function send(method, payload) {',
  "  const amzDate = new Date().toISOString().replace(/[:-]|\\.\\d{3}/g, ''), day = amzDate.slice(0, 8), hash = sha(payload);",
  "  const signed = { host, 'x-amz-content-sha256': hash, 'x-amz-date': amzDate };",
  '  const names = Object.keys(signed).sort();',
  "  const canonical = [method, path, '', ...names.map((n) => n + ':' + signed[n]), '', names.join(';'), hash].join('\\n');",
  "  const scope = day + '/' + region + '/s3/aws4_request';",
  "  let k = hmac('AWS4' + (env.NC_S3_ACCESS_SECRET || ''), day); k = hmac(k, region); k = hmac(k, 's3'); k = hmac(k, 'aws4_request');",
  "  const signature = crypto.createHmac('sha256', k).update(['AWS4-HMAC-SHA256', amzDate, scope, sha(canonical)].join('\\n')).digest('hex');",
  "  const headers = { ...signed, authorization: 'AWS4-HMAC-SHA256 Credential=' + (env.NC_S3_ACCESS_KEY || '') + '/' + scope + ', SignedHeaders=' + names.join(';') + ', Signature=' + signature, 'content-length': payload.length };",
  "  if (method === 'PUT') headers['content-type'] = 'text/plain';",
  "  const lib = endpoint.protocol === 'http:' ? http : https;",
  '  return new Promise((resolve) => {',
  "    const req = lib.request({ method, host: pathStyle ? endpoint.hostname : bucket + '.' + endpoint.hostname, port: endpoint.port || undefined, path, headers, timeout: 10000 }, (res) => {",
  "      const chunks = []; res.on('data', (c) => chunks.push(c)); res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));",
  '    });',
  "    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));",
  "    req.on('error', (e) => resolve({ status: 0, error: (e.code ? e.code + ' ' : '') + e.message }));",
  '    req.end(payload);',
  '  });',
  '}',
  'function why(r) {',
  "  if (r.status === 0) return 'cannot reach ' + endpoint.origin + ': ' + r.error;",
  "  const text = r.body.toString('utf8'), code = /<Code>([^<]*)<\\/Code>/.exec(text), message = /<Message>([^<]*)<\\/Message>/.exec(text);",
  "  return 'HTTP ' + r.status + (code ? ' ' + code[1] : '') + (message ? ': ' + message[1] : '');",
  '}',
  '(async () => {',
  "  const put = await send('PUT', body);",
  "  if (put.status !== 200) { console.log('fail PUT ' + where + ' answered ' + why(put)); process.exit(1); }",
  "  const get = await send('GET', Buffer.alloc(0));",
  "  if (get.status !== 200) { console.log('fail wrote ' + where + ' but GET answered ' + why(get)); process.exit(1); }",
  "  if (!get.body.equals(body)) { console.log('fail ' + where + ' reads back different bytes than were written'); process.exit(1); }",
  "  const del = await send('DELETE', Buffer.alloc(0));",
  "  const left = del.status === 204 || del.status === 200 ? '' : ' (left in the bucket: DELETE answered ' + why(del) + ')';",
  "  console.log('ok wrote and read back ' + where + ' (' + body.length + ' bytes)' + left);",
  '})();',
].join('\n');

export interface StorageVerdict {
  readonly status: 'PASS' | 'FAIL';
  readonly reason: string;
}

/** PASS when the probe wrote and read back its object; otherwise S3's own answer, or why it could not ask. */
export function judgeNocodbStorage(bucket: string, code: number, output: string): StorageVerdict {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? '';
  if (code === 0 && last.startsWith('ok ')) return { status: 'PASS', reason: last.slice(3) };
  if (last.startsWith('no-s3 ')) return { status: 'FAIL', reason: `${last.slice(6)}; the profile puts them in ${bucket} (redeploy nocodb)` };
  if (last.startsWith('fail ')) return { status: 'FAIL', reason: last.slice(5) };
  if ((code === 126 || code === 127) && /executable file not found|no such file or directory|not found/i.test(output)) {
    return { status: 'FAIL', reason: "NocoDB's container has no node to run the storage probe with" };
  }
  return { status: 'FAIL', reason: last || `exit ${code}` };
}
