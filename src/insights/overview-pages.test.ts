import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { overview, type OverviewRow, OVERVIEW_SORTS, type OverviewQuery } from './overview.js';

/*
 * Keyset pages of the overview: under every sort, either way round, walking by nextCursor meets
 * every entity exactly once and in the order one long offset page shows. The estate has many ties
 * (equal counts, missing systems and titles, no data) so that the tie-breaks are what is tested.
 */
const SEVERITIES: Vulnerability['severity'][] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const COUNTS = ['critical', 'high', 'medium', 'low', 'info'] as const;

/**
 * The order a sort means, computed here from the rows themselves (not from the stored sort keys):
 * no data, no value and no score last either way round, then the ref.
 */
function expectedOrder(rows: readonly OverviewRow[], sort: string): string[] {
  const direction = sort.startsWith('-') ? -1 : 1;
  const key = sort.replace(/^-/, '');
  const byText = (x: string | null, y: string | null) => (x === y ? 0 : x === null ? 1 : y === null ? -1 : direction * (x < y ? -1 : 1));
  const compare = (a: OverviewRow, b: OverviewRow): number => {
    if ((COUNTS as readonly string[]).includes(key) || key === 'total') {
      if (a.hasData !== b.hasData) return a.hasData ? -1 : 1;
      const order = key === 'total' ? ['total', ...COUNTS] : [key, ...COUNTS.filter((c) => c !== key)];
      for (const c of order) {
        const [x, y] = [a.counts?.[c as keyof typeof a.counts] ?? 0, b.counts?.[c as keyof typeof b.counts] ?? 0];
        if (x !== y) return direction * (x - y);
      }
      return 0;
    }
    if (key === 'score') {
      if (a.score === null || b.score === null) return a.score === b.score ? 0 : a.score === null ? 1 : -1;
      return direction * (a.score - b.score);
    }
    if (key === 'knownExploited' || key === 'slaBreached') {
      // No data or an unknown count last either way round.
      const [x, y] = [a[key], b[key]];
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      return direction * (x - y);
    }
    if (key === 'lastScanAt') return byText(a.lastScanAt, b.lastScanAt);
    const field = (r: OverviewRow) => (r[key as 'name' | 'kind' | 'type' | 'owner' | 'system' | 'lifecycle'] ?? null)?.toLowerCase() ?? null;
    return byText(field(a), field(b));
  };
  const refKey = (r: OverviewRow) => r.entityRef.toLowerCase();
  return [...rows].sort((a, b) => compare(a, b) || (refKey(a) < refKey(b) ? -1 : 1)).map((r) => r.entityRef);
}
const ENTITIES = 23;

