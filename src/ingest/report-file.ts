import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InputError, PayloadTooLargeError } from '../domain/errors.js';

export const DEFAULT_MAX_REPORT_MB = 512;

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Reads a report file whole, refusing one larger than the limit before reading it. `lantern ingest
 * FILE` and POST /api/scans (from the file the upload was received into) both read reports here.
 */
export async function readReportFile(path: string, maxBytes: number): Promise<Uint8Array> {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new InputError(`${path}: is a directory; expected a scanner report file.`);
    size = stat.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path}: no such file.` : `${path}: cannot be read (${(error as Error).message}).`);
  }
  if (size > maxBytes) {
    throw new PayloadTooLargeError(`${path}: the report is ${megabytes(size)}, larger than the limit of ${megabytes(maxBytes)} (--max-report-mb).`);
  }
  return readFile(path);
}
