import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { post } from '../../test/support/http-upload.js';
import { trivyReport } from '../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { IN_MEMORY_BYTES } from '../ingest/report-stream.js';
import type { LanternOptions } from '../lantern.js';
import type { ServerLimits } from './limits.js';

const MiB = 1024 * 1024;
const query = 'target=acme%2Fpayments&type=repository&variant=main';
const lodash = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' } as const;

/**
 * Runs `work` while sampling this process's RSS; resolves with its result and how far the RSS rose
 * above where it started (the process holds the client, the server and the earlier tests' heap, so
 * only the rise says whether an upload was held in memory).
 */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage().rss) - start };
  } finally {
    clearInterval(sampler);
  }
}

function* repeat(chunk: Buffer, times: number, head?: Buffer, tail?: Buffer): Generator<Buffer> {
  if (head) yield head;
  for (let i = 0; i < times; i++) yield chunk;
  if (tail) yield tail;
}

describeEachStore('HTTP API: streamed, bounded uploads', (kind: StoreKind) => {
  let server: TestServer;
  let url: string;
  let uploadDirectory: string;

  beforeEach(() => {
    uploadDirectory = mkdtempSync(join(tmpdir(), 'lantern-uploads-test-'));
  });
  afterEach(async () => {
    await server.close();
    rmSync(uploadDirectory, { recursive: true, force: true });
  });

  const start = async (lantern: LanternOptions = {}, limits: Partial<ServerLimits> = {}) => {
    server = await startTestServer(kind, lantern, { webRoot: false, limits: { uploadDirectory, ...limits } });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.app.server.address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
  };
  const scanCount = async () => (await server.lantern.store.db.selectFrom('scans').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

  it('refuses a gzip bomb (1 GiB of zeros) with 413 without inflating it in memory', async () => {
    await start();
    // Concatenated gzip members inflate as one stream: 1 024 members of 1 MiB of zeros each.
    const { result, peak } = await peakRss(() => post(`${url}/api/scans?${query}`, repeat(gzipSync(Buffer.alloc(MiB)), 1024)));
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error).toMatchObject({ name: 'PayloadTooLargeError', message: expect.stringMatching(/^The gzip-compressed report expands more than 100 times/) });
    expect(peak).toBeLessThan(200 * MiB);
    expect(await scanCount()).toBe(0);
    expect(readdirSync(uploadDirectory)).toEqual([]);
  });

  it('refuses a gzip of one JSON document holding a single 400 MiB string with 413', async () => {
    await start();
    const { result, peak } = await peakRss(() =>
      post(`${url}/api/scans?${query}`, repeat(gzipSync(Buffer.alloc(MiB, 'a')), 400, gzipSync('{"SchemaVersion":2,"Results":"'), gzipSync('"}'))),
    );
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error.name).toBe('PayloadTooLargeError');
    expect(peak).toBeLessThan(200 * MiB);
    expect(await scanCount()).toBe(0);
    expect(readdirSync(uploadDirectory)).toEqual([]);
  });

  it('refuses a raw body over --max-report-mb with 413 without holding it, and writes nothing', async () => {
    await start({ maxReportBytes: 200 * MiB });
    const { result, peak } = await peakRss(() => post(`${url}/api/scans?${query}`, repeat(Buffer.alloc(MiB, ' '), 250, Buffer.from('['), Buffer.from(']'))));
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error).toMatchObject({ name: 'PayloadTooLargeError', message: 'The report is larger than the limit of 200.0 MB (--max-report-mb).' });
    expect(peak).toBeLessThan(200 * MiB);
    expect(await scanCount()).toBe(0);
    expect(readdirSync(uploadDirectory)).toEqual([]);
  });

  it('cuts off a client that sends a byte at a time too slowly, with 408 and a closed connection', async () => {
    await start({}, { uploadRateWindowMs: 1000, minUploadBytesPerSecond: 100 });
    const answer = await post(`${url}/api/scans?${query}`, repeat(Buffer.from(' '), 1000), { delayMs: 1500 }).catch((error: Error) => error);
    // Either the 408 arrives, or the connection closes under the client first: never an ingest.
    if (!(answer instanceof Error)) {
      expect(answer.status).toBe(408);
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body).error.name).toBe('RequestTimeoutError');
    }
    expect(await scanCount()).toBe(0);
    await vi.waitFor(() => expect(readdirSync(uploadDirectory)).toEqual([]));
  }, 20_000);

  it('answers 503 with Retry-After when every ingest slot stays busy', async () => {
    await start({}, { maxConcurrentIngests: 1, ingestQueueTimeoutMs: 200, uploadRateWindowMs: 60_000 });
    // The first upload holds the only slot: it sends its first bytes and then nothing for a while.
    // They are more than an upload keeps in memory, so that its temporary file shows it has begun.
    const first = post(`${url}/api/scans?${query}`, repeat(Buffer.from(trivyReport([lodash])), 1, Buffer.alloc(IN_MEMORY_BYTES + 1, ' ')), { delayMs: 3000 });
    await vi.waitFor(() => expect(readdirSync(uploadDirectory)).toHaveLength(1));
    const second = await post(`${url}/api/scans?${query}`, [Buffer.from(trivyReport([lodash]))]);
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe('30');
    expect(JSON.parse(second.body).error.name).toBe('BusyError');
    expect((await first).status).toBe(201);
    // The metrics show the wait: one upload granted at once, one that gave up after the queue's 200 ms.
    const metrics = (await server.app.inject({ method: 'GET', url: '/api/metrics' })).body;
    const sample = (series: string) => Number(metrics.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1));
    expect(sample('lantern_ingest_queue_wait_seconds_count{outcome="granted"}')).toBe(1);
    expect(sample('lantern_ingest_queue_wait_seconds_count{outcome="timed-out"}')).toBe(1);
    expect(sample('lantern_ingest_queue_wait_seconds_sum{outcome="timed-out"}')).toBeGreaterThanOrEqual(0.19);
  }, 20_000);

  it('removes the temporary file after a success, a malformed report and a client that goes away', async () => {
    await start();
    const ok = await post(`${url}/api/scans?${query}`, [Buffer.from(trivyReport([lodash]))]);
    expect(ok.status).toBe(201);
    expect(readdirSync(uploadDirectory)).toEqual([]);

    const gzipped = await post(`${url}/api/scans?target=acme%2Fpayments&type=repository&variant=gz`, [gzipSync(trivyReport([lodash]))]);
    expect(gzipped.status).toBe(201);
    expect(readdirSync(uploadDirectory)).toEqual([]);

    const malformed = await post(`${url}/api/scans?${query}`, [Buffer.from('{"SchemaVersion": 2, "Results": [')]);
    expect(malformed.status).toBe(400);
    expect(readdirSync(uploadDirectory)).toEqual([]);

    // A client that sends half a report and disconnects.
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${url}/api/scans?${query}`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
      request.on('error', () => resolve());
      request.write(Buffer.alloc(2 * MiB, ' '), () => {
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 100);
      });
    });
    await vi.waitFor(() => expect(readdirSync(uploadDirectory)).toEqual([]));
    expect(await scanCount()).toBe(2);
  });

  it('stores a report uploaded over a socket: the body stream is not taken for JSON to check', async () => {
    await start();
    const answer = await post(`${url}/api/scans?${query}`, [Buffer.from(trivyReport([lodash]))]);
    expect(answer.status, answer.body).toBe(201);
    expect(await scanCount()).toBe(1);
  });
});
