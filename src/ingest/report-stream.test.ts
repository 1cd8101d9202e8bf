import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PayloadTooLargeError } from '../domain/errors.js';
import { IN_MEMORY_BYTES, type ReceiveOptions, receiveReport } from './report-stream.js';

const report = (bytes: number) => Buffer.from(`[${' '.repeat(bytes - 2)}]`);
/** The body as a stream of chunks of at most 1 000 bytes, as a socket delivers it. */
const body = (bytes: Buffer) => Readable.from(Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => bytes.subarray(i * 1000, (i + 1) * 1000)));

describe('receiving an uploaded report', () => {
  let directory: string;
  let options: ReceiveOptions;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'lantern-report-stream-'));
    options = { directory, maxBytes: 20_000, maxInflationRatio: 100, minBytesPerSecond: 1, rateWindowMs: 60_000 };
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('holds a report up to the memory bound in memory, raw or gzip, and creates no file', async () => {
    const bytes = report(9_000);
    const raw = await receiveReport(body(bytes), { ...options, memoryBytes: 9_000 });
    const gzip = await receiveReport(body(gzipSync(bytes)), { ...options, memoryBytes: 9_000 });
    expect(readdirSync(directory)).toEqual([]);
    for (const received of [raw, gzip]) {
      expect(received.path).toBeUndefined();
      expect(received.bytes).toBe(9_000);
      expect(Buffer.from(await received.read()).equals(bytes)).toBe(true);
      await received.remove();
    }
  });

  it('writes a report past the memory bound to a private temporary file, the bytes held so far first', async () => {
    const bytes = Buffer.from(Array.from({ length: 12_000 }, (_, i) => 32 + (i % 90)));
    const received = await receiveReport(body(bytes), { ...options, memoryBytes: 4_500 });
    expect(received.path).toBeDefined();
    expect(readdirSync(directory)).toEqual([received.path?.slice(directory.length + 1)]);
    expect(statSync(received.path as string).mode & 0o777).toBe(0o600);
    expect(received.bytes).toBe(12_000);
    expect(Buffer.from(await received.read()).equals(bytes)).toBe(true);
    await received.remove();
    await received.remove();
    expect(readdirSync(directory)).toEqual([]);
  });

  it('refuses a report over the size limit while it is still held in memory, raw or gzip', async () => {
    const small = { ...options, maxBytes: 5_000 };
    expect(IN_MEMORY_BYTES).toBeGreaterThan(6_000);
    await expect(receiveReport(body(report(6_000)), small)).rejects.toThrow(new PayloadTooLargeError('The report is larger than the limit of 0.0 MB (--max-report-mb).'));
    await expect(receiveReport(body(gzipSync(report(6_000))), small)).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('refuses a report over the size limit after it went to a file, and removes the file', async () => {
    await expect(receiveReport(body(report(30_000)), { ...options, memoryBytes: 2_000 })).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('reads an empty body as an empty report', async () => {
    const received = await receiveReport(Readable.from([]), options);
    expect(received.bytes).toBe(0);
    expect((await received.read()).byteLength).toBe(0);
  });
});
