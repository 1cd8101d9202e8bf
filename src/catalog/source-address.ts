import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../domain/errors.js';

/**
 * Catalog sources are named by one string: an absolute file path, an http(s) URL, or a running
 * Backstage as `backstage+https://portal.acme.io` (its catalog API, read instead of files). A
 * target written in a file (a Location's target, a `$text` placeholder) is relative to that file.
 */

export function isUrl(address: string): boolean {
  return /^https?:\/\//i.test(address);
}

const BACKSTAGE_PREFIX = 'backstage+';

/** True for `backstage+http(s)://…`: a Backstage whose catalog API is read. */
export function isBackstageAddress(address: string): boolean {
  return /^backstage\+https?:\/\//i.test(address.trim());
}

/** A location read over the network (a URL or a Backstage), whose failure to answer now may pass. */
export function isRemoteAddress(address: string): boolean {
  return isUrl(address.trim()) || isBackstageAddress(address);
}

/**
 * The base URL of a Backstage address, `https://portal.acme.io/` or with the path prefix its
 * backend is served under; throws an InputError sentence for an address that cannot name one.
 * Credentials are refused and never quoted: the token comes from LANTERN_BACKSTAGE_TOKEN.
 */
export function backstageBaseUrl(address: string): URL {
  const text = address.trim().slice(BACKSTAGE_PREFIX.length);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`Invalid Backstage location ${JSON.stringify(address.trim().slice(0, 200))}: expected backstage+https://HOST, the address of a Backstage backend.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InputError('Invalid Backstage location: it holds a user name or password, which Lantern never stores; give the address without them and the token in LANTERN_BACKSTAGE_TOKEN.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InputError(`Invalid Backstage location ${JSON.stringify(`${BACKSTAGE_PREFIX}${url.href}`)}: expected the address of a Backstage backend without a query or fragment, such as backstage+https://portal.acme.io.`);
  }
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

/** An input as the user gave it, made absolute: a URL as is, a Backstage address normalised, a path against `cwd`. */
export function absoluteAddress(input: string, cwd: string): string {
  const text = input.trim();
  if (isBackstageAddress(text)) return `${BACKSTAGE_PREFIX}${backstageBaseUrl(text).href}`;
  return isUrl(text) ? new URL(text).href : resolve(cwd, text);
}

/**
 * The address of `target` written in the file at `holder`. A file read from a URL only reaches
 * other URLs: a remote catalog must never make Lantern read local files.
 */
export function resolveAddress(target: string, holder: string): { address: string } | { error: string } {
  const text = target.trim();
  if (text === '') return { error: 'The target is empty: expected a relative path or an http(s) URL.' };
  if (isUrl(text)) {
    try {
      return { address: new URL(text).href };
    } catch {
      return { error: `The target ${JSON.stringify(target)} is not a valid URL.` };
    }
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(text)) {
    return { error: `The target ${JSON.stringify(target)} uses a scheme Lantern does not read: expected a relative path or an http(s) URL.` };
  }
  if (isUrl(holder)) {
    try {
      return { address: new URL(text, holder).href };
    } catch {
      return { error: `The target ${JSON.stringify(target)} cannot be read relative to ${holder}.` };
    }
  }
  return { address: isAbsolute(text) ? resolve(text) : resolve(dirname(holder), text) };
}
