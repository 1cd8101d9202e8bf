import { afterEach, beforeEach, expect, it } from 'vitest';
import { epssFile, feedDir, kevFile } from '../../test/support/feed-files.js';
import { grypeMatchesReport as grype, semgrepReport } from '../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { exploitationOf, type Exploitation } from './exploitation.js';
import { priorityParts } from './priority.js';
import { lastPriorityRefresh } from './priority-refresh.js';

describeEachStore('the refresh of every stored priority key after a feed import', (kind) => {
  let server: TestServer;
  let dir: string;
  beforeEach(async () => {
    server = await startTestServer(kind, { clock: () => '2024-04-02T08:00:00.000Z' });
    dir = feedDir();
    const scope = parseScope('acme.pay');
    const scan = (target: string, report: string, source = 'grype.json') => server.lantern.ingest({ report: Buffer.from(report), source, target, targetType: 'repository', variant: 'main', scope, baseline: true, scannedAt: '2024-03-01T00:00:00.000Z' });
    await scan(
      'acme/app',
      grype([
        // Known-exploited through an alias, fixable and not: one (vulnerability id, aliases), two tails.
        { id: 'CVE-2024-1000', related: ['CVE-2024-2000', 'GHSA-aaaa-bbbb-cccc'], pkg: 'alias-fixed', severity: 'Low', fixed: '1.0.1', epss: 0.3 },
        { id: 'CVE-2024-1000', related: ['CVE-2024-2000', 'GHSA-aaaa-bbbb-cccc'], pkg: 'alias-unfixed', severity: 'High', epss: 0.2 },
        // A GHSA scored under its CVE alias; a GHSA with no CVE at all.
        { id: 'GHSA-1111-2222-3333', related: ['CVE-2024-6000'], pkg: 'ghsa-alias', severity: 'High' },
        { id: 'GHSA-9999-8888-7777', pkg: 'ghsa-only', severity: 'Critical', fixed: '2.0.0', epss: 0.7 },
        { id: 'CVE-2024-3000', pkg: 'edge-a', severity: 'Medium', fixed: '1.0.1' },
        { id: 'CVE-2024-3001', pkg: 'edge-b', severity: 'Medium' },
        // Scanner EPSS only: the feed, once loaded, does not list it.
        { id: 'CVE-2024-3002', pkg: 'scanner-only', severity: 'Low', epss: 0.9 },
        { id: 'CVE-2024-7000', pkg: 'kev-own', severity: 'Medium', fixed: '3.0.0' },
      ]),
    );
    // The same CVE in another target without the alias that is in KEV: another group, not listed.
    await scan(
      'acme/other',
      grype([
        { id: 'CVE-2024-1000', pkg: 'no-alias', severity: 'Low', fixed: '1.0.1' },
        { id: 'CVE-2024-3000', pkg: 'edge-a-unfixed', severity: 'Medium' },
        { id: 'CVE-2024-7000', related: ['GHSA-7777-6666-5555'], pkg: 'kev-with-ghsa', severity: 'Medium' },
      ]),
    );
    await scan(
      'acme/app',
      semgrepReport([
        { rule: 'js.xss.raw-html', path: 'src/a.js', line: 3, severity: 'ERROR', snippet: 'x' },
        { rule: 'js.crypto.weak-hash', path: 'src/b.js', line: 9, severity: 'WARNING', snippet: 'y' },
        { rule: 'js.crypto.weak-hash', path: 'src/c.js', line: 2, severity: 'WARNING', snippet: 'z' },
      ]),
      'semgrep.json',
    );
  });
  afterEach(async () => server.close());

  const stored = async () => {
    const rows = await server.lantern.store.db.selectFrom('issues').select(['id', 'package', 'vulnerability_id', 'rule_id', 'fixed_version', 'priority_head', 'priority_tail']).orderBy('id').execute();
    return rows;
  };

  /** Every issue's stored parts equal priorityParts() of its match now, computed issue by issue. */
  const expectFresh = async () => {
    const rows = await stored();
    const known = await exploitationOf(server.lantern.store.db, rows.map((r) => ({ id: r.id, vulnerabilityId: r.vulnerability_id })));
    expect(rows.map((r) => ({ id: r.id, head: r.priority_head, tail: r.priority_tail }))).toEqual(
      rows.map((r) => ({ id: r.id, ...priorityParts({ ...(known.get(r.id) as Exploitation), fixedVersion: r.fixed_version, vulnerabilityId: r.vulnerability_id, ruleId: r.rule_id }) })),
    );
    return new Map(rows.map((r) => [r.package ?? `${r.rule_id}`, r.priority_head]));
  };

  /** Imports a feed; the refresh writes exactly the issues whose parts changed, and leaves every issue's fresh. */
  const imported = async (name: 'kev' | 'epss', path: string) => {
    const before = new Map((await stored()).map((r) => [r.id, `${r.priority_head}|${r.priority_tail}`]));
    await server.lantern.importFeed(name, path);
    const changed = (await stored()).filter((r) => before.get(r.id) !== `${r.priority_head}|${r.priority_tail}`).length;
    expect(lastPriorityRefresh()?.written).toBe(changed);
    return { changed, heads: await expectFresh() };
  };

  it('matches the per-issue computation on every import: aliases, band edges, KEV removals, scanner EPSS, issues without a CVE', async () => {
    const db = server.lantern.store.db;
    await expectFresh();
    const issues = (await stored()).length;
    // As after the upgrade that added the parts: none computed; a code finding without a rule id
    // and a fixed version that is empty (not fixable).
    await db.updateTable('issues').set({ priority_head: null, priority_tail: null }).execute();
    await db.updateTable('issues').set({ rule_id: null }).where('rule_id', '=', 'js.xss.raw-html').execute();
    await db.updateTable('issues').set({ fixed_version: '' }).where('package', '=', 'kev-own').execute();

    // KEV first, no EPSS feed: the scanner's EPSS stands in (those issues go one by one).
    const kev = await imported('kev', kevFile(dir, [{ cveID: 'CVE-2024-2000', dateAdded: '2024-03-05', dueDate: '2024-03-26' }, { cveID: 'CVE-2024-7000', dateAdded: '2024-03-10', dueDate: '2024-03-20' }]));
    expect(kev.changed).toBe(issues);
    expect(kev.heads.get('alias-fixed')).toBe('02024-03-263');
    expect(kev.heads.get('alias-unfixed')).toBe('02024-03-263');
    expect(kev.heads.get('no-alias')).toBe('19999-12-313');
    expect(kev.heads.get('kev-with-ghsa')).toBe('02024-03-203');
    expect(kev.heads.get('scanner-only')).toBe('19999-12-311');

    // EPSS on the band edges; the alias scores higher than the canonical id and wins.
    const scores = (moved: Array<[string, number, number]>, date: string) =>
      epssFile(dir, [['CVE-2024-1000', 0.2, 0.6], ['CVE-2024-2000', 0.4, 0.95], ['CVE-2024-6000', 0.1, 0.5], ['CVE-2024-3000', 0.3, 0.95], ['CVE-2024-3001', 0.123456789, 0.7999], ['CVE-2024-7000', 0.05, 0.8], ...moved], { scoreDate: date, name: `epss-${date}.csv` });
    const epss = await imported('epss', scores([], '2024-04-01'));
    expect(epss.heads.get('alias-fixed')).toBe('02024-03-260');
    expect(epss.heads.get('no-alias')).toBe('19999-12-312');
    expect(epss.heads.get('ghsa-alias')).toBe('19999-12-312');
    expect(epss.heads.get('edge-a')).toBe('19999-12-310');
    expect(epss.heads.get('edge-b')).toBe('19999-12-312');
    expect(epss.heads.get('scanner-only')).toBe('19999-12-313');
    expect(epss.heads.get('ghsa-only')).toBe('19999-12-313');

    // The same file again: nothing written.
    expect((await imported('epss', scores([], '2024-04-01'))).changed).toBe(0);

    // Scores and percentiles moved across band edges (a CVE listed twice keeps its first line).
    const moved = await imported('epss', epssFile(dir, [['CVE-2024-3000', 0.3, 0.9499], ['CVE-2024-3001', 0.9, 0.8], ['CVE-2024-6000', 0.1, 0.49], ['CVE-2024-1000', 0.99, 0.999], ['CVE-2024-7000', 0.05, 0.8]], { scoreDate: '2024-04-02', name: 'moved.csv' }));
    expect(moved.heads.get('edge-a')).toBe('19999-12-311');
    expect(moved.heads.get('edge-a-unfixed')).toBe('19999-12-311');
    expect(moved.heads.get('edge-b')).toBe('19999-12-311');
    expect(moved.heads.get('ghsa-alias')).toBe('19999-12-313');
    expect(moved.heads.get('no-alias')).toBe('19999-12-310');

    // KEV drops the alias's CVE and lists another: the alias no longer makes it known-exploited.
    const dropped = await imported('kev', kevFile(dir, [{ cveID: 'CVE-2024-3001', dateAdded: '2024-03-11' }, { cveID: 'CVE-2024-7000', dateAdded: '2024-03-10', dueDate: '2024-03-20' }], '2024-04-02T15:00:00.000Z', 'kev-2.json'));
    expect(dropped.heads.get('alias-fixed')).toBe('19999-12-310');
    expect(dropped.heads.get('edge-b')).toBe('09999-12-311');
    expect(dropped.changed).toBeGreaterThan(0);
  });

  // An ingest computes its issues' parts from what it wrote, not from the rows read back: new
  // issues and rewritten ones (a fix and an alias added).
  it('stores the same parts on ingest as the per-issue computation reads back, for new and rewritten issues', async () => {
    await server.lantern.importFeed('kev', kevFile(dir, [{ cveID: 'CVE-2024-2000', dateAdded: '2024-03-05', dueDate: '2024-03-26' }, { cveID: 'CVE-2024-8000', dateAdded: '2024-03-06', dueDate: '2024-03-30' }]));
    await server.lantern.importFeed('epss', epssFile(dir, [['CVE-2024-1000', 0.2, 0.6], ['CVE-2024-8000', 0.5, 0.99], ['CVE-2024-9000', 0.01, 0.1]], { scoreDate: '2024-04-01', name: 'epss.csv' }));
    const scope = parseScope('acme.pay');
    const scan = (target: string, report: string) => server.lantern.ingest({ report: Buffer.from(report), source: 'grype.json', target, targetType: 'repository', variant: 'main', scope, scannedAt: '2024-04-01T00:00:00.000Z' });
    await scan(
      'acme/new',
      grype([
        { id: 'GHSA-aaaa-0000-0001', related: ['CVE-2024-8000'], pkg: 'upper-alias', severity: 'Low' },
        { id: 'GHSA-aaaa-0000-0002', related: ['cve-2024-8000'], pkg: 'lower-alias', severity: 'Low' },
        { id: 'CVE-2024-1000', related: ['CVE-2024-2000'], pkg: 'kev-alias', severity: 'Low', fixed: '1.0.1' },
        { id: 'CVE-2024-9000', pkg: 'plain', severity: 'High' },
      ]),
    );
    // A rescan of the first target: edge-b gets a fix and an alias listed in KEV, the rest stay.
    await scan(
      'acme/app',
      grype([
        { id: 'CVE-2024-3001', related: ['CVE-2024-8000'], pkg: 'edge-b', severity: 'Medium', fixed: '9.9.9' },
        { id: 'CVE-2024-3000', pkg: 'edge-a', severity: 'Medium', fixed: '1.0.1' },
      ]),
    );
    const heads = await expectFresh();
    expect(heads.get('upper-alias')).toBe('02024-03-300');
    // The parser writes aliases in upper case: the same match.
    expect(heads.get('lower-alias')).toBe('02024-03-300');
    expect(heads.get('kev-alias')).toBe('02024-03-262');
    // Rewritten: in KEV through its new alias.
    expect(heads.get('edge-b')).toBe('02024-03-300');
    expect(heads.get('plain')).toBe('19999-12-313');
  });
  // New issues get their parts with their insert, from their chunk's occurrences (ingest.ts); one
  // met again in a later chunk, with a higher EPSS from the scanner there, is computed again after.
  it('stores the parts of an issue whose occurrences span chunks, the highest scanner EPSS of all of them', async () => {
    const matches = Array.from({ length: 600 }, (_, k) => ({ id: `CVE-2024-${20000 + k}`, pkg: `spread-${k}`, severity: 'Medium', epss: 0.01 }));
    // Chunks are 250 findings: the same issue at 0 and 1 (one chunk) and at 599 (the third).
    matches[0] = { id: 'CVE-2024-5000', pkg: 'repeat', severity: 'Medium', epss: 0.1 };
    matches[1] = { id: 'CVE-2024-5000', pkg: 'repeat', severity: 'Medium', epss: 0.3 };
    matches[599] = { id: 'CVE-2024-5000', pkg: 'repeat', severity: 'Medium', epss: 0.95 };
    const report = JSON.parse(grype(matches)) as { matches: Array<{ artifact: { locations: Array<{ path: string }> } }> };
    report.matches.forEach((m, k) => (m.artifact.locations = [{ path: `/app/${k}/package-lock.json` }]));
    await server.lantern.ingest({ report: Buffer.from(JSON.stringify(report)), source: 'grype.json', target: 'acme/spread', targetType: 'repository', variant: 'main', scope: parseScope('acme.pay'), scannedAt: '2024-03-02T00:00:00.000Z' });
    const heads = await expectFresh();
    expect(heads.size).toBeGreaterThan(599);
    const repeat = await server.lantern.store.db.selectFrom('issues').select(['priority_tail']).where('package', '=', 'repeat').executeTakeFirstOrThrow();
    // Not fixable, then 1 - 0.95: the third chunk's score, not the first's (0.3).
    expect(repeat.priority_tail?.startsWith('10.05')).toBe(true);
  });
});
