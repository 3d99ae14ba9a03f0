import http from 'node:http';

export interface LocalResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * GET on this machine, bounded in time; rejects on any error. node:http and not fetch: when a
 * port proxy accepts a connection and closes it at once (Docker's proxy before the container
 * listens, or after it stopped), undici's fetch leaves its promise pending with no live handle,
 * and Node then exits with code 13 in the middle of the work, saying nothing.
 */
export function localGet(url: string, options: { readonly headers?: Record<string, string>; readonly timeoutMs: number }): Promise<LocalResponse> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: options.headers ?? {}, timeout: options.timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within ${options.timeoutMs} ms`)));
    request.on('error', reject);
  });
}
