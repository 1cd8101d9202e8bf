import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { DEFAULT_PROJECT_SCOPE } from '../domain/scope.js';

const vulns: Vulnerability[] = [
  { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH' },
  { id: 'CVE-2021-44906', pkg: 'minimist', version: '1.2.5', severity: 'CRITICAL' },
  { id: 'CVE-2022-24999', pkg: 'qs', version: '6.5.2', severity: 'MEDIUM' },
];

/** Every list is paged: the plain-array lists page by limit and offset and name the next page in a Link header. */
describeEachStore('HTTP API: plain-array lists are paged', (kind: StoreKind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(kind);
    for (const [i, name] of ['acme/a', 'acme/b', 'acme/c'].entries()) {
      await server.lantern.ingest({ report: bytes(trivyReport([vulns[i] as Vulnerability])), source: 'r.json', target: name, targetType: 'repository', variant: 'main', scope: DEFAULT_PROJECT_SCOPE });
    }
    // Three scans of acme/a: the same target, different reports.
    for (const v of [vulns[1], vulns[2]]) {
      await server.lantern.ingest({ report: bytes(trivyReport([v as Vulnerability])), source: 'r.json', target: 'acme/a', targetType: 'repository', variant: 'main', scope: DEFAULT_PROJECT_SCOPE });
    }
  });
  afterEach(async () => {
    await server.close();
  });

  /** Follows Link headers from `url` and returns each page's items. */
  const pages = async <T>(url: string, pick: (item: T) => unknown): Promise<unknown[][]> => {
    const out: unknown[][] = [];
    let next: string | undefined = url;
    while (next) {
      const url: string = next;
      const response = await server.app.inject({ method: 'GET', url });
      expect(response.statusCode, response.body).toBe(200);
      out.push((response.json() as T[]).map(pick));
      const link: string = String(response.headers.link ?? '');
      next = /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
    }
    return out;
  };

  it('pages targets', async () => {
    expect(await pages<{ name: string }>('/api/targets?limit=2', (t) => t.name)).toEqual([['acme/a', 'acme/b'], ['acme/c']]);
    expect(await pages<{ name: string }>('/api/targets', (t) => t.name)).toEqual([['acme/a', 'acme/b', 'acme/c']]);
  });

  it("pages a target's scans, newest first", async () => {
    const [target] = (await server.app.inject({ method: 'GET', url: '/api/targets?name=acme/a' })).json() as Array<{ id: number }>;
    const scanPages = await pages<{ scanId: number }>(`/api/targets/${target?.id}/scans?limit=2`, (s) => s.scanId);
    expect(scanPages.map((p) => p.length)).toEqual([2, 1]);
    const all = scanPages.flat() as number[];
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(new Set(all).size).toBe(3);
  });

  it('pages exemptions', async () => {
    const issues = await server.lantern.store.db.selectFrom('issues').select('id').orderBy('id').execute();
    for (const issue of issues.slice(0, 3)) await server.lantern.requestExemption({ issueId: issue.id, reason: 'other', comment: 'Paging.' });
    const exemptionPages = await pages<{ id: number }>('/api/exemptions?limit=2', (e) => e.id);
    expect(exemptionPages.map((p) => p.length)).toEqual([2, 1]);
    expect(new Set(exemptionPages.flat()).size).toBe(3);
  });

  it('refuses a page larger than the maximum', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/api/targets?limit=100000' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('querystring/limit');
  });
});
