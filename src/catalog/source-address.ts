import { dirname, isAbsolute, resolve } from 'node:path';

/**
 * Catalog sources are named by one string: an absolute file path or an http(s) URL. A target
 * written in a file (a Location's target, a `$text` placeholder) is relative to that file.
 */

export function isUrl(address: string): boolean {
  return /^https?:\/\//i.test(address);
}

/** An input as the user gave it, made absolute: a URL as is, a path against `cwd`. */
export function absoluteAddress(input: string, cwd: string): string {
  const text = input.trim();
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
