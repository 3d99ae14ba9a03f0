import { createHash } from 'node:crypto';

/**
 * OVH API request signature (go-ovh NewRequest, python-ovh raw_call):
 * "$1$" + hex(SHA1(AS + "+" + CK + "+" + METHOD + "+" + FULL_URL + "+" + BODY + "+" + TIMESTAMP)).
 * FULL_URL is byte for byte the URL sent, query string included.
 */
export function ovhSignature(input: {
  applicationSecret: string;
  consumerKey: string;
  method: string;
  url: string;
  body: string;
  timestamp: number;
}): string {
  const data = [input.applicationSecret, input.consumerKey, input.method.toUpperCase(), input.url, input.body, String(input.timestamp)].join('+');
  return `$1$${createHash('sha1').update(data).digest('hex')}`;
}

export const OVH_ENDPOINTS: Readonly<Record<string, string>> = {
  'ovh-eu': 'https://eu.api.ovh.com/1.0',
  'ovh-ca': 'https://ca.api.ovh.com/1.0',
  'ovh-us': 'https://api.us.ovhcloud.com/1.0',
};

/** An endpoint name, or any URL (a local fake in tests), without a trailing slash. */
export function ovhBaseUrl(endpoint: string): string {
  return (OVH_ENDPOINTS[endpoint] ?? endpoint).replace(/\/+$/, '');
}
