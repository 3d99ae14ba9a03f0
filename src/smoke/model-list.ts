/**
 * The `model-list` smoke check (LiteLLM lists exactly the configured aliases): the program run in
 * the app's container and the judgement of what it printed. Pure.
 *
 * The master key comes from the vault, base64 on stdin (as db-login's password), and is decoded by
 * Python itself: the real LiteLLM image has Python (its health check uses it) but may lack base64,
 * curl and wget. It never appears in argv or output.
 */
export const MODEL_LIST_PY = [
  'import base64, json, sys, urllib.request, urllib.error',
  'key = base64.b64decode(sys.stdin.readline().strip()).decode()',
  "req = urllib.request.Request('http://127.0.0.1:%s/v1/models' % sys.argv[1], headers={'Authorization': 'Bearer ' + key})",
  'try:',
  '    with urllib.request.urlopen(req, timeout=10) as r:',
  "        print('HTTP %d' % r.status)",
  "        for m in json.load(r).get('data', []): print('model\\t' + str(m.get('id')))",
  'except urllib.error.HTTPError as e:',
  "    print('HTTP %d' % e.code)",
  'except Exception as e:',
  "    print('error %s' % e)",
  '    sys.exit(2)',
].join('\n');

export interface ModelListVerdict {
  readonly status: 'PASS' | 'FAIL';
  readonly reason: string;
}

const list = (names: readonly string[]): string => (names.length === 0 ? 'none' : names.join(', '));

/** PASS when the proxy answered 200 with exactly the expected aliases; otherwise what differs. */
export function judgeModelList(expected: readonly string[], code: number, output: string): ModelListVerdict {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const http = lines.map((l) => /^HTTP (\d{3})$/.exec(l)).find((m) => m !== null);
  if (!http) return { status: 'FAIL', reason: `no answer from LiteLLM's /v1/models: ${lines.at(-1) ?? `exit ${code}`}` };
  const status = Number(http[1]);
  if (status === 401 || status === 403) return { status: 'FAIL', reason: `LiteLLM refused the vault's master key (${status}): the container runs with another LITELLM_MASTER_KEY` };
  if (status !== 200) return { status: 'FAIL', reason: `GET /v1/models answered ${status}` };
  const listed = lines.filter((l) => l.startsWith('model\t')).map((l) => l.slice('model\t'.length));
  const missing = expected.filter((m) => !listed.includes(m));
  const extra = [...new Set(listed.filter((m) => !expected.includes(m)))];
  if (missing.length === 0 && extra.length === 0) return { status: 'PASS', reason: `lists the ${expected.length} configured models: ${list([...expected].sort())}` };
  const parts = [...(missing.length > 0 ? [`missing ${list(missing)}`] : []), ...(extra.length > 0 ? [`not in the profile: ${list(extra)}`] : [])];
  return { status: 'FAIL', reason: `LiteLLM's models differ from the profile's: ${parts.join('; ')}` };
}
