import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { epssFile, feedDir, kevFile } from '../../test/support/feed-files.js';
import { type GrypeMatch as Match, grypeMatchesReport as grype, semgrepReport, trivyReport } from '../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { type IssueListing, issuesOfScans } from '../store/issues.js';
import { entityIssues, type IssueQuery } from './entity-issues.js';
import { entityState } from './entity-state.js';
import { exploitationOf, type Exploitation } from './exploitation.js';
import { prioritise, priorityParts } from './priority.js';
import { issuesByPriority, refreshPriorityKeys } from './priority-order.js';
import type { SlaPolicies } from './sla.js';

const ESTATE: Match[] = [
  // Known exploited through an alias; another through its own id with an earlier CISA due date; one without a due date.
  { id: 'CVE-2024-1000', related: ['CVE-2024-2000', 'GHSA-aaaa-bbbb-cccc'], pkg: 'alias-kev', severity: 'Low', epss: 0.3 },
  { id: 'CVE-2024-7000', pkg: 'kev-early', severity: 'Medium' },
  { id: 'CVE-2024-7001', pkg: 'kev-no-due', severity: 'Critical', fixed: '3.0.0' },
  // No CVE id at all: never enriched, whatever the feeds hold.
  { id: 'GHSA-9f8m-q2w4-h7c3', pkg: 'no-cve', severity: 'Critical', fixed: '2.0.0' },
  // A GHSA whose alias the EPSS feed scores in its top band.
  { id: 'GHSA-2222-3333-4444', related: ['CVE-2024-6000'], pkg: 'ghsa-alias', severity: 'High' },
  // Ties: the same band, severity, fix and score, then the same identifier in two packages.
  { id: 'CVE-2024-3001', pkg: 'tie-b', severity: 'Medium', fixed: '1.0.1', epss: 0.6 },
  { id: 'CVE-2024-3000', pkg: 'tie-a', severity: 'Medium', fixed: '1.0.1', epss: 0.6 },
  { id: 'CVE-2024-3000', pkg: 'tie-a-again', severity: 'Medium', fixed: '1.0.1', epss: 0.6 },
  // The feed does not list it: EPSS unknown to the feed once loaded.
  { id: 'CVE-2024-4000', pkg: 'unlisted', severity: 'High' },
  { id: 'CVE-2024-5000', pkg: 'fixable', severity: 'High', fixed: '1.2.0' },
  { id: 'CVE-2024-8000', pkg: 'top-band', severity: 'Low', fixed: '4.0.0', epss: 0.9 },
  { id: 'CVE-2024-8001', pkg: 'band-edge', severity: 'Low' },
  { id: 'CVE-2024-8002', pkg: 'below-half', severity: 'Critical' },
];

/** The account's default days; org acme caps by CISA's due date, its project pay gives medium 35 days. */
const POLICIES: SlaPolicies = { account: { days: { critical: 7, high: 30, medium: 90, low: 180, info: null }, kevDueDateCap: false }, scopes: { acme: { kevDueDateCap: true }, 'acme.pay': { medium: 35 } } };

