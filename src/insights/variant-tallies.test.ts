import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { grypeReport, trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { writeCursor } from '../domain/page-cursor.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { entityIssues } from './entity-issues.js';
import { entityState } from './entity-state.js';
import { issuesBySeverity } from './issue-pages.js';
import { summarise } from './summary.js';

/*
 * An entity's summary counted from its variants' stored tallies is the summary counted from every
 * issue, after each change that can alter it: ingests, a re-scan, a baseline change, an exemption
 * approved, and its expiry passing (before any sweep notices it).
 */

const SCOPE = 'acme.shop';
const SEVERITIES: ReadonlyArray<Vulnerability['severity']> = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const vulns = (seed: number, count: number, pkg = 'lib'): Vulnerability[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `CVE-2026-${seed * 100 + i}`,
    pkg: `${pkg}-${i % 5}`,
    version: '1.0.0',
    severity: SEVERITIES[(seed + i) % 5] as Vulnerability['severity'],
    ...(i % 3 === 0 ? { fixed: '1.0.1' } : {}),
  }));

const CATALOG = [
  // One target through its baseline and another with two scanners.
  { name: 'alpha', links: [{ name: 'acme/one' }, { name: 'acme/two' }] },
  // One target through two variants: each issue counted once, from the issues.
  { name: 'beta', links: [{ name: 'acme/one' }, { name: 'acme/one', variant: 'develop' }] },
  { name: 'gamma', links: [{ name: 'acme/two' }] },
];

