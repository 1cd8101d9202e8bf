import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { realpath } from 'node:fs/promises';
import { isIP } from 'node:net';
import { isAbsolute, relative, sep } from 'node:path';
import ipaddr from 'ipaddr.js';
import { InputError } from '../domain/errors.js';

/**
 * What the catalog may read, in one place: registered locations, Location targets and
 * placeholders all go through it, and so does every redirect hop. A catalog file is written by
 * whoever controls its repository or URL, not by whoever runs Lantern, so it must never make
 * Lantern reach into the network or the disk of the host it runs on.
 *
 * - URLs: http(s) only, to hosts on the allow-list when there is one, and never to a loopback,
 *   private, link-local, CGNAT, multicast or otherwise non-public address, checked on the
 *   addresses the host resolves to (the connection then goes to the checked address, so a second
 *   DNS answer cannot swap it). `allowPrivate`, or naming the host in the allow-list, lifts that.
 * - Files: a file location reaches only files inside its own folder, symlinks resolved.
 * - Placeholders: in a file read from a URL, only the same origin.
 */
export interface ReadingPolicyOptions {
  /**
   * The only hosts (names or IP addresses, any port) catalog URLs may reach. A host named here may
   * resolve to a private address. Default: none listed, so any host with only public addresses.
   */
  allowHosts?: readonly string[] | undefined;
  /** Let catalog URLs reach loopback, private and link-local addresses. Default false. */
  allowPrivate?: boolean | undefined;
}

/** The most redirects one read follows. */
export const MAX_REDIRECTS = 5;

/** Folders of the kernel's own files, never catalog files, whatever folder is registered. */
const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev'];

const LIFT = 'catalog locations may only reach public hosts unless allowed with --catalog-allow-host or --catalog-allow-private';

/** A read the policy refuses; its message names the address and the rule it breaks. */
export class ReadRefusedError extends InputError {
  override name = 'InputError';
  constructor(
    /** What was refused, as the start of a sentence: `The URL …`. */
    readonly subject: string,
    /** The rule it breaks, as the end of the sentence. */
    readonly rule: string,
  ) {
    super(`${subject} is refused: ${rule}.`);
  }
}

export class ReadingPolicy {
  readonly #hosts: ReadonlySet<string> | undefined;
  readonly #allowPrivate: boolean;

  constructor(options: ReadingPolicyOptions = {}) {
    const hosts = options.allowHosts ?? [];
    this.#hosts = hosts.length > 0 ? new Set(hosts.map((host) => allowedHost(host))) : undefined;
    this.#allowPrivate = options.allowPrivate ?? false;
  }

  /**
   * The addresses to connect to for `url`, every one checked; throws a ReadRefusedError for a URL
   * the policy refuses, and the resolver's own error when the name does not resolve.
   */
  async addressesOf(url: URL): Promise<LookupAddress[]> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ReadRefusedError(`The URL ${url.href}`, 'catalog locations are read over http or https only');
    }
    const host = hostOf(url);
    const listed = this.#hosts?.has(host) ?? false;
    if (this.#hosts && !listed) {
      throw new ReadRefusedError(`The URL ${url.href}`, `${host} is not one of the hosts catalog locations may reach (--catalog-allow-host)`);
    }
    const literal = isIP(host);
    const addresses: LookupAddress[] = literal ? [{ address: host, family: literal }] : await lookup(host, { all: true, verbatim: true });
    if (listed || this.#allowPrivate) return addresses;
    for (const { address } of addresses) {
      const reason = nonPublicReason(address);
      if (reason === undefined) continue;
      const what = literal ? `${address} is ${reason}` : `${host} resolves to ${address}, ${reason}`;
      throw new ReadRefusedError(`The URL ${url.href}`, `${what}; ${LIFT}`);
    }
    return addresses;
  }
}

/** A host name as URLs spell it: lower case, IP addresses normalised, no brackets or final dot. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/** An allow-list entry (a host name or an IP address) as hostOf spells it; throws a sentence. */
export function allowedHost(text: string): string {
  const trimmed = text.trim();
  const bracketed = isIP(trimmed) === 6 ? `[${trimmed}]` : trimmed;
  let url: URL | undefined;
  try {
    url = new URL(`http://${bracketed}/`);
  } catch {
    url = undefined;
  }
  if (!url || trimmed === '' || /[/?#@]/.test(trimmed) || url.port !== '') {
    throw new InputError(`Invalid --catalog-allow-host ${JSON.stringify(text)}: expected a host name or an IP address, such as catalog.acme.io or 10.0.0.5, without a scheme, port or path.`);
  }
  return hostOf(url);
}

/**
 * Why an IP address is not a public one, as the end of a sentence ("a loopback address"), or
 * undefined for a public unicast address. An IPv4 address written as IPv6 is judged as IPv4.
 */
export function nonPublicReason(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (parsed.kind() === 'ipv6' && range === 'unicast') {
    // Only 2000::/3 is routed on the internet; ::a.b.c.d and other leftovers are not.
    return parsed.match(ipaddr.parse('2000::'), 3) ? undefined : 'a reserved address';
  }
  return range === 'unicast' ? undefined : (RANGE_NAMES[range] ?? 'a reserved address');
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  uniqueLocal: 'a private address',
  linkLocal: 'a link-local address (where cloud metadata services answer)',
  unspecified: 'the unspecified address',
  carrierGradeNat: 'a shared (CGNAT) address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** True when `path` is `folder` or inside it, compared as written (no disk access). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * The real path of a file that must lie inside `folder` once symlinks are resolved, and never in
 * /proc, /sys or /dev; throws a ReadRefusedError naming the file, and the fs error when the file
 * is not there.
 */
export async function confinedPath(path: string, folder: string): Promise<string> {
  const real = await realpath(path);
  const realFolder = await realpath(folder).catch(() => folder);
  if (SYSTEM_FOLDERS.some((system) => isInside(real, system))) {
    throw new ReadRefusedError(`The file ${path}`, 'it is a system file, never a catalog file');
  }
  if (!isInside(real, realFolder)) {
    throw new ReadRefusedError(`The file ${path}`, `it is outside the folder ${folder} of its catalog location (symlinks resolved)`);
  }
  return real;
}