describeEachStore('overview pages by cursor', (kind: StoreKind) => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    dir = mkdtempSync(join(tmpdir(), 'lantern-overview-pages-'));
    const docs = Array.from(
      { length: ENTITIES },
      (_, i) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-${String(i).padStart(2, '0')}
  ${i % 4 === 0 ? '' : `title: Service ${i % 5}`}
  tags: [${i % 3 === 0 ? 'pci' : 'internal'}]
  annotations:
    harness.io/sto-test-target:
      - name: acme/svc-${i}
spec:
  type: ${i % 2 === 0 ? 'service' : 'website'}
  owner: ${i % 3 === 0 ? 'Team-A' : 'team-b'}
  ${i % 4 === 0 ? '' : `system: sys-${i % 2}`}
  lifecycle: ${i % 5 === 0 ? 'experimental' : 'production'}`,
    );
    writeFileSync(join(dir, 'catalog-info.yaml'), `${docs.join('\n---\n')}\n`);
    // Scanned targets for most entities, with counts that tie often; some never scanned (no data).
    for (let i = 0; i < ENTITIES; i++) {
      if (i % 8 === 7) continue;
      const vulnerabilities = Array.from({ length: i % 4 }, (_, n) => ({ id: `CVE-2024-${1000 + n}`, pkg: `pkg-${n}`, version: '1.0.0', severity: SEVERITIES[(i + n) % 5] as Vulnerability['severity'] }));
      await server.lantern.ingest({
        report: new TextEncoder().encode(trivyReport(vulnerabilities)),
        source: 'test',
        target: `acme/svc-${i}`,
        targetType: 'repository',
        variant: 'main',
        scope: parseScope('acme.payments'),
        baseline: true,
        scannedAt: `2026-11-${String(10 + (i % 3)).padStart(2, '0')}T08:00:00.000Z`,
      });
    }
    await server.lantern.catalog.register(join(dir, 'catalog-info.yaml'), parseScope('acme.payments'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const walk = async (query: OverviewQuery, limit: number) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await overview(server.lantern.store.db, { ...query, limit, cursor });
      seen.push(...page.items.map((r) => r.entityRef));
      if (page.nextCursor === null) return seen;
      cursor = page.nextCursor;
    }
    throw new Error('the walk did not end');
  };

  it('walks every entity once, in the offset order, under every sort either way round', async () => {
    for (const key of OVERVIEW_SORTS) {
      for (const sort of [key, `-${key}`]) {
        const query = { sort, scorecard: 'security-baseline' };
        const rows = (await overview(server.lantern.store.db, { ...query, limit: 200 })).items;
        const whole = rows.map((r) => r.entityRef);
        expect(whole.length).toBe(ENTITIES);
        expect(whole, sort).toEqual(expectedOrder(rows, sort));
        expect(await walk(query, 4), sort).toEqual(whole);
        // Offset pages give the same rows, and a cursor from any of them continues it.
        const offsetPage = await overview(server.lantern.store.db, { ...query, limit: 5, offset: 5 });
        expect(offsetPage.items.map((r) => r.entityRef)).toEqual(whole.slice(5, 10));
        const rest = await overview(server.lantern.store.db, { ...query, limit: 200, cursor: offsetPage.nextCursor ?? '' });
        expect(rest.items.map((r) => r.entityRef)).toEqual(whole.slice(10));
        expect(rest.nextCursor).toBeNull();
      }
    }
  });

  it('answers every offset page as the walk by cursor pages, under every sort, filtered, tagged and scoped', async () => {
    // A deep offset page steps over the sort's keys alone and finds its rows again by them: each
    // page at each offset must be the cursor walk's rows from there, with a cursor that continues it.
    const queries: OverviewQuery[] = [
      ...OVERVIEW_SORTS.flatMap((key) => [key, `-${key}`].map((sort) => ({ sort, scorecard: 'security-baseline' }))),
      { sort: '-total', owner: ['team-b'], lifecycle: ['production'] },
      { sort: 'name', tag: ['pci'] },
      { sort: '-critical', hasData: true },
      { sort: 'lastScanAt', scopes: { all: false, orgs: [], projects: ['acme.payments'] } },
    ];
    for (const query of queries) {
      const label = JSON.stringify(query);
      const walked = await walk(query, 3);
      expect(walked.length, label).toBeGreaterThan(3);
      for (const offset of [1, 4, walked.length - 3, walked.length - 1, walked.length]) {
        const page = await overview(server.lantern.store.db, { ...query, limit: 3, offset });
        expect(page.items.map((r) => r.entityRef), `${label} offset ${offset}`).toEqual(walked.slice(offset, offset + 3));
        expect(page.nextCursor === null, `${label} offset ${offset}`).toBe(offset + 3 >= walked.length);
      }
      const continued = await overview(server.lantern.store.db, { ...query, limit: 3, offset: 4 });
      expect((await overview(server.lantern.store.db, { ...query, limit: 200, cursor: continued.nextCursor ?? '' })).items.map((r) => r.entityRef), label).toEqual(walked.slice(7));
    }
  });

  it('pages filtered and scoped overviews too, and the totals do not depend on the page', async () => {
    const filtered = { sort: '-total', owner: ['team-b'], lifecycle: ['production'] };
    const whole = (await overview(server.lantern.store.db, { ...filtered, limit: 200 })).items.map((r) => r.entityRef);
    expect(whole.length).toBeGreaterThan(3);
    expect(await walk(filtered, 3)).toEqual(whole);
    const first = await overview(server.lantern.store.db, { limit: 2 });
    const second = await overview(server.lantern.store.db, { limit: 2, cursor: first.nextCursor ?? '' });
    expect(second.total).toBe(ENTITIES);
    expect({ ...second, items: [], nextCursor: null }).toEqual({ ...first, items: [], nextCursor: null });
    const nobody = { scopes: { all: false as const, orgs: [], projects: ['other.proj'] } };
    expect(await overview(server.lantern.store.db, { ...nobody, limit: 5 })).toMatchObject({ items: [], nextCursor: null, total: 0, byOwner: [] });
  });

  it('answers the next page in a Link header and refuses a cursor of another sort or a bad one', async () => {
    const first = await server.app.inject({ method: 'GET', url: '/api/insights/overview?limit=10&sort=name&offset=0' });
    const { nextCursor } = first.json();
    expect(first.headers.link).toBe(`</api/insights/overview?limit=10&sort=name&cursor=${nextCursor}>; rel="next"`);
    const second = await server.app.inject({ method: 'GET', url: `/api/insights/overview?limit=10&sort=name&cursor=${nextCursor}` });
    expect(second.json().items.map((r: { name: string }) => r.name)).toEqual(Array.from({ length: 10 }, (_, i) => `svc-${String(10 + i).padStart(2, '0')}`));
    const wrongSort = await server.app.inject({ method: 'GET', url: `/api/insights/overview?sort=-critical&cursor=${nextCursor}` });
    expect(wrongSort.statusCode).toBe(400);
    expect(wrongSort.json().error.message).toBe('The cursor was made for sort "name", not "-critical": pass the same sort as the page before, or no cursor.');
    const bad = await server.app.inject({ method: 'GET', url: '/api/insights/overview?cursor=nonsense' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^Invalid cursor "nonsense"/);
    expect((await server.app.inject({ method: 'GET', url: `/api/insights/overview?sort=name&offset=10&cursor=${nextCursor}` })).statusCode).toBe(400);
  });
});