describeEachStore('stored variant tallies', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;
  let now = '2026-11-20T12:00:00.000Z';

  const ingest = (target: string, variant: string, report: string, scannedAt: string) =>
    lantern.ingest({ report: new TextEncoder().encode(report), source: 'test', target, targetType: 'repository', variant, scope: parseScope(SCOPE), scannedAt });

  const entity = async (name: string) => lantern.store.db.selectFrom('entities').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

  /** Every entity's summary from tallies equals the one from issues, and the stored summary too; returns how many shown targets were counted from tallies. */
  const expectTalliesLive = async (): Promise<number> => {
    let fromTallies = 0;
    for (const { name } of CATALOG) {
      const row = await entity(name);
      const live = summarise(await entityState(lantern.store.db, row), now);
      const state = await entityState(lantern.store.db, row, { tallies: { mode: 'read', now } });
      fromTallies += state.targets.filter((t) => t.tally !== undefined && t.rows.length === 0).length;
      expect(summarise(state, now), name).toEqual(live);
      const stored = await lantern.store.db.selectFrom('entity_summaries').selectAll().where('entity_id', '=', row.id).executeTakeFirstOrThrow();
      expect({ name, ...live.counts, exempted: live.exempted, fixable: live.fixable, new: live.new }).toEqual({
        name,
        critical: stored.critical,
        high: stored.high,
        medium: stored.medium,
        low: stored.low,
        info: stored.info,
        total: stored.total,
        exempted: stored.exempted,
        fixable: stored.fixable,
        new: stored.new_count,
      });
    }
    return fromTallies;
  };

  beforeEach(async () => {
    now = '2026-11-20T12:00:00.000Z';
    lantern = new Lantern(await openTestStore(kind), { clock: () => now, allowSelfApproval: true });
    dir = mkdtempSync(join(tmpdir(), 'lantern-tallies-'));
    const file = join(dir, 'catalog-info.yaml');
    const docs = CATALOG.map(({ name, links }) =>
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        `  name: ${name}`,
        '  annotations:',
        `    harness.io/sto-test-target: '${JSON.stringify(links)}'`,
        'spec:',
        '  type: service',
        '  lifecycle: production',
        '  owner: team-a',
      ].join('\n'),
    );
    writeFileSync(file, `${docs.join('\n---\n')}\n`);
    await lantern.catalog.register(file, parseScope(SCOPE));
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('count as the issues do after ingests, a re-scan, a baseline change and an exemption approved and expired', async () => {
    await ingest('acme/one', 'main', trivyReport(vulns(1, 30)), '2026-11-10T08:00:00.000Z');
    await ingest('acme/one', 'develop', trivyReport(vulns(2, 20)), '2026-11-11T08:00:00.000Z');
    await ingest('acme/two', 'main', trivyReport(vulns(3, 25)), '2026-11-12T08:00:00.000Z');
    await ingest('acme/two', 'main', grypeReport(vulns(3, 12)), '2026-11-12T09:00:00.000Z');
    // alpha's two targets and gamma's one come from tallies; beta shows acme/one twice.
    expect(await expectTalliesLive()).toBe(3);
    expect(await lantern.store.db.selectFrom('variant_tallies').select('variant_id').execute()).toHaveLength(3);

    // A re-scan: some issues gone, some new, severities changed.
    await ingest('acme/one', 'main', trivyReport([...vulns(1, 10), ...vulns(4, 15)]), '2026-11-13T08:00:00.000Z');
    expect(await expectTalliesLive()).toBe(3);

    // alpha now shows develop of acme/one, and beta shows it once (its two links name the same variant).
    const one = await lantern.store.db.selectFrom('targets').select('id').where('name', '=', 'acme/one').executeTakeFirstOrThrow();
    await lantern.setBaseline(one.id, { variant: 'develop' });
    expect(await expectTalliesLive()).toBe(4);

    // An approved exemption of one CVE across the project, expiring in two days.
    const exemption = await lantern.requestExemption({ level: 'project', scope: SCOPE, key: 'CVE-2026-200', reason: 'accepted_risk', comment: 'Not reachable.', expiresAt: '2026-11-22T12:00:00.000Z' });
    await lantern.decideExemption(exemption.id, 'approved');
    expect(summarise(await entityState(lantern.store.db, await entity('alpha')), now).exempted).toBe(1);
    expect(await expectTalliesLive()).toBe(4);

    // Its expiry passes: before any sweep, the tallies that counted it no longer count.
    now = '2026-11-23T12:00:00.000Z';
    const alpha = await entityState(lantern.store.db, await entity('alpha'), { tallies: { mode: 'read', now } });
    expect(alpha.targets.map((t) => t.variant === 'develop' && t.tally !== undefined)).not.toContain(true);
    expect(summarise(alpha, now).exempted).toBe(0);
    for (const { name } of CATALOG) {
      const row = await entity(name);
      expect(summarise(await entityState(lantern.store.db, row, { tallies: { mode: 'read', now } }), now), name).toEqual(summarise(await entityState(lantern.store.db, row), now));
    }
    await lantern.sweepExpiredExemptions(now);
    expect(await expectTalliesLive()).toBe(4);
  });

  it('answer the first issue pages by severity as reading every issue does', async () => {
    // Few critical issues (one severity read whole), many medium and low (read in identifier order),
    // two scanners that disagree on some severities, and identifiers that tie.
    const severityOf = (i: number): Vulnerability['severity'] => (i % 41 === 0 ? 'CRITICAL' : i % 7 === 0 ? 'HIGH' : i % 2 === 0 ? 'MEDIUM' : i % 3 === 0 ? 'LOW' : 'UNKNOWN');
    const many = Array.from({ length: 320 }, (_, i) => ({ id: `CVE-2026-${1000 + (i % 290)}`, pkg: `lib-${i % 9}`, version: `1.${i}.0`, severity: severityOf(i), ...(i % 4 === 0 ? { fixed: '2.0.0' } : {}) }));
    await ingest('acme/one', 'main', trivyReport(many), '2026-11-10T08:00:00.000Z');
    await ingest('acme/one', 'main', grypeReport(many.slice(0, 120).map((v, i) => ({ ...v, severity: severityOf(i + 3) }))), '2026-11-10T09:00:00.000Z');
    await ingest('acme/two', 'main', trivyReport(vulns(3, 40)), '2026-11-12T08:00:00.000Z');
    const exemption = await lantern.requestExemption({ level: 'project', scope: SCOPE, key: 'CVE-2026-1006', reason: 'accepted_risk', comment: 'Not reachable.', expiresAt: '2026-12-22T12:00:00.000Z' });
    await lantern.decideExemption(exemption.id, 'approved');

    const alpha = await entity('alpha');
    const withTallies = await entityState(lantern.store.db, alpha, { tallies: { mode: 'read', now } });
    expect(withTallies.targets.every((t) => t.tally !== undefined && t.rows.length === 0)).toBe(true);
    expect(await issuesBySeverity(lantern.store.db, withTallies, true, 0, 50, now)).toBeDefined();
    const all = await entityState(lantern.store.db, alpha);
    let compared = 0;
    for (const sort of [undefined, '-severity', 'severity']) {
      for (const [offset, limit] of [[0, 50], [0, 3], [2, 7], [5, 40], [60, 25], [0, 500], [330, 50]] as const) {
        const query = { sort, limit, ...(offset > 0 ? { cursor: writeCursor(offset) } : {}) };
        const fast = await entityIssues(lantern.store.db, withTallies, query, now);
        const slow = await entityIssues(lantern.store.db, all, query, now);
        expect(fast, `${sort} ${offset} ${limit}`).toEqual(slow);
        compared += fast.items.length;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
