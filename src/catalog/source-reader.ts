import { readFile, stat } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import { InputError, PayloadTooLargeError } from '../domain/errors.js';
import { isUrl } from './source-address.js';

/**
 * All the catalog's I/O: files, folders and http(s) URLs. Everything else in src/catalog is pure
 * or takes a SourceReader, so tests can stand in for the disk and the network.
 */
export interface SourceReader {
  /** The text at an absolute path or http(s) URL; rejects with an InputError sentence. */
  readText(address: string): Promise<string>;
  /** Absolute paths of the files under `directory` that match the glob `pattern`, sorted. */
  listFiles(directory: string, pattern: string): Promise<string[]>;
  /** What is at an absolute path. */
  kindOf(path: string): Promise<'file' | 'directory' | 'missing'>;
}

export interface SourceReaderOptions {
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
  return {
    readText: (address) => (isUrl(address) ? fetchText(address, timeoutMs, maxBytes) : readLocalText(address, maxBytes)),
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

async function readLocalText(path: string, maxBytes: number): Promise<string> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputError(`${path} is a folder, not a file.`);
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(describeFileError(path, error));
  }
  if (size > maxBytes) throw tooLarge(`The file ${path}`, size, maxBytes);
  try {
    return await readFile(path, 'utf8');
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
function tooLarge(what: string, size: number | undefined, maxBytes: number): PayloadTooLargeError {
  const measured = size === undefined ? 'is larger than' : `is ${byteSize(size)}, over`;
  return new PayloadTooLargeError(`${what} ${measured} the limit of ${byteSize(maxBytes)} for one catalog file.`);
}

function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

async function fetchText(url: string, timeoutMs: number, maxBytes: number): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok) throw new InputError(`The URL ${url} answered ${response.status} ${response.statusText}`.trim() + '.');
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel();
      throw tooLarge(`The response from ${url}`, declared, maxBytes);
    }
    return await readBody(response, url, maxBytes);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (controller.signal.aborted) {
      throw new InputError(`The URL ${url} did not answer within ${timeoutMs / 1000} seconds.`);
    }
    const cause = (error as { cause?: { message?: string } } | undefined)?.cause?.message;
    throw new InputError(`The URL ${url} could not be fetched: ${cause ?? (error instanceof Error ? error.message : String(error))}.`);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a body up to the limit, so a server that sends no length cannot fill memory. */
async function readBody(response: Response, url: string, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(`The response from ${url}`, undefined, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
