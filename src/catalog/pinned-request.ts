import type { LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * A GET that connects only to `addresses` — the ones the reading policy checked — whatever the DNS
 * answers by the time the socket opens, so a name cannot be re-pointed at a private address
 * between the check and the request (DNS rebinding). Redirects are the caller's to follow.
 */
export function pinnedGet(url: URL, addresses: LookupAddress[], signal: AbortSignal, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, { method: 'GET', signal, agent: false, lookup: pinnedLookup(addresses), headers }, resolve);
    request.on('error', reject);
    request.end();
  });
}

function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const [first] = addresses;
    if (!first) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
    return callback(null, first.address, first.family);
  };
}
