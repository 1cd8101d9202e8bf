import { gzipSync } from 'node:zlib';
import { afterEach, expect, it } from 'vitest';
import { trivyReport } from '../../test/support/reports.js';
import { rowCounts } from '../../test/support/row-counts.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';

const lodash = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' } as const;
const query = 'target=acme%2Fpayments&type=repository&variant=main';

describeEachStore('HTTP API: scan upload and errors', (kind: StoreKind) => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  const upload = (payload: string | Buffer, q = query, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'POST', url: `/api/scans?${q}`, payload, headers: { 'content-type': 'application/json', ...headers } });

  it('ingests a raw report with 201 and answers a repeat with 200 and duplicate', async () => {
    server = await startTestServer(kind);
    const report = trivyReport([lodash]);
    const first = await upload(report, `${query}&commit=abc&baseline=true`);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ target: 'acme/payments', variant: 'main', scanner: 'trivy', format: 'trivy', counts: { high: 1, total: 1 }, new: 1, duplicate: false });
    const again = await upload(report);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ scanId: first.json().scanId, duplicate: true });
  });

  it('takes a gzip-compressed report under any content type', async () => {
    server = await startTestServer(kind);
    const response = await upload(gzipSync(trivyReport([lodash])), query, { 'content-type': 'application/octet-stream', 'content-encoding': 'identity' });
    expect(response.statusCode).toBe(201);
    expect(response.json().counts.total).toBe(1);
  });

  it('answers bad input with 4xx and the error shape, writing nothing', async () => {
    server = await startTestServer(kind, { maxReportBytes: 2048 });
    await upload(trivyReport([lodash]));
    const before = await rowCounts(server.lantern.store);

    const truncated = await upload('{"SchemaVersion": 2, "Results": [');
    expect(truncated.statusCode).toBe(400);
    expect(truncated.json()).toEqual({
      error: { name: 'InputError', message: expect.stringMatching(/^request body: not valid JSON/) },
      request: { method: 'POST', url: `/api/scans?${query}` },
      response: { statusCode: 400 },
    });

    const missing = await upload(trivyReport([lodash]), 'type=repository&variant=main');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toMatch(/target/);

    const badScope = await upload(trivyReport([lodash]), `${query}&scope=a.b.c`);
    expect(badScope.statusCode).toBe(400);
    expect(badScope.json().error.message).toMatch(/^Invalid scope "a\.b\.c": expected `account`, `ORG\.PROJECT`/);

    const badType = await upload(trivyReport([lodash]), 'target=x&type=vm&variant=main');
    expect(badType.statusCode).toBe(400);

    // An empty body without a format is refused as `lantern ingest` refuses a 0-byte file.
    for (const body of ['', gzipSync('')]) {
      const empty = await upload(body);
      expect(empty.statusCode).toBe(400);
      expect(empty.json().error.message).toMatch(/^request body: the file is empty \(0 bytes\); expected a JSON report from one of: trivy, /);
    }
    const emptyTrivy = await upload('', `${query}&format=trivy`);
    expect(emptyTrivy.statusCode).toBe(400);
    expect(emptyTrivy.json().error.message).toMatch(/\(--format trivy does not accept an empty file\)\.$/);

    const big = await upload('x'.repeat(4096));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.name).toBe('PayloadTooLargeError');

    const bomb = await upload(gzipSync(Buffer.alloc(1024 * 1024, 32)));
    expect(bomb.statusCode).toBe(413);
    expect(bomb.json().error.message).toMatch(/expands beyond the limit of 0\.0 MB/);

    const brokenGzip = await upload(Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(brokenGzip.statusCode).toBe(400);
    expect(brokenGzip.json().error.message).toMatch(/^The request body starts like gzip but cannot be decompressed/);

    expect(await rowCounts(server.lantern.store)).toEqual(before);
  });

  it('ingests an empty body named as OSV-Scanner, as `lantern ingest --format osv` does a 0-byte file', async () => {
    server = await startTestServer(kind);
    const response = await upload('', `${query}&format=osv`, { 'content-type': 'application/octet-stream' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ format: 'osv', scanner: 'osv-scanner', counts: { total: 0 }, duplicate: false });
  });

  it('answers an unknown route with a 404 naming it', async () => {
    server = await startTestServer(kind);
    const response = await server.app.inject({ method: 'GET', url: '/api/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { name: 'NotFoundError', message: 'No route GET /api/nothing-here; the API is described at /api/openapi.json.' },
      request: { method: 'GET', url: '/api/nothing-here?x=1' },
      response: { statusCode: 404 },
    });
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    server = await startTestServer(kind);
    const doc = (await server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const post = doc.paths['/api/scans'].post;
    expect(post.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['target', 'type', 'variant', 'scope', 'format', 'commit', 'branch', 'baseline']));
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '413']));
  });
});
