import type { LookupAddress } from 'node:dns';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MAX_REDIRECTS, ReadingPolicy, type ReadingPolicyOptions, ReadRefusedError } from '../catalog/reading-policy.js';
import { pinnedGet } from '../catalog/pinned-request.js';
import { InputError, PayloadTooLargeError } from '../domain/errors.js';
import type { Line } from './epss.js';

export interface FeedSourceOptions extends ReadingPolicyOptions {
  /** The most bytes read, after decompression. */
  maxBytes: number;
  /** How long a download may take, body included. Default 120 s. */
  timeoutMs?: number;
  /** Bytes as stored or sent, without gunzipping them. */
  raw?: boolean;
}

const MAX_LINE = 1024;

export function isFeedUrl(address: string): boolean {
  return /^https?:\/\//i.test(address);
}

/**
 * The bytes of a feed file or URL, gunzipped when they start with the gzip magic, cut off with a
 * PayloadTooLargeError past `maxBytes` (after decompression, so a zip bomb stops there). URLs go
 * through the catalog's reading policy: http(s) only, public hosts unless allowed, every redirect
 * hop checked, connections pinned to the checked addresses.
 */
export async function* feedBytes(address: string, options: FeedSourceOptions): AsyncGenerator<Buffer> {
  const raw = isFeedUrl(address) ? await download(address, new ReadingPolicy(options), options.timeoutMs ?? 120_000) : await openFile(address);
  let total = 0;
  let source: AsyncIterable<Buffer> = raw;
  const iterator = raw[Symbol.asyncIterator]();
  const first = await iterator.next().catch((error: unknown) => {
    throw unreadable(address, error);
  });
  if (first.done) return;
  const head = first.value as Buffer;
  const rest: AsyncIterable<Buffer> = {
    async *[Symbol.asyncIterator]() {
      yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value as Buffer;
      }
    },
  };
  if (!options.raw && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    // pipeline() destroys the gunzip stream with any error of the source, so reading it throws.
    pipeline(Readable.from(rest), gunzip, () => undefined);
    source = gunzip;
  } else {
    source = rest;
  }
  try {
    for await (const chunk of source) {
      total += (chunk as Buffer).byteLength;
      if (total > options.maxBytes) throw new PayloadTooLargeError(`${address} is larger than the limit of ${Math.round(options.maxBytes / (1024 * 1024))} MB for one feed (after decompression); nothing was imported.`);
      yield chunk as Buffer;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw unreadable(address, error);
  } finally {
    if ('destroy' in raw) (raw as { destroy(): void }).destroy();
  }
}

/** The lines of a feed, numbered; a line longer than any feed has is refused with its number. */
export async function* feedLines(bytes: AsyncIterable<Buffer>, address: string): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let number = 0;
  for await (const chunk of bytes) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
      number++;
      yield { text: pending.slice(start, end), number };
      start = end + 1;
    }
    pending = pending.slice(start);
    if (pending.length > MAX_LINE) throw new InputError(`${address}, line ${number + 1}: longer than ${MAX_LINE} characters; no feed line is this long.`);
  }
  pending += decoder.decode();
  if (pending !== '') yield { text: pending, number: number + 1 };
}

/** The whole text of a feed (KEV is one JSON document). */
export async function feedText(address: string, options: FeedSourceOptions): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of feedBytes(address, options)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function openFile(path: string): Promise<AsyncIterable<Buffer> & { destroy(): void }> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputError(`${path} is a folder, not a feed file.`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `The feed file ${path} does not exist.` : `The feed file ${path} cannot be read: ${(error as Error).message}.`);
  }
  return createReadStream(path);
}

function unreadable(address: string, error: unknown): InputError {
  if (error instanceof InputError) return error;
  const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
  return new InputError(`The feed could not be read from ${address}${detail}.`);
}

async function download(url: string, policy: ReadingPolicy, timeoutMs: number): Promise<IncomingMessage> {
  const signal = AbortSignal.timeout(timeoutMs);
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new InputError(`Invalid feed URL ${JSON.stringify(url)}: expected an http(s) URL.`);
  }
  for (let hop = 0; ; hop++) {
    let addresses: LookupAddress[];
    try {
      addresses = await policy.addressesOf(current);
    } catch (error) {
      if (error instanceof ReadRefusedError) throw new ReadRefusedError(hop > 0 ? `The feed URL ${url} redirects to ${current.href}, which` : `The feed URL ${url}`, error.rule.replace('catalog locations', 'feeds'));
      throw unreadable(url, error);
    }
    const response = await pinnedGet(current, addresses, signal).catch((error: unknown) => {
      throw unreadable(url, error);
    });
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location !== undefined) {
      response.destroy();
      if (hop === MAX_REDIRECTS) throw new InputError(`The feed URL ${url} redirects more than ${MAX_REDIRECTS} times.`);
      current = new URL(location, current);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.destroy();
      throw new InputError(`The feed could not be read from ${url}: the server answered ${status}.`);
    }
    return response;
  }
}

