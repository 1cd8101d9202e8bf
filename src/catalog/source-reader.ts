import type { LookupAddress } from 'node:dns';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { glob } from 'tinyglobby';
import { InputError, PayloadTooLargeError } from '../domain/errors.js';
import { confinedPath, MAX_REDIRECTS, ReadingPolicy, type ReadingPolicyOptions, ReadRefusedError } from './reading-policy.js';
import { pinnedGet } from './pinned-request.js';
import { isUrl } from './source-address.js';

/**
 * All the catalog's I/O: files, folders and http(s) URLs. Everything else in src/catalog is pure
 * or takes a SourceReader, so tests can stand in for the disk and the network.
 */
export interface SourceReader {
  /**
   * The text at an absolute path or http(s) URL; rejects with an InputError sentence. A path read
   * `within` a folder must lie inside it once symlinks are resolved (the reading policy).
   */
  readText(address: string, within?: string): Promise<string>;
  /** Absolute paths of the files under `directory` that match the glob `pattern`, sorted. */
  listFiles(directory: string, pattern: string): Promise<string[]>;
  /** What is at an absolute path. */
  kindOf(path: string): Promise<'file' | 'directory' | 'missing'>;
}

export interface SourceReaderOptions extends ReadingPolicyOptions {
  /** How long one URL may take to answer, body included. Default 10 seconds. */
  timeoutMs?: number;
  /** The largest file or response read. Default 10 MiB. */
  maxBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** Folders that hold dependencies or history, never catalog files. */
const IGNORED = ['**/node_modules/**', '**/.git/**'];

export function nodeSourceReader(options: SourceReaderOptions = {}): SourceReader {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const policy = new ReadingPolicy(options);
  return {
    readText: (address, within) => (isUrl(address) ? fetchText(address, policy, timeoutMs, maxBytes) : readLocalText(address, within, maxBytes)),
    async listFiles(directory, pattern) {
      // Hidden folders such as .backstage/ may hold catalog files; .git never does (IGNORED).
      const files = await glob(pattern, { cwd: directory, absolute: true, onlyFiles: true, ignore: IGNORED, dot: true });
      return files.sort();
    },
    async kindOf(path) {
      try {
        const info = await stat(path);
        return info.isDirectory() ? 'directory' : 'file';
      } catch {
        return 'missing';
      }
    },
  };
}

async function readLocalText(path: string, within: string | undefined, maxBytes: number): Promise<string> {
  let size: number;
  let real = path;
  try {
    if (within !== undefined) real = await confinedPath(path, within);
    const info = await stat(real);
    if (info.isDirectory()) throw new InputError(`${path} is a folder, not a file.`);
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(describeFileError(path, error));
  }
  if (size > maxBytes) throw tooLarge(`The file ${path}`, size, maxBytes);
  try {
    return await readFile(real, 'utf8');
  } catch (error) {
    throw new InputError(describeFileError(path, error));
  }
}

function describeFileError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `The file ${path} does not exist.`;
  if (code === 'EACCES' || code === 'EPERM') return `The file ${path} cannot be read: permission denied.`;
  return `The file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}.`;
}

/** `size` is undefined when reading stopped at the limit, before the end. */
function tooLarge(what: string, size: number | undefined, maxBytes: number, limitName = 'for one catalog file'): PayloadTooLargeError {
  const measured = size === undefined ? 'is larger than' : `is ${byteSize(size)}, over`;
  return new PayloadTooLargeError(`${what} ${measured} the limit of ${byteSize(maxBytes)} ${limitName}.`);
}

export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** How one http(s) GET is made and judged: the policy and limits, and what the caller asks besides. */
export interface HttpRead {
  policy: ReadingPolicy;
  timeoutMs: number;
  maxBytes: number;
  /** The accept header. */
  accept: string;
  /** Other request headers, such as a bearer token. */
  headers?: Record<string, string>;
  /** Follow redirects only within the first URL's origin: a request carrying a credential sends it nowhere else. */
  sameOrigin?: boolean;
  /** Ends the read early besides timeoutMs (an overall deadline). */
  signal?: AbortSignal;
  /** The end of the size error's sentence: `for one catalog file`. */
  limitName: string;
  /** The one error for every network or server failure, whatever it was. */
  unreadable: () => InputError;
  /** The error for an answer with this status, when it has one to say; default: unreadable. */
  statusError?: (status: number) => InputError | undefined;
}

/**
 * GETs a URL, following up to MAX_REDIRECTS redirects by hand so that the policy checks every hop,
 * and connecting only to the addresses the policy checked. Every failure of the network or the
 * server reads the same (request.unreadable): whether a port is closed or a path missing must not
 * be learnt from Lantern's answers.
 */
export async function getText(url: string, request: HttpRead): Promise<string> {
  const { policy, maxBytes } = request;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  // The resolver takes no signal: the time limit must hold for a name that never resolves too.
  const timedOut = new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  timedOut.catch(() => undefined);
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw request.unreadable();
  }
  const origin = current.origin;
  try {
    for (let hop = 0; ; hop++) {
      const addresses = await Promise.race([policy.addressesOf(current), timedOut]).catch((error: unknown) => {
        if (error instanceof ReadRefusedError && hop > 0) throw new ReadRefusedError(`The URL ${url} redirects to ${current.href}, which`, error.rule);
        throw error;
      });
      const response = await pinnedGet(current, addresses, signal, { accept: request.accept, ...request.headers });
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        response.destroy();
        if (hop === MAX_REDIRECTS) throw new InputError(`The URL ${url} redirects more than ${MAX_REDIRECTS} times; a catalog location may redirect at most ${MAX_REDIRECTS} times.`);
        current = new URL(location, current);
        if (request.sameOrigin && current.origin !== origin) {
          throw new ReadRefusedError(`The redirect of ${url} to ${current.origin}`, `a request that carries a credential follows redirects only within its own origin (${origin})`);
        }
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        throw request.statusError?.(status) ?? request.unreadable();
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        response.destroy();
        throw tooLarge(`The response from ${url}`, declared, maxBytes, request.limitName);
      }
      return await readBody(response, url, maxBytes, request.limitName);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw request.unreadable();
  }
}

function fetchText(url: string, policy: ReadingPolicy, timeoutMs: number, maxBytes: number): Promise<string> {
  return getText(url, {
    policy,
    timeoutMs,
    maxBytes,
    accept: 'application/yaml, application/json, text/plain, */*',
    limitName: 'for one catalog file',
    unreadable: () => new InputError(`The catalog file could not be read from ${url}.`),
  });
}


/** Reads a body up to the limit as it streams, so a server that sends no length cannot fill memory. */
async function readBody(response: IncomingMessage, url: string, maxBytes: number, limitName: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const bytes = chunk as Buffer;
    size += bytes.byteLength;
    if (size > maxBytes) {
      response.destroy();
      throw tooLarge(`The response from ${url}`, undefined, maxBytes, limitName);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