describeEachStore('the stored priority order', (kind) => {
  let server: TestServer;
  let scanIds: number[];
  let dir: string;
  const now = '2024-04-02T08:00:00.000Z';
  beforeEach(async () => {
    server = await startTestServer(kind, { clock: () => now, sla: POLICIES });
    dir = feedDir();
    const scope = parseScope('acme.pay');
    const grypeScan = await server.lantern.ingest({ report: Buffer.from(grype(ESTATE)), source: 'grype.json', target: 'acme/app', targetType: 'repository', variant: 'main', scope, baseline: true, scannedAt: '2024-03-01T00:00:00.000Z' });
    // Code findings: rule ids, no vulnerability id, of two severities.
    const code = semgrepReport([
      { rule: 'js.xss.raw-html', path: 'src/a.js', line: 3, severity: 'ERROR', snippet: 'x' },
      { rule: 'js.crypto.weak-hash', path: 'src/b.js', line: 9, severity: 'WARNING', snippet: 'y' },
      { rule: 'JS.Audit.Eval', path: 'src/c.js', line: 1, severity: 'ERROR', snippet: 'z' },
    ]);
    const semgrepScan = await server.lantern.ingest({ report: Buffer.from(code), source: 'semgrep.json', target: 'acme/app', targetType: 'repository', variant: 'main', scope, scannedAt: '2024-03-01T00:00:00.000Z' });
    scanIds = [grypeScan.scanId, semgrepScan.scanId];
    const catalog = join(dir, 'catalog-info.yaml');
    writeFileSync(catalog, 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: app\n  annotations:\n    harness.io/sto-test-target:\n      - name: acme/app\nspec:\n  type: service\n  lifecycle: production\n  owner: team-pay\n');
    await server.lantern.registerLocation(catalog, parseScope('acme.pay'));
  });
  afterEach(async () => server.close());

  /** The documented order, computed in JavaScript over every issue (insights/priority.ts). */
  const documented = async (leaveOut: number[] = []) => (await prioritise(server.lantern.store.db, await issuesOfScans(server.lantern.store.db, scanIds), 'priority')).filter((i) => !leaveOut.includes(i.id));

  /** The stored order, read directly (it must answer, not fall back) and through the API page by page. */
  const expectStoredOrder = async (leaveOut: number[] = []) => {
    const expected = await documented(leaveOut);
    const db = server.lantern.store.db;
    const entity = await db.selectFrom('entities').selectAll().where('name', '=', 'app').executeTakeFirstOrThrow();
    const state = await entityState(db, entity, { tallies: { mode: 'read', now } });
    const direct = await issuesByPriority(db, state, 0, 100, now);
    expect(direct).toBeDefined();
    expect(direct?.total).toBe(expected.length);
    expect(direct?.page.map((p) => p.issue.id)).toEqual(expected.map((i) => i.id));

    const seen: Array<{ id: number; priorityReason: string }> = [];
    let cursor: string | null = null;
    do {
      const response = await server.app.inject({ method: 'GET', url: `/api/insights/entities/component/default/app/issues?sort=priority&limit=4${cursor ? `&cursor=${cursor}` : ''}` });
      expect(response.statusCode).toBe(200);
      const page = response.json() as { items: Array<{ id: number; priorityReason: string }>; total: number; nextCursor: string | null };
      expect(page.total).toBe(expected.length);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((i) => i.id)).toEqual(expected.map((i) => i.id));
    expect(seen.map((i) => i.priorityReason)).toEqual(expected.map((i) => i.priorityReason));
    return expected;
  };

  it('orders as documented without feeds, after KEV and EPSS imports, after a re-import and with an exemption', async () => {
    // Without feeds: EPSS from the Grype report, KEV never enriched.
    const before = await expectStoredOrder();
    expect(before.slice(0, 4).map((i) => i.package)).toEqual(['top-band', 'tie-a', 'tie-a-again', 'tie-b']);

    await server.lantern.importFeed('kev', kevFile(dir, [
      { cveID: 'CVE-2024-2000', dateAdded: '2024-03-05', dueDate: '2024-03-26' },
      { cveID: 'CVE-2024-7000', dateAdded: '2024-03-10', dueDate: '2024-03-20' },
      { cveID: 'CVE-2024-7001', dateAdded: '2024-03-11' },
    ]));
    await server.lantern.importFeed('epss', epssFile(dir, [
      ['CVE-2024-6000', 0.7, 0.97],
      ['CVE-2024-8000', 0.7, 0.97],
      ['CVE-2024-3000', 0.2, 0.85],
      ['CVE-2024-3001', 0.2, 0.85],
      ['CVE-2024-5000', 0.01, 0.3],
      ['CVE-2024-8001', 0.05, 0.95],
      ['CVE-2024-8002', 0.02, 0.49],
    ]));
    const fed = await expectStoredOrder();
    expect(fed.filter((i) => i.package !== null).map((i) => i.package)).toEqual([
      'kev-early', 'alias-kev', 'kev-no-due',
      'ghsa-alias', 'top-band', 'band-edge',
      'tie-a', 'tie-a-again', 'tie-b',
      'no-cve', 'below-half', 'fixable', 'unlisted',
    ]);

    // A re-import that moves scores: the stored order follows in the import's transaction.
    await server.lantern.importFeed('epss', epssFile(dir, [['CVE-2024-3001', 0.99, 0.999], ['CVE-2024-4000', 0.5, 0.8]], { scoreDate: '2024-04-02' }));
    const moved = await expectStoredOrder();
    expect(moved.filter((i) => i.package !== null).map((i) => i.package).slice(3, 6)).toEqual(['tie-b', 'unlisted', 'no-cve']);

    // An exempted issue leaves the list; the others keep their order.
    const exempted = moved[1] as (typeof moved)[number];
    const created = await server.app.inject({ method: 'POST', url: '/api/exemptions', payload: { issueId: exempted.id, reason: 'accepted_risk', comment: 'Not reachable.' } });
    expect(created.statusCode, created.body).toBe(201);
    expect((await server.app.inject({ method: 'POST', url: `/api/exemptions/${created.json().id}/approve`, payload: {} })).statusCode).toBe(200);
    await expectStoredOrder([exempted.id]);
  });

  type FilterCase = { url: string; query: IssueQuery; least: number };
  const LISTING = ['id', 'targetId', 'fingerprint', 'kind', 'severity', 'title', 'vulnerabilityId', 'ruleId', 'package', 'installedVersion', 'fixedVersion', 'scanners', 'occurrences', 'new', 'firstSeenAt', 'lastSeenAt'] as const;
  const listingOf = (issue: IssueListing) => Object.fromEntries(LISTING.map((key) => [key, issue[key]]));
  /**
   * Each filtered list in both directions: the stored order read directly (it must answer, not fall
   * back) and through the API in pages of 3 is the documented order, every issue matched with the
   * feeds and sorted in JavaScript (a state read without tallies never takes the stored path).
   * Returns each list's packages (or rule ids), in priority order.
   */
  const expectSameAsJavaScript = async (cases: FilterCase[]) => {
    const db = server.lantern.store.db;
    const entity = await db.selectFrom('entities').selectAll().where('name', '=', 'app').executeTakeFirstOrThrow();
    const lists = new Map<string, Array<string | null>>();
    for (const sort of ['priority', '-priority']) {
      for (const { url, query, least } of cases) {
        const documented = await entityIssues(db, await entityState(db, entity), { ...query, sort, limit: 500 }, now, POLICIES);
        expect(documented.items.length, `${sort} ${url}`).toBeGreaterThanOrEqual(least);
        if (sort === 'priority') lists.set(url, documented.items.map((i) => i.package ?? i.ruleId));
        const state = await entityState(db, entity, { tallies: { mode: 'read', now } });
        const direct = await issuesByPriority(db, state, 0, 500, now, query, sort === '-priority', POLICIES);
        expect(direct, `${sort} ${url}`).toBeDefined();
        expect(direct?.total, `${sort} ${url}`).toBe(documented.total);
        expect(direct?.page.map((p) => p.issue.id), `${sort} ${url}`).toEqual(documented.items.map((i) => i.id));
        // Each issue's listing (worst severity, scanners, occurrences, new, last seen over the shown scans) as JavaScript merges it.
        expect(direct?.page.map((p) => listingOf(p.issue)), `${sort} ${url}`).toEqual(documented.items.map(listingOf));

        const seen: Array<{ id: number; priorityReason: string; exempted: boolean; sla: { state: string }; location: unknown }> = [];
        let cursor: string | null = null;
        do {
          const response = await server.app.inject({ method: 'GET', url: `/api/insights/entities/component/default/app/issues?sort=${sort}&limit=3${url ? `&${url}` : ''}${cursor ? `&cursor=${cursor}` : ''}` });
          expect(response.statusCode).toBe(200);
          const page = response.json() as { items: typeof seen; total: number; nextCursor: string | null };
          expect(page.total, `${sort} ${url}`).toBe(documented.total);
          seen.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen.map((i) => [i.id, i.priorityReason, i.exempted, i.sla.state, i.location]), `${sort} ${url}`).toEqual(documented.items.map((i) => [i.id, i.priorityReason, i.exempted, i.sla.state, i.location]));
      }
    }
    return lists;
  };

  it('answers filtered and descending lists from the stored order exactly as the JavaScript order', async () => {
    const db = server.lantern.store.db;
    // A later scan of the variant, not a baseline: one issue new in it, the others common.
    await server.lantern.ingest({ report: Buffer.from(grype([...ESTATE, { id: 'CVE-2024-9000', pkg: 'newcomer', severity: 'High', fixed: '1.0.1' }])), source: 'grype.json', target: 'acme/app', targetType: 'repository', variant: 'main', scope: parseScope('acme.pay'), scannedAt: '2024-03-02T00:00:00.000Z' });
    // Trivy reports two of them, one more severe than Grype says: the severity filter reads the worst.
    await server.lantern.ingest({ report: Buffer.from(trivyReport([{ id: 'CVE-2024-5000', pkg: 'fixable', version: '1.0.0', severity: 'CRITICAL', fixed: '1.2.0' }, { id: 'CVE-2024-9000', pkg: 'newcomer', version: '1.0.0', severity: 'LOW' }])), source: 'trivy.json', target: 'acme/app', targetType: 'repository', variant: 'main', scope: parseScope('acme.pay'), scannedAt: '2024-03-02T00:00:00.000Z' });
    await server.lantern.importFeed('kev', kevFile(dir, [{ cveID: 'CVE-2024-2000', dateAdded: '2024-03-05', dueDate: '2024-03-26' }, { cveID: 'CVE-2024-7001', dateAdded: '2024-03-11' }]));
    await server.lantern.importFeed('epss', epssFile(dir, [['CVE-2024-6000', 0.7, 0.97], ['CVE-2024-3000', 0.2, 0.85], ['CVE-2024-8002', 0.02, 0.49]]));
    const exemptedId = (await db.selectFrom('issues').select('id').where('package', '=', 'unlisted').executeTakeFirstOrThrow()).id;
    const created = await server.app.inject({ method: 'POST', url: '/api/exemptions', payload: { issueId: exemptedId, reason: 'accepted_risk', comment: 'Not reachable.' } });
    expect((await server.app.inject({ method: 'POST', url: `/api/exemptions/${created.json().id}/approve`, payload: {} })).statusCode).toBe(200);
    const targetId = (await db.selectFrom('targets').select('id').executeTakeFirstOrThrow()).id;

    const cases: FilterCase[] = [
      { url: '', query: {}, least: 15 },
      { url: 'severity=critical,high', query: { severity: ['critical', 'high'] }, least: 5 },
      { url: 'severity=info', query: { severity: ['info'] }, least: 0 },
      { url: 'scanner=semgrep', query: { scanner: ['semgrep'] }, least: 3 },
      { url: 'scanner=grype,semgrep', query: { scanner: ['grype', 'semgrep'] }, least: 15 },
      { url: 'kind=code', query: { kind: ['code'] }, least: 3 },
      { url: `target=${targetId}`, query: { target: targetId }, least: 15 },
      { url: 'status=new', query: { status: 'new' }, least: 1 },
      { url: 'status=common', query: { status: 'common' }, least: 10 },
      { url: 'status=exempted', query: { status: 'exempted' }, least: 1 },
      { url: 'severity=medium,low&scanner=grype&status=common', query: { severity: ['medium', 'low'], scanner: ['grype'], status: 'common' }, least: 3 },
    ];
    await expectSameAsJavaScript(cases);

    // A filtered page past the last match still counts them all: the count comes with the ordered
    // rows, which start at the first whatever the offset.
    const entity = await db.selectFrom('entities').selectAll().where('name', '=', 'app').executeTakeFirstOrThrow();
    const state = await entityState(db, entity, { tallies: { mode: 'read', now } });
    const query: IssueQuery = { severity: ['critical', 'high'] };
    const matching = (await entityIssues(db, await entityState(db, entity), { ...query, sort: 'priority', limit: 500 }, now, POLICIES)).total;
    expect(matching).toBeGreaterThanOrEqual(5);
    for (const offset of [matching - 1, matching, matching + 10]) {
      const page = await issuesByPriority(db, state, offset, 3, now, query, false, POLICIES);
      expect(page?.total, `offset ${offset}`).toBe(matching);
      expect(page?.page.length, `offset ${offset}`).toBe(offset < matching ? 1 : 0);
    }
    const nothing = await issuesByPriority(db, state, 0, 3, now, { severity: ['info'] }, false, POLICIES);
    expect(nothing).toEqual({ page: [], total: 0 });
  });

  it('stores priorityParts of every issue after each feed import: aliases, unknown EPSS, scanner EPSS, non-CVE ids', async () => {
    const db = server.lantern.store.db;
    /** Every issue's stored parts beside priorityParts() of the issue as exploitationOf() matches it now. */
    const expectStoredParts = async () => {
      const rows = await db.selectFrom('issues').select(['id', 'vulnerability_id', 'rule_id', 'fixed_version', 'priority_head', 'priority_tail']).orderBy('id').execute();
      const known = await exploitationOf(db, rows.map((r) => ({ id: r.id, vulnerabilityId: r.vulnerability_id })));
      const stored = rows.map((r) => ({ id: r.id, head: r.priority_head, tail: r.priority_tail }));
      const computed = rows.map((r) => ({ id: r.id, ...priorityParts({ ...(known.get(r.id) as Exploitation), fixedVersion: r.fixed_version, vulnerabilityId: r.vulnerability_id, ruleId: r.rule_id }) }));
      expect(stored).toEqual(computed);
      return new Map(rows.map((r) => [r.vulnerability_id ?? r.rule_id, r.priority_head]));
    };
    // Before any feed: Grype's EPSS stands in, KEV never enriched.
    const scanner = await expectStoredParts();
    expect(scanner.get('CVE-2024-8000')).toBe('19999-12-311');
    await server.lantern.importFeed('kev', kevFile(dir, [{ cveID: 'CVE-2024-2000', dateAdded: '2024-03-05', dueDate: '2024-03-26' }]));
    const kev = await expectStoredParts();
    // Listed through its alias.
    expect(kev.get('CVE-2024-1000')).toBe('02024-03-263');
    await server.lantern.importFeed('epss', epssFile(dir, [['CVE-2024-6000', 0.7, 0.97], ['CVE-2024-3000', 0.123456789, 0.85]]));
    const epss = await expectStoredParts();
    // A GHSA stored under its CVE alias, scored; a CVE the feed does not list is unscored once it is loaded.
    expect(epss.get('CVE-2024-6000')).toBe('19999-12-310');
    expect(epss.get('CVE-2024-8000')).toBe('19999-12-313');
    // A re-import that drops the KEV entry and moves a score.
    await server.lantern.importFeed('kev', kevFile(dir, [{ cveID: 'CVE-2024-7000', dateAdded: '2024-03-10', dueDate: '2024-03-20' }]));
    await server.lantern.importFeed('epss', epssFile(dir, [['CVE-2024-3000', 0.96, 0.999]], { scoreDate: '2024-04-02' }));
    const moved = await expectStoredParts();
    expect(moved.get('CVE-2024-1000')).toBe('19999-12-313');
    expect(moved.get('CVE-2024-3000')).toBe('19999-12-310');
  });

  it('answers kev, epssMin and sla from the stored parts and clocks exactly as JavaScript: no feeds, KEV only, both, aliases, non-CVE ids, scores at the edge, pauses and exemptions', async () => {
    const db = server.lantern.store.db;
    const scope = parseScope('acme.pay');
    // Later scans, each the variant's current Grype scan in turn, so that what each adds is first
    // seen then: highs due in 7 and 8 days and a critical due today (the edges of due-soon), then
    // (2024-03-28) a critical due within the week, an info without SLA, scanner scores that round
    // alike to 9 decimals around 0.5, and a GHSA-only id.
    const edges: Match[] = [];
    for (const [day, added] of [
      ['2024-03-10', { id: 'CVE-2024-9400', pkg: 'due-in-7', severity: 'High' }],
      ['2024-03-11', { id: 'CVE-2024-9401', pkg: 'due-in-8', severity: 'High' }],
      ['2024-03-26', { id: 'CVE-2024-9402', pkg: 'due-today', severity: 'Critical' }],
    ] as const) {
      edges.push(added);
      await server.lantern.ingest({ report: Buffer.from(grype([...ESTATE, ...edges])), source: 'grype.json', target: 'acme/app', targetType: 'repository', variant: 'main', scope, scannedAt: `${day}T12:00:00.000Z` });
    }
    await server.lantern.ingest({
      report: Buffer.from(grype([
        ...ESTATE,
        ...edges,
        { id: 'CVE-2024-9100', pkg: 'due-soon', severity: 'Critical' },
        { id: 'CVE-2024-9200', pkg: 'info-level', severity: 'Negligible' },
        { id: 'CVE-2024-9300', pkg: 'rounds-up', severity: 'Low', epss: 0.5000000001 },
        { id: 'CVE-2024-9301', pkg: 'rounds-down', severity: 'Low', epss: 0.4999999999 },
        { id: 'CVE-2024-9302', pkg: 'exactly-half', severity: 'Low', epss: 0.5 },
        { id: 'GHSA-5555-6666-7777', pkg: 'ghsa-only', severity: 'High' },
      ])),
      source: 'grype.json', target: 'acme/app', targetType: 'repository', variant: 'main', scope, scannedAt: '2024-03-28T00:00:00.000Z',
    });
    const idOf = async (pkg: string) => (await db.selectFrom('issues').select('id').where('package', '=', pkg).executeTakeFirstOrThrow()).id;
    // Non-CVE canonical ids whose aliases name a CVE (ingest makes the CVE canonical; older rows or
    // other formats need not): one upper-case, one lower-case (which SQLite's LIKE lets through and
    // PostgreSQL's does not, in cvesOf() as in the query).
    const rewrite = async (pkg: string, vulnerabilityId: string, aliases: string[]) => {
      const id = await idOf(pkg);
      const row = await db.selectFrom('issues').select('details').where('id', '=', id).executeTakeFirstOrThrow();
      const details = JSON.stringify({ aliases, ...Object.fromEntries(Object.entries(JSON.parse(row.details) as Record<string, unknown>).filter(([k]) => k !== 'aliases')) });
      await db.updateTable('issues').set({ vulnerability_id: vulnerabilityId, details }).where('id', '=', id).execute();
      await refreshPriorityKeys(db, [id]);
    };
    await rewrite('ghsa-alias', 'GHSA-2222-3333-4444', ['CVE-2024-6000']);
    await rewrite('band-edge', 'GHSA-8001-8001-8001', ['cve-2024-8001']);
    // Clocks an exemption paused: by id for 20 days (high, breached by 2 days without it), and by
    // CVE id at org level for 26 days (critical, due 2024-04-03 with it).
    const targetId = (await db.selectFrom('targets').select('id').executeTakeFirstOrThrow()).id;
    await db.insertInto('sla_pauses').values([
      { exemption_id: 9001, level: 'target', target_id: targetId, scope: null, issue_id: await idOf('fixable'), key: null, paused_from: '2024-03-05T00:00:00.000Z', paused_until: '2024-03-25T00:00:00.000Z' },
      { exemption_id: 9002, level: 'org', target_id: null, scope: 'acme', issue_id: null, key: 'cve-2024-8002', paused_from: '2024-03-02T00:00:00.000Z', paused_until: '2024-03-28T00:00:00.000Z' },
    ]).execute();
    // Exempted now: a high and the info one (paused, and none: no SLA for info).
    for (const pkg of ['unlisted', 'info-level']) {
      const created = await server.app.inject({ method: 'POST', url: '/api/exemptions', payload: { issueId: await idOf(pkg), reason: 'accepted_risk', comment: 'Not reachable.' } });
      expect((await server.app.inject({ method: 'POST', url: `/api/exemptions/${created.json().id}/approve`, payload: {} })).statusCode).toBe(200);
    }

    const cases = (kevListed: number, notListed: number): FilterCase[] => [
      { url: 'kev=listed', query: { kev: 'listed' }, least: kevListed },
      { url: 'kev=not-listed', query: { kev: 'not-listed' }, least: notListed },
      { url: 'kev=never-enriched', query: { kev: 'never-enriched' }, least: 4 },
      { url: 'kev=never-enriched&status=exempted', query: { kev: 'never-enriched', status: 'exempted' }, least: 0 },
      { url: 'epssMin=0', query: { epssMin: 0 }, least: 4 },
      { url: 'epssMin=0.5', query: { epssMin: 0.5 }, least: 2 },
      { url: 'epssMin=0.6', query: { epssMin: 0.6 }, least: 1 },
      { url: 'epssMin=0.7', query: { epssMin: 0.7 }, least: 0 },
      { url: 'epssMin=0.2&severity=medium,low', query: { epssMin: 0.2, severity: ['medium', 'low'] }, least: 1 },
      { url: 'epssMin=1', query: { epssMin: 1 }, least: 0 },
      { url: 'sla=breached', query: { sla: 'breached' }, least: 4 },
      { url: 'sla=due-soon', query: { sla: 'due-soon' }, least: 2 },
      { url: 'sla=within', query: { sla: 'within' }, least: 3 },
      { url: 'sla=none', query: { sla: 'none' }, least: 0 },
      { url: 'sla=paused', query: { sla: 'paused' }, least: 0 },
      { url: 'sla=paused&status=exempted', query: { sla: 'paused', status: 'exempted' }, least: 1 },
      { url: 'sla=none&status=exempted', query: { sla: 'none', status: 'exempted' }, least: 1 },
      { url: 'sla=breached&status=common&scanner=grype', query: { sla: 'breached', status: 'common', scanner: ['grype'] }, least: 2 },
      { url: 'kev=listed&sla=breached', query: { kev: 'listed', sla: 'breached' }, least: 0 },
      { url: 'kev=never-enriched&epssMin=0.3&sla=within', query: { kev: 'never-enriched', epssMin: 0.3, sla: 'within' }, least: 0 },
    ];

    // No feed: every issue's KEV is unknown (never "not listed"); EPSS is the scanner's.
    const none = await expectSameAsJavaScript(cases(0, 0));
    expect(none.get('kev=listed')).toEqual([]);
    expect(none.get('kev=not-listed')).toEqual([]);
    expect(none.get('epssMin=0.5')).toEqual(['top-band', 'tie-a', 'tie-a-again', 'tie-b', 'rounds-up', 'exactly-half']);
    expect(none.get('epssMin=0.6')).toEqual(['top-band', 'tie-a', 'tie-a-again', 'tie-b']);
    // Medium has 35 days in acme.pay (due 2024-04-05); a critical paused 26 days is due 2024-04-03.
    expect(none.get('sla=due-soon')).toEqual(expect.arrayContaining(['below-half', 'due-soon', 'due-today', 'due-in-7', 'tie-a', 'kev-early', 'js.crypto.weak-hash']));
    expect(none.get('sla=within')).toContain('due-in-8');
    expect(none.get('sla=breached')).not.toContain('due-today');
    expect(none.get('sla=within')).toContain('fixable');

    // KEV only: listed through the canonical id or an alias; a GHSA-only id stays unknown.
    await server.lantern.importFeed('kev', kevFile(dir, [
      { cveID: 'CVE-2024-2000', dateAdded: '2024-03-05', dueDate: '2024-03-26' },
      { cveID: 'CVE-2024-7000', dateAdded: '2024-03-10', dueDate: '2024-03-20' },
      { cveID: 'CVE-2024-7001', dateAdded: '2024-03-11' },
      { cveID: 'CVE-2024-6000', dateAdded: '2024-03-12', dueDate: '2024-04-30' },
      // CISA's due date today (a critical due in 2 days by its own), and in 7 days (a low due in August).
      { cveID: 'CVE-2024-9100', dateAdded: '2024-03-29', dueDate: '2024-04-02' },
      { cveID: 'CVE-2024-8000', dateAdded: '2024-03-29', dueDate: '2024-04-09' },
    ]));
    const kev = await expectSameAsJavaScript(cases(6, 8));
    expect(kev.get('kev=listed')).toEqual(['kev-early', 'alias-kev', 'due-soon', 'top-band', 'ghsa-alias', 'kev-no-due']);
    expect(kev.get('kev=never-enriched')).toEqual(expect.arrayContaining(['no-cve', 'ghsa-only', 'js.xss.raw-html']));
    expect(kev.get('kev=never-enriched')?.includes('band-edge')).toBe(kind === 'postgres');
    // Capped by CISA's due date (org acme): a low and a medium, within their own days, breached.
    expect(kev.get('sla=breached')).toEqual(expect.arrayContaining(['kev-early', 'alias-kev']));
    expect(kev.get('sla=due-soon')).toEqual(expect.arrayContaining(['due-soon', 'top-band']));

    // Both feeds: the feed's scores replace the scanner's, a score exactly at epssMin is kept.
    await server.lantern.importFeed('epss', epssFile(dir, [
      ['CVE-2024-6000', 0.7, 0.97],
      ['CVE-2024-8000', 0.7, 0.97],
      ['CVE-2024-3000', 0.2, 0.85],
      ['CVE-2024-3001', 0.2, 0.85],
      ['CVE-2024-5000', 0.01, 0.3],
      ['CVE-2024-8001', 0.05, 0.95],
      ['CVE-2024-8002', 0.02, 0.49],
      ['CVE-2024-9300', 0.5000000001, 0.5],
      ['CVE-2024-9301', 0.4999999999, 0.5],
    ]));
    const both = await expectSameAsJavaScript(cases(6, 8));
    expect(both.get('epssMin=0.7')).toEqual(['top-band', 'ghsa-alias']);
    expect(both.get('epssMin=0.5')).toEqual(['top-band', 'ghsa-alias', 'rounds-up']);

    // Issues at epssMin's edge (rounds-up, rounds-down) are decided on their scores by a second
    // query, which counts too: the last page and one past it.
    const entity = await db.selectFrom('entities').selectAll().where('name', '=', 'app').executeTakeFirstOrThrow();
    const state = await entityState(db, entity, { tallies: { mode: 'read', now } });
    const last = await issuesByPriority(db, state, 2, 3, now, { epssMin: 0.5 }, false, POLICIES);
    expect([last?.total, last?.page.map((p) => p.issue.package)]).toEqual([3, ['rounds-up']]);
    expect(await issuesByPriority(db, state, 3, 3, now, { epssMin: 0.5 }, false, POLICIES)).toEqual({ page: [], total: 3 });
  });
  /**
   * The queries a request sends to PostgreSQL, and in how many rounds: a round starts when a query
   * is sent while none is in flight (queries sent at once on the pool's connections are one round,
   * however many wait for a connection).
   */
  const roundTrips = async (work: () => Promise<unknown>) => {
    const send = pg.Client.prototype.query;
    let queries = 0;
    let rounds = 0;
    let inFlight = 0;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const sent = (send as (...a: unknown[]) => unknown).apply(this, args);
      // A statement goes as its text, or once a connection repeats it as a named statement ({ name, text, values }).
      const statement = typeof args[0] === 'string' || typeof (args[0] as { text?: unknown } | undefined)?.text === 'string';
      if (statement && sent instanceof Promise) {
        queries++;
        if (inFlight++ === 0) rounds++;
        sent.then(
          () => inFlight--,
          () => inFlight--,
        );
      }
      return sent;
    } as typeof send;
    try {
      await work();
    } finally {
      pg.Client.prototype.query = send;
    }
    return { queries, rounds };
  };

  it.runIf(kind === 'postgres')('reads a priority page in four rounds of queries: the entity with its links, the state with the SLA pauses, the order with the page and its files, the page\'s feeds and clocks', async () => {
    await server.lantern.importFeed('kev', kevFile(dir, [{ cveID: 'CVE-2024-7000', dateAdded: '2024-03-10', dueDate: '2024-03-20' }]));
    const deep = Buffer.from(JSON.stringify({ offset: 5 })).toString('base64url');
    for (const query of ['sort=priority', 'sort=-priority', 'sort=priority&kev=listed', 'sort=priority&epssMin=0.5', 'sort=priority&sla=breached', `sort=priority&cursor=${deep}`]) {
      const url = `/api/insights/entities/component/default/app/issues?${query}&limit=4`;
      // The pool's connections opened first: a query waiting for a new connection would start a round of its own.
      for (let i = 0; i < 2; i++) expect((await server.app.inject({ method: 'GET', url })).statusCode).toBe(200);
      let page: { items: unknown[] } | undefined;
      const trips = await roundTrips(async () => (page = (await server.app.inject({ method: 'GET', url })).json()));
      expect(page?.items.length, query).toBeGreaterThan(0);
      expect(trips, query).toEqual({ queries: 11, rounds: 4 });
    }
  });
});
