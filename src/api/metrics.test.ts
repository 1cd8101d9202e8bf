import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { localActor } from '../access/actor.js';
import { parseScope } from '../domain/scope.js';

const query = 'target=acme%2Fpayments&type=repository&variant=main';

function trivyReport(count: number): string {
  const vulnerabilities = Array.from({ length: count }, (_, i) => ({ VulnerabilityID: `CVE-2024-${i}`, PkgName: `package-${i}`, InstalledVersion: '1.0.0', Severity: 'HIGH' }));
  return JSON.stringify({ SchemaVersion: 2, ArtifactName: '.', ArtifactType: 'filesystem', Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Vulnerabilities: vulnerabilities }] });
}

/** The value of one sample line of the exposition text, or undefined when there is none. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeEachStore('GET /api/metrics', (kind: StoreKind) => {
  let server: TestServer;
  let viewer: string;
  let ingester: string;
  beforeEach(async () => {
    // A server that requires credentials, as a deployment scraped by Prometheus is.
    server = await startTestServer(kind, {}, { auth: {}, webRoot: false });
    viewer = (await server.lantern.createToken({ name: 'prometheus', role: 'viewer', scope: 'account' }, localActor())).token;
    ingester = (await server.lantern.createToken({ name: 'ci', role: 'ingester', scope: 'account' }, localActor())).token;
  });
  afterEach(async () => {
    await server.close();
  });

  const get = (url: string, token?: string) => server.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('counts requests by route pattern and ingests by scanner, for a viewer token; 401 without one', async () => {
    const before = await get('/api/metrics', viewer);
    expect(before.statusCode).toBe(200);
    // Each server has a registry of its own: nothing from the servers of earlier tests.
    expect(before.body).not.toContain('lantern_ingested_findings_total{');

    const ingest = await server.app.inject({ method: 'POST', url: `/api/scans?${query}`, payload: trivyReport(7), headers: { 'content-type': 'application/json', authorization: `Bearer ${ingester}` } });
    expect(ingest.statusCode).toBe(201);
    const targetId = ((await get('/api/targets', viewer)).json() as Array<{ id: number }>)[0]?.id;
    expect((await get(`/api/targets/${targetId}`, viewer)).statusCode).toBe(200);
    expect((await get(`/api/targets/${targetId}`, viewer)).statusCode).toBe(200);
    expect((await get('/api/targets/999999', viewer)).statusCode).toBe(404);

    const metrics = await get('/api/metrics', viewer);
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = metrics.body;
    expect(text).toContain('# TYPE lantern_http_request_duration_seconds histogram');
    expect(sample(text, 'lantern_http_request_duration_seconds_count{method="GET",route="/api/targets/:id",status="200"}')).toBe(2);
    expect(sample(text, 'lantern_http_request_duration_seconds_count{method="GET",route="/api/targets/:id",status="404"}')).toBe(1);
    expect(sample(text, 'lantern_http_request_duration_seconds_count{method="POST",route="/api/scans",status="201"}')).toBe(1);
    // The route pattern, never the URL with its ids.
    expect(text).not.toContain(`route="/api/targets/${targetId}"`);
    expect(sample(text, 'lantern_ingested_findings_total{scanner="trivy"}')).toBe(7);
    expect(sample(text, 'lantern_ingest_duration_seconds_count{scanner="trivy"}')).toBe(1);
    expect(sample(text, 'lantern_ingest_queue_waiting')).toBe(0);
    // The upload had a free slot at once; the ingest's transaction and the token checks' writes waited to begin.
    expect(sample(text, 'lantern_ingest_queue_wait_seconds_count{outcome="granted"}')).toBe(1);
    expect(sample(text, 'lantern_ingest_queue_wait_seconds_bucket{le="0.001",outcome="granted"}')).toBe(1);
    expect(sample(text, 'lantern_db_transaction_wait_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'lantern_db_transaction_retries_total{race="serialization"}')).toBe(0);
    expect(sample(text, 'lantern_db_unavailable_total')).toBe(0);
    expect(text).toContain('process_cpu_user_seconds_total');
    if (kind === 'postgres') expect(sample(text, 'lantern_db_pool_connections{state="total"}')).toBeGreaterThan(0);
    else expect(text).not.toContain('lantern_db_pool_connections');

    // The same report again stores nothing new: no findings counted.
    await server.app.inject({ method: 'POST', url: `/api/scans?${query}`, payload: trivyReport(7), headers: { 'content-type': 'application/json', authorization: `Bearer ${ingester}` } });
    expect(sample((await get('/api/metrics', viewer)).body, 'lantern_ingested_findings_total{scanner="trivy"}')).toBe(7);

    const anonymous = await get('/api/metrics');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.name).toBe('UnauthenticatedError');
  });

  it("counts the refreshes of waiting links' similar-name hints that follow first scans", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-metrics-'));
    try {
      // A waiting link whose name is one letter off the target the upload creates.
      const file = join(dir, 'catalog-info.yaml');
      writeFileSync(
        file,
        ['apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata:', '  name: payments', '  annotations:', `    harness.io/sto-test-target: '${JSON.stringify([{ name: 'acme/paymentz', scope: 'account' }])}'`, 'spec:', '  type: service', '  lifecycle: production', '  owner: team-a'].join('\n'),
      );
      await server.lantern.catalog.register(file, parseScope('account'));
      const zero = (await get('/api/metrics', viewer)).body;
      expect(sample(zero, 'lantern_link_hint_refreshes_total{outcome="refreshed"}')).toBe(0);
      const ingest = await server.app.inject({ method: 'POST', url: `/api/scans?${query}&scope=account`, payload: trivyReport(1), headers: { 'content-type': 'application/json', authorization: `Bearer ${ingester}` } });
      expect(ingest.statusCode).toBe(201);
      await server.lantern.linkHints.settled();
      const links = await server.lantern.store.db.selectFrom('entity_links').select('diagnostics').execute();
      expect(links.map((l) => (JSON.parse(l.diagnostics) as Array<{ code: string }>)[0]?.code)).toEqual(['similar-target']);
      const text = (await get('/api/metrics', viewer)).body;
      expect(sample(text, 'lantern_link_hint_refreshes_total{outcome="refreshed"}')).toBe(1);
      expect(sample(text, 'lantern_link_hint_refreshes_total{outcome="failed"}')).toBe(0);
      expect(sample(text, 'lantern_link_hint_refreshes_given_up_total')).toBe(0);
      // The server's hook for a target given up after failing too often (link-hints.test.ts) counts it.
      server.lantern.linkHints.onGivenUp(42);
      expect(sample((await get('/api/metrics', viewer)).body, 'lantern_link_hint_refreshes_given_up_total')).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is left out of the OpenAPI document, which lists the health routes', async () => {
    const paths = Object.keys((await get('/api/openapi.json')).json().paths as object);
    expect(paths).not.toContain('/api/metrics');
    expect(paths).toEqual(expect.arrayContaining(['/api/health', '/api/health/live', '/api/health/ready']));
  });
});
