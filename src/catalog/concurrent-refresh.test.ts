import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { rowCounts } from '../../test/support/row-counts.js';
import { startSecondServer, startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import type { Lantern } from '../lantern.js';
import type { Store } from '../store/database.js';
import { expectStoredReadsComputed } from '../../test/support/stored-reads.js';

/*
 * Catalog refreshes and ingests that run at once, from two Lantern processes on one PostgreSQL
 * schema, touching entities of the same owners: both write the owners' entity_rollups rows (through
 * triggers) in orders neither chooses, so one may be chosen as a deadlock's victim and must be run
 * again. Whatever happens, the end state is the one the same work leaves when run one at a time.
 * On SQLite the "second process" is the first (one process holds the writer).
 */

const NOW = '2026-11-20T12:00:00.000Z';
const clock = () => NOW;
const SCOPE = 'acme.shop';
const TARGETS = Array.from({ length: 6 }, (_, i) => `acme/svc-${i}`);
const FILES = 4;

const SEVERITIES: ReadonlyArray<Vulnerability['severity']> = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const vulns = (seed: number, count: number): Vulnerability[] =>
  Array.from({ length: count }, (_, i) => ({ id: `CVE-2026-${seed * 100 + i}`, pkg: `pkg-${i % 7}`, version: '1.0.0', severity: SEVERITIES[(seed + i) % 5] as Vulnerability['severity'] }));

/** File `f` of the catalog: five entities owned by team-0 and team-1, linked to two targets each; `edition` 1 moves owners and links. */
function catalogFile(f: number, edition: 0 | 1): string {
  return Array.from({ length: 5 }, (_, e) => {
    const n = f * 5 + e;
    const links = [TARGETS[(n + edition) % 6], TARGETS[(n + 2 + edition * 3) % 6]].map((name) => ({ name }));
    return [
      'apiVersion: backstage.io/v1alpha1',
      'kind: Component',
      'metadata:',
      `  name: part-${n}`,
      '  annotations:',
      `    harness.io/sto-test-target: '${JSON.stringify(links)}'`,
      'spec:',
      '  type: service',
      '  lifecycle: production',
      `  owner: team-${(n + edition) % 2}`,
      `  system: system-${n % 2}`,
    ].join('\n');
  }).join('\n---\n');
}

async function endState(store: Store) {
  const db = store.db;
  const summaries = await db
    .selectFrom('entity_summaries as s')
    .innerJoin('entities as e', 'e.id', 's.entity_id')
    .select(['e.ref', 's.has_data', 's.critical', 's.high', 's.medium', 's.low', 's.info', 's.total', 's.new_count', 's.unmatched_links'])
    .orderBy('e.ref')
    .execute();
  const links = await db
    .selectFrom('entity_links as l')
    .innerJoin('entities as e', 'e.id', 'l.entity_id')
    .leftJoin('targets as t', 't.id', 'l.target_id')
    .select(['e.ref', 'l.position', 'l.name', 'l.matched', 't.name as target', 'l.variant_name', 'l.diagnostics'])
    .orderBy('e.ref')
    .orderBy('l.position')
    .execute();
  const summed = await db
    .selectFrom('entities as e')
    .leftJoin('entity_summaries as s', 's.entity_id', 'e.id')
    .select((eb) => [
      'e.scope',
      'e.owner_ref',
      'e.system_ref',
      eb.fn.countAll<number>().as('entities'),
      eb.fn.sum<number>('s.has_data').as('with_data'),
      eb.fn.sum<number>('s.critical').as('critical'),
      eb.fn.sum<number>('s.high').as('high'),
      eb.fn.sum<number>('s.low').as('low'),
    ])
    .groupBy(['e.scope', 'e.owner_ref', 'e.system_ref'])
    .orderBy('e.scope')
    .orderBy('e.owner_ref')
    .orderBy('e.system_ref')
    .execute();
  const rollups = await db.selectFrom('entity_rollups').selectAll().where('entities', '<>', 0).orderBy('scope').orderBy('owner_ref').orderBy('system_ref').orderBy('domain_ref').execute();
  const scorecards = await db
    .selectFrom('scorecard_results as r')
    .innerJoin('entities as e', 'e.id', 'r.entity_id')
    .select(['r.scorecard_id', 'e.ref', 'r.score', 'r.passed', 'r.failed', 'r.unknown', 'r.checks'])
    .orderBy('r.scorecard_id')
    .orderBy('e.ref')
    .execute();
  // Daily histories depend on the order transactions commit in (concurrent-ingest.test.ts says why), and so do the trend steps
  // kept from them (per facet value too, each in the shard of its entity's id); empty rollup rows on the order groups emptied.
  const { audit_log: _a, summary_history: _s, scorecard_history: _h, entity_rollups: _r, trend_changes: _t, trend_facet_changes: _tf, scorecard_tallies: _st, scorecard_check_tallies: _sc, ...rows } = await rowCounts(store);
  return { summaries, links, summed, rollups, scorecards, rows };
}

describeEachStore('catalog refreshes and ingests at once', (kind: StoreKind) => {
  let dir: string;
  let first: TestServer;
  let second: TestServer;
  const files: string[] = [];

  const writeFiles = (edition: 0 | 1) => {
    for (let f = 0; f < FILES; f++) writeFileSync(files[f] as string, `${catalogFile(f, edition)}\n`);
  };
  const ingest = (lantern: Lantern, i: number) =>
    lantern.ingest({
      report: new TextEncoder().encode(trivyReport(vulns(i, 10 + i))),
      source: `upload-${i}`,
      target: TARGETS[i % 6] as string,
      targetType: 'repository',
      variant: 'main',
      scope: parseScope(SCOPE),
      scannedAt: `2026-11-1${i % 10}T08:00:00.000Z`,
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-catalog-race-'));
    files.length = 0;
    for (let f = 0; f < FILES; f++) files.push(join(dir, `catalog-${f}.yaml`));
    writeFiles(0);
    first = await startTestServer(kind, { clock });
    second = await startSecondServer(first, kind, { clock });
  });
  afterEach(async () => {
    await second.close();
    await first.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('end as the same refreshes and ingests run one after another', async () => {
    // Scans of half the targets first, so that refreshes move entities with data between owners.
    for (let i = 0; i < 3; i++) await ingest(first.lantern, i);
    const locations = [];
    for (const file of files) locations.push((await first.lantern.catalog.register(file, parseScope(SCOPE))).location.id);
    writeFiles(1);

    const lanterns = [first.lantern, second.lantern];
    const work = [
      ...locations.map((id, k) => () => (lanterns[k % 2] as Lantern).catalog.refresh(id)),
      ...Array.from({ length: 6 }, (_, k) => () => ingest(lanterns[(k + 1) % 2] as Lantern, k + 3)),
    ];
    const outcomes = await Promise.allSettled(work.map((run) => run()));
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const concurrent = await endState(first.lantern.store);
    await expectStoredReadsComputed(first.lantern);

    // The same work, one at a time, on a fresh store.
    writeFiles(0);
    const fresh = await startTestServer(kind, { clock });
    try {
      for (let i = 0; i < 3; i++) await ingest(fresh.lantern, i);
      const freshLocations = [];
      for (const file of files) freshLocations.push((await fresh.lantern.catalog.register(file, parseScope(SCOPE))).location.id);
      writeFiles(1);
      for (const id of freshLocations) await fresh.lantern.catalog.refresh(id);
      for (let k = 0; k < 6; k++) await ingest(fresh.lantern, k + 3);
      const sequential = await endState(fresh.lantern.store);
      expect(concurrent.summaries.filter((s) => s.has_data === 1).length).toBeGreaterThan(10);
      expect(concurrent.rollups.map((r) => r.owner_ref)).toContain('group:default/team-1');
      expect(concurrent).toEqual(sequential);
    } finally {
      await fresh.close();
    }
    // Two stores built and some twenty transactions each: a loaded CI machine needs the time.
  }, 120_000);
});
