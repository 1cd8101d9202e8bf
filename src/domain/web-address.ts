import { InputError } from './errors.js';

/** An http(s) URL given by a user (a pipeline link, a catalog location), parsed before it is used or stored. */
export function parseWebAddress(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`Invalid ${what} ${JSON.stringify(text.slice(0, 200))}: expected an http(s) URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`Invalid ${what} ${JSON.stringify(text.slice(0, 200))}: expected an http(s) URL, not a ${url.protocol} one.`);
  }
  return url;
}
