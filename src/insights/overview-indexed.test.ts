import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { ANONYMOUS_ADMIN, startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { overview, type OverviewQuery, type Rollup } from './overview.js';

/*
 * The overview's `score` sort and `tag` filter read rows kept by triggers (entity_score_keys,
 * entity_tags, entity_tag_rollups: store/migrations/0017-score-sort-keys.ts). After ingests, a
 * scorecard defined and deleted, an exemption, a catalog refresh that changes tags and
 * unregistering, every page walked by cursor and every total must equal what is computed here,
 * live, from the entities, their stored summaries, their tags and their scorecard results.
 */
const SEVERITIES: Vulnerability['severity'][] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const COUNTS = ['critical', 'high', 'medium', 'low', 'info'] as const;
const ENTITIES = 19;

/** One entity as computed live from the base tables. */
interface Live {
  ref: string;
  kind: string;
  type: string | null;
  name: string;
  title: string | null;
  owner: string | null;
  system: string | null;
  lifecycle: string | null;
  tags: string[];
  hasData: boolean;
  counts: Record<(typeof COUNTS)[number] | 'total', number>;
  lastScanAt: string | null;
  score: number | null;
  knownExploited: number | null;
  slaBreached: number | null;
}

function catalog(tagOf: (i: number) => string[]): string {
  return Array.from(
    { length: ENTITIES },
    (_, i) => `apiVersion: backstage.io/v1alpha1
kind: ${i % 6 === 5 ? 'Resource' : 'Component'}
metadata:
  name: svc-${String(i).padStart(2, '0')}
  ${i % 4 === 0 ? '' : `title: Service ${i % 5}`}
  tags: [${tagOf(i).join(', ')}]
  annotations:
    harness.io/sto-test-target:
      - name: acme/svc-${i}
spec:
  type: ${i % 2 === 0 ? 'service' : 'website'}
  owner: ${i % 3 === 0 ? 'Team-A' : 'team-b'}
  ${i % 4 === 0 ? '' : `system: sys-${i % 2}`}
  lifecycle: ${i % 5 === 0 ? 'experimental' : 'production'}`,
  ).join('\n---\n');
}

describeEachStore('overview score sort and tag filter by index', (kind: StoreKind) => {
  let server: TestServer;
  let dir: string;
  /** The vulnerabilities each entity's target has now (i → list), to know what `q` finds by issue. */
  const current = new Map<number, Vulnerability[]>();

  const ingest = async (i: number, vulnerabilities: Vulnerability[]) => {
    current.set(i, vulnerabilities);
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
  };
  const vulnerabilities = (i: number, n: number) => Array.from({ length: n }, (_, k) => ({ id: `CVE-2024-${1000 + k}`, pkg: `pkg-${k}`, version: '1.0.0', severity: SEVERITIES[(i + k) % 5] as Vulnerability['severity'] }));

  beforeAll(async () => {
    server = await startTestServer(kind, { allowSelfApproval: true }, { auth: ANONYMOUS_ADMIN });
    dir = mkdtempSync(join(tmpdir(), 'lantern-overview-indexed-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const live = async (scorecard: string): Promise<Live[]> => {
    // Breaches come with time: store the counts of entities whose issues fell due since their last
    // write first (what the overview does before it reads a page), so stored rows are today's.
    await server.lantern.refreshSlaDue();
    const { db } = server.lantern.store;
    const rows = await db
      .selectFrom('entities as e')
      .leftJoin('entity_summaries as s', 's.entity_id', 'e.id')
      .leftJoin('scorecard_results as sr', (join) => join.onRef('sr.entity_id', '=', 'e.id').on('sr.scorecard_id', '=', scorecard))
      .select(['e.ref', 'e.kind', 'e.type', 'e.name', 'e.title', 'e.owner_ref', 'e.system_ref', 'e.lifecycle', 'e.tags', 's.has_data', 's.critical', 's.high', 's.medium', 's.low', 's.info', 's.total', 's.last_scan_at', 's.known_exploited', 's.sla_breached', 'sr.score'])
      .execute();
    return rows.map((r) => ({
      ref: r.ref,
      kind: r.kind,
      type: r.type,
      name: r.name,
      title: r.title,
      owner: r.owner_ref,
      system: r.system_ref,
      lifecycle: r.lifecycle,
      tags: (JSON.parse(r.tags) as string[]).map((t) => t.toLowerCase()),
      hasData: r.has_data === 1,
      counts: { critical: r.critical ?? 0, high: r.high ?? 0, medium: r.medium ?? 0, low: r.low ?? 0, info: r.info ?? 0, total: r.total ?? 0 },
      lastScanAt: r.has_data === 1 ? r.last_scan_at : null,
      score: r.score,
      knownExploited: r.known_exploited,
      slaBreached: r.sla_breached,
    }));
  };

  /** A ref given whole (`group:default/team-a`) or by its name (`team-a`), case-insensitively. */
  const refMatches = (ref: string | null, wanted: string[]) =>
    ref !== null && wanted.some((w) => (w.includes(':') ? ref.toLowerCase() === w.toLowerCase() : ref.toLowerCase().endsWith(`/${w.toLowerCase()}`)));
  const fieldMatches = (value: string | null, wanted: string[]) => value !== null && wanted.some((w) => w.toLowerCase() === value.toLowerCase());

  /** What the query picks, today's semantics: the facets; any of the tags; the text in the name or title, or in a current issue's id or package (3 letters or more). */
  const picks = (query: OverviewQuery) => (e: Live) => {
    if (query.tag && !query.tag.some((t) => e.tags.includes(t.toLowerCase()))) return false;
    if (query.kind && !fieldMatches(e.kind, query.kind)) return false;
    if (query.type && !fieldMatches(e.type, query.type)) return false;
    if (query.lifecycle && !fieldMatches(e.lifecycle, query.lifecycle)) return false;
    if (query.owner && !refMatches(e.owner, query.owner)) return false;
    if (query.system && !refMatches(e.system, query.system)) return false;
    if (query.hasData !== undefined && e.hasData !== query.hasData) return false;
    const text = query.q?.trim().toLowerCase();
    if (text) {
      const i = Number(e.name.slice('svc-'.length));
      const byIssue = text.length >= 3 && (current.get(i) ?? []).some((v) => v.id.toLowerCase().includes(text) || v.pkg.toLowerCase().includes(text));
      if (!e.name.toLowerCase().includes(text) && !(e.title ?? '').toLowerCase().includes(text) && !byIssue) return false;
    }
    return true;
  };

  /** The order a sort means: no data, no value and no score last either way round, then the ref. */
  const ordered = (rows: Live[], sort: string): string[] => {
    const direction = sort.startsWith('-') ? -1 : 1;
    const key = sort.replace(/^-/, '');
    const compare = (a: Live, b: Live): number => {
      if (key === 'score') {
        if (a.score === null || b.score === null) return a.score === b.score ? 0 : a.score === null ? 1 : -1;
        return direction * (a.score - b.score);
      }
      if (key === 'total' || (COUNTS as readonly string[]).includes(key)) {
        // Entities with data first either way round, then the sorted count and the others.
        if (a.hasData !== b.hasData) return a.hasData ? -1 : 1;
        const order = key === 'total' ? (['total', ...COUNTS] as const) : [key as (typeof COUNTS)[number], ...COUNTS.filter((c) => c !== key)];
        for (const c of order) if (a.counts[c] !== b.counts[c]) return direction * (a.counts[c] - b.counts[c]);
        return 0;
      }
      const [x, y] = [a.name, b.name];
      return x === y ? 0 : direction * (x < y ? -1 : 1);
    };
    return [...rows].sort((a, b) => compare(a, b) || (a.ref.toLowerCase() < b.ref.toLowerCase() ? -1 : 1)).map((r) => r.ref);
  };

  const sums = (rows: Live[]): Rollup => ({
    entities: rows.length,
    withData: rows.filter((r) => r.hasData).length,
    counts: { ...Object.fromEntries(COUNTS.map((c) => [c, rows.reduce((n, r) => n + r.counts[c], 0)])), total: rows.reduce((n, r) => n + COUNTS.reduce((m, c) => m + r.counts[c], 0), 0) } as Rollup['counts'],
  });
  /** The totals: the sums, and the stored known-exploited and breached counts added up (unknown when no entity knows one, or none has data). */
  const totals = (rows: Live[]) => {
    const known = rows.filter((r) => r.hasData && r.knownExploited !== null);
    const withData = rows.filter((r) => r.hasData);
    return {
      ...sums(rows),
      knownExploited: known.length > 0 ? known.reduce((n, r) => n + (r.knownExploited ?? 0), 0) : null,
      slaBreached: withData.length > 0 ? withData.reduce((n, r) => n + (r.slaBreached ?? 0), 0) : null,
    };
  };
  const grouped = (rows: Live[], field: 'owner' | 'system') =>
    [...new Set(rows.flatMap((r) => (r[field] ? [r[field]] : [])))].sort().map((value) => ({ [field]: value, ...sums(rows.filter((r) => r[field] === value)) }));

  const FILTERS: OverviewQuery[] = [
    {},
    { tag: ['pci'] },
    { tag: ['PCI'], owner: ['team-a'] },
    { tag: ['internal'], hasData: true },
    { tag: ['internal'], hasData: false },
    { tag: ['pci', 'java'] },
    { tag: ['nowhere'] },
  ];
  /** Walked on the first scorecard only: they exercise the filters, not the score keys. */
  const FACET_FILTERS: OverviewQuery[] = [
    // Facets: read through their indexes or checked along the sort's, as their stored counts say.
    { kind: ['Resource'] },
    { kind: ['component'], type: ['website'] },
    { type: ['service'] },
    { lifecycle: ['experimental'] },
    { lifecycle: ['production'], owner: ['team-b'] },
    { owner: ['group:default/team-a'] },
    { owner: ['TEAM-A', 'team-b'] },
    { owner: ['nobody'] },
    { system: ['sys-1'] },
    { system: ['system:default/sys-0'], hasData: true },
    { hasData: true },
    { hasData: false },
    { kind: ['Component'], lifecycle: ['production'], type: ['service'], hasData: true },
    // Facets and tags.
    { tag: ['pci'], kind: ['Component'] },
    { tag: ['java'], lifecycle: ['production'], hasData: true },
    { tag: ['internal'], system: ['sys-0'] },
    { tag: ['pci'], type: ['website'], owner: ['team-a'] },
    // Two and three tags: an entity with several of them counts once.
    { tag: ['pci', 'internal'], owner: ['team-b'] },
    { tag: ['pci', 'java'], hasData: false },
    { tag: ['pci', 'PCI'] },
    { tag: ['pci', 'java', 'internal'] },
    { tag: ['pci', 'java', 'internal'], hasData: true, type: ['service'] },
    { tag: ['java', 'pci', 'nowhere'], kind: ['Component'] },
  ];
  const TEXT_FILTERS: OverviewQuery[] = [
    { q: 'svc-1' },
    { q: 'Service 3', tag: ['internal'] },
    { q: 'pkg-2' },
  ];
  // Count sorts both ways round: with data or not, their pages read a range of the sort's index.
  const SORTS = ['score', '-score', '-total', 'total', '-critical', 'name'];

  /** Every filter under every sort, walked by cursor four at a time, against the live answer; and its totals and rollups. */
  const expectIndexedEqualsLive = async (scorecards: string[]) => {
    const { db } = server.lantern.store;
    for (const scorecard of scorecards) {
      const entities = await live(scorecard);
      for (const filter of [...FILTERS, ...TEXT_FILTERS, ...(scorecard === scorecards[0] ? FACET_FILTERS : [])]) {
        const matching = entities.filter(picks(filter));
        for (const sort of SORTS) {
          const query = { ...filter, sort, scorecard };
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages < 50; pages++) {
            const page = await overview(db, { ...query, limit: 4, cursor });
            seen.push(...page.items.map((r) => r.entityRef));
            if (page.nextCursor === null) break;
            cursor = page.nextCursor;
          }
          const label = JSON.stringify(query);
          expect(seen, label).toEqual(ordered(matching, sort));
          if (scorecard !== scorecards[0] || sort === 'score') continue;
          // By offset too: the deeper the page, the more rows it needs, and the plan may change.
          const byOffset: string[] = [];
          for (let offset = 0; offset < matching.length + 4; offset += 3) byOffset.push(...(await overview(db, { ...query, limit: 3, offset })).items.map((r) => r.entityRef));
          expect(byOffset, `${label} by offset`).toEqual(ordered(matching, sort));
        }
        const answer = await overview(db, { ...filter, scorecard, limit: 1 });
        const label = JSON.stringify(filter);
        expect(answer.total, label).toBe(matching.length);
        expect(answer.totals, label).toEqual(totals(matching));
        expect([...answer.byOwner].sort((a, b) => (a.owner < b.owner ? -1 : 1)), label).toEqual(grouped(matching, 'owner'));
        expect([...answer.bySystem].sort((a, b) => (a.system < b.system ? -1 : 1)), label).toEqual(grouped(matching, 'system'));
      }
    }
  };

  const api = async (method: 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const answer = await server.app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload ?? {}) });
    expect(answer.statusCode, answer.body).toBeLessThan(300);
  };

  it('pages and totals equal the live computation after ingests, scorecards, an exemption, a refresh and unregistering', async () => {
    for (let i = 0; i < ENTITIES; i++) if (i % 7 !== 6) await ingest(i, vulnerabilities(i, i % 4));
    const file = join(dir, 'catalog-info.yaml');
    writeFileSync(file, `${catalog((i) => [i % 3 === 0 ? 'PCI' : 'internal', ...(i % 5 === 1 ? ['java', 'pci'] : [])])}\n`);
    const { location } = await server.lantern.catalog.register(file, parseScope('acme.payments'));
    // A scorecard with ties, and one with no results at all: every entity without a score.
    await api('POST', '/api/scorecards', {
      id: 'few-issues',
      name: 'Few issues',
      checks: [
        { id: 'no-critical', name: 'No critical', rules: [{ dataPoint: 'sto.critical', operator: '==', value: 0 }], whenNoData: 'unknown' },
        { id: 'small', name: 'Small', weight: 2, rules: [{ dataPoint: 'sto.total', operator: '<', value: 2 }], whenNoData: 'unknown' },
      ],
    });
    // One that applies to some entities only: the others get their keys, without a score, from its first result.
    await api('POST', '/api/scorecards', {
      id: 'components',
      name: 'Components without criticals',
      filter: { kind: ['Component'] },
      checks: [{ id: 'no-critical', name: 'No critical', rules: [{ dataPoint: 'sto.critical', operator: '==', value: 0 }], whenNoData: 'unknown' }],
    });
    const scorecards = ['security-baseline', 'few-issues', 'components', 'none-such'];
    await expectIndexedEqualsLive(scorecards);
    const keys = await server.lantern.store.db.selectFrom('entity_score_keys').select(['entity_id', 'missing']).where('scorecard_id', '=', 'components').execute();
    const entities = await live('components');
    expect(keys).toHaveLength(entities.length);
    expect(keys.filter((k) => k.missing === 1)).toHaveLength(entities.filter((e) => e.score === null).length);
    expect(entities.some((e) => e.kind === 'Resource')).toBe(true);
    const scores = new Set((await live('few-issues')).map((e) => e.score));
    expect(scores.size).toBeGreaterThan(2);
    expect(scores.has(null)).toBe(true);

    // New scans change counts and scores; a target scanned for the first time gives data.
    await ingest(1, vulnerabilities(1, 4));
    await ingest(6, vulnerabilities(6, 1));
    await ingest(3, []);
    await server.lantern.evaluateScorecards();
    await expectIndexedEqualsLive(scorecards);

    // An approved exemption takes an issue out of an entity's counts.
    const target = await server.lantern.store.db.selectFrom('targets').select('id').where('name_key', '=', 'acme/svc-1').executeTakeFirstOrThrow();
    const issue = await server.lantern.store.db.selectFrom('issues').select('id').where('target_id', '=', target.id).where('vulnerability_id', '=', 'CVE-2024-1000').executeTakeFirstOrThrow();
    const exemption = await server.lantern.requestExemption({ issueId: issue.id, reason: 'accepted_risk', comment: 'Not reachable.' });
    await server.lantern.decideExemption(exemption.id, 'approved');
    await server.lantern.evaluateScorecards();
    await expectIndexedEqualsLive(scorecards);

    // A refresh that gives and takes tags, and removes two entities.
    writeFileSync(file, `${catalog((i) => (i % 2 === 0 ? ['pci', 'Java'] : ['internal'])).split('\n---\n').slice(0, ENTITIES - 2).join('\n---\n')}\n`);
    await server.lantern.refreshLocation(location.id);
    await expectIndexedEqualsLive(scorecards);

    // A deleted scorecard: its keys go, and its sort is by ref alone.
    await api('DELETE', '/api/scorecards/few-issues');
    expect(await server.lantern.store.db.selectFrom('entity_score_keys').select('entity_id').where('scorecard_id', '=', 'few-issues').execute()).toEqual([]);
    await expectIndexedEqualsLive(scorecards);

    await server.lantern.unregisterLocation(location.id);
    await expectIndexedEqualsLive(['security-baseline']);
    const { db } = server.lantern.store;
    expect(await db.selectFrom('entity_score_keys').select('entity_id').execute()).toEqual([]);
    expect(await db.selectFrom('entity_tags').select('entity_id').execute()).toEqual([]);
    const left = await db.selectFrom('entity_tag_rollups').selectAll().execute();
    expect(left.every((r) => [r.entities, r.with_data, ...COUNTS.map((c) => r[c])].every((n) => Number(n) === 0))).toBe(true);
  }, 900_000);
});
