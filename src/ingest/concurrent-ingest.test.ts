import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trivyReport, grypeReport, type Vulnerability } from '../../test/support/reports.js';
import { rowCounts } from '../../test/support/row-counts.js';
import { startSecondServer, startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import type { LanternApp } from '../api/server.js';
import { parseScope } from '../domain/scope.js';
import { entityStates } from '../insights/entity-state.js';
import { summarise } from '../insights/summary.js';
import { openStore, type Store } from '../store/database.js';
import { expectStoredReadsComputed } from '../../test/support/stored-reads.js';

/*
 * Ingests that run at once, through the HTTP API of two Lantern servers on one store, end in
 * exactly the state the same uploads leave when ingested one after another: links, stored
 * summaries and their history, scorecard results and theirs.
 */

const NOW = '2026-11-20T12:00:00.000Z';
const clock = () => NOW;
const SCOPE = 'acme.shop';
const TARGETS = Array.from({ length: 8 }, (_, i) => `acme/service-${i}`);

const SEVERITIES: ReadonlyArray<Vulnerability['severity']> = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const vulns = (seed: number, count: number): Vulnerability[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `CVE-2026-${seed * 100 + i}`,
    pkg: `pkg-${(seed + i) % 17}`,
    version: '1.0.0',
    severity: SEVERITIES[(seed + i) % 5] as Vulnerability['severity'],
    ...(i % 3 === 0 ? { fixed: '1.0.1' } : {}),
  }));

/** Twelve entities, each linking to two or three of the targets, one by a near miss of a name (a similar-name hint). */
function writeCatalog(dir: string): string {
  const documents = Array.from({ length: 12 }, (_, e) => {
    const links = [{ name: TARGETS[e % 8] }, { name: TARGETS[(e + 3) % 8] }, ...(e % 4 === 0 ? [{ name: `acme/servic-${e % 8}` }] : [])];
    return [
      'apiVersion: backstage.io/v1alpha1',
      'kind: Component',
      'metadata:',
      `  name: part-${e}`,
      '  annotations:',
      `    harness.io/sto-test-target: '${JSON.stringify(links)}'`,
      'spec:',
      '  type: service',
      '  lifecycle: production',
      `  owner: team-${e % 3}`,
    ].join('\n');
  });
  const file = join(dir, 'catalog-info.yaml');
  writeFileSync(file, `${documents.join('\n---\n')}\n`);
  return file;
}

interface Upload {
  target: string;
  variant: string;
  report: string;
  scannedAt: string;
}

/** What ingests leave that must not depend on their order, keyed by names rather than ids (ids differ between stores). */
async function endState(store: Store) {
  const db = store.db;
  const summaries = await db
    .selectFrom('entity_summaries as s')
    .innerJoin('entities as e', 'e.id', 's.entity_id')
    .select(['e.ref', 's.has_data', 's.critical', 's.high', 's.medium', 's.low', 's.info', 's.total', 's.fixable', 's.new_count', 's.exempted', 's.last_scan_at', 's.unmatched_links', 's.breakdown'])
    .orderBy('e.ref')
    .execute();
  const history = await db
    .selectFrom('summary_history as h')
    .innerJoin('entities as e', 'e.id', 'h.entity_id')
    .select(['e.ref', 'h.day', 'h.has_data', 'h.critical', 'h.high', 'h.medium', 'h.low', 'h.info', 'h.total'])
    .orderBy('e.ref')
    .orderBy('h.day')
    .execute();
  const links = await db
    .selectFrom('entity_links as l')
    .innerJoin('entities as e', 'e.id', 'l.entity_id')
    .leftJoin('targets as t', 't.id', 'l.target_id')
    .select(['e.ref', 'l.position', 'l.name', 'l.matched', 't.name as target', 'l.variant_name', 'l.variant_reason', 'l.diagnostics'])
    .orderBy('e.ref')
    .orderBy('l.position')
    .execute();
  const scorecards = await db
    .selectFrom('scorecard_results as r')
    .innerJoin('entities as e', 'e.id', 'r.entity_id')
    .select(['r.scorecard_id', 'e.ref', 'r.score', 'r.passed', 'r.failed', 'r.unknown', 'r.checks'])
    .orderBy('r.scorecard_id')
    .orderBy('e.ref')
    .execute();
  const scorecardHistory = await db
    .selectFrom('scorecard_history as h')
    .innerJoin('entities as e', 'e.id', 'h.entity_id')
    .select(['h.scorecard_id', 'e.ref', 'h.day', 'h.applies', 'h.score', 'h.statuses'])
    .orderBy('h.scorecard_id')
    .orderBy('e.ref')
    .orderBy('h.day')
    .execute();
  const { audit_log: _audit, ...rows } = await rowCounts(store);
  return { summaries, history, links, scorecards, scorecardHistory, rows };
}

/**
 * The end state less the daily histories. A history row is dated by its scan's time, and which rows
 * a day keeps depends on the order the transactions committed (a scan dated earlier that commits
 * later rewrites the later days), which no test can observe: scan ids are handed out before commit.
 * What must hold whatever that order is checked apart: each entity's latest history row is its summary.
 * Also left out: when each scorecard was last evaluated in full (scorecard_evaluations), a record of
 * the evaluations a test ran, not of what the uploads stored.
 */
function withoutHistory(state: Awaited<ReturnType<typeof endState>>) {
  const { history: _history, scorecardHistory: _scorecardHistory, rows, ...rest } = state;
  const { summary_history: _summaryRows, scorecard_history: _scorecardRows, trend_changes: _trendRows, trend_facet_changes: _trendFacetRows, scorecard_tallies: _tallyRows, scorecard_check_tallies: _checkRows, scorecard_evaluations: _evaluations, ...counts } = rows as Record<string, number>;
  return { ...rest, rows: counts };
}

function expectLatestHistoryIsSummary(state: Awaited<ReturnType<typeof endState>>): void {
  const latest = new Map<string, (typeof state.history)[number]>();
  for (const row of state.history) latest.set(row.ref, row);
  for (const summary of state.summaries) {
    const row = latest.get(summary.ref);
    expect(row, summary.ref).toBeDefined();
    expect({ ref: summary.ref, total: row?.total, critical: row?.critical, high: row?.high }).toEqual({ ref: summary.ref, total: summary.total, critical: summary.critical, high: summary.high });
  }
}

/** Every stored summary equals the one computed now from the entity's state. */
async function expectStoredSummariesLive(store: Store): Promise<void> {
  const entities = await store.db.selectFrom('entities').selectAll().orderBy('id').execute();
  const stored = new Map((await store.db.selectFrom('entity_summaries').selectAll().execute()).map((r) => [r.entity_id, r]));
  for (const state of await entityStates(store.db, entities)) {
    const live = summarise(state, NOW);
    const row = stored.get(state.entity.id);
    expect({ ref: state.entity.ref, ...live.counts, new: live.new, fixable: live.fixable, unmatched: live.unmatchedLinks, hasData: live.hasData }).toEqual({
      ref: state.entity.ref,
      critical: row?.critical,
      high: row?.high,
      medium: row?.medium,
      low: row?.low,
      info: row?.info,
      total: row?.total,
      new: row?.new_count,
      fixable: row?.fixable,
      unmatched: row?.unmatched_links,
      hasData: row?.has_data === 1,
    });
  }
}

describeEachStore('concurrent ingests', (kind: StoreKind) => {
  let dir: string;
  let first: TestServer;
  /** A second Lantern server on the same store (on PostgreSQL its own pool on the same schema; on SQLite, one process holds the writer: the same server). */
  let second: TestServer;
  let catalogFile: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-concurrent-'));
    catalogFile = writeCatalog(dir);
    first = await startTestServer(kind, { clock });
    second = await startSecondServer(first, kind, { clock });
    await first.lantern.catalog.register(catalogFile, parseScope(SCOPE));
  });
  afterEach(async () => {
    await second.close();
    await first.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (app: LanternApp, upload: Upload) => {
    const query = new URLSearchParams({ target: upload.target, type: 'repository', variant: upload.variant, scope: SCOPE, scannedAt: upload.scannedAt });
    return app.inject({ method: 'POST', url: `/api/scans?${query}`, payload: upload.report, headers: { 'content-type': 'application/json' } });
  };

  /** Uploads all at once, alternating servers; answers every one 201 and returns them in the order their scans were stored. */
  const uploadAtOnce = async (uploads: Upload[]): Promise<Upload[]> => {
    const answers = await Promise.all(uploads.map((u, i) => post(i % 2 === 0 ? first.app : second.app, u)));
    answers.forEach((a, i) => expect(a.statusCode, `${uploads[i]?.target}: ${a.body}`).toBe(201));
    // Then the similar-name hints the first scans queued, refreshed after their commits (catalog/link-hints.ts).
    await Promise.all([first.lantern.linkHints.settled(), second.lantern.linkHints.settled()]);
    const scanIds = answers.map((a) => (a.json() as { scanId: number }).scanId);
    return uploads.map((u, i) => ({ u, id: scanIds[i] as number })).sort((a, b) => a.id - b.id).map(({ u }) => u);
  };

  /** The end state of the same uploads ingested one after another, in that order, into a fresh store with the same catalog. */
  const sequentialState = async (uploads: Upload[]) => {
    const fresh = await startTestServer(kind, { clock });
    try {
      await fresh.lantern.catalog.register(catalogFile, parseScope(SCOPE));
      for (const upload of uploads) expect((await post(fresh.app, upload)).statusCode).toBe(201);
      await fresh.lantern.linkHints.settled();
      return await endState(fresh.lantern.store);
    } finally {
      await fresh.close();
    }
  };

  const expectSummaryAnswersStored = async () => {
    const stored = await first.lantern.store.db.selectFrom('entity_summaries as s').innerJoin('entities as e', 'e.id', 's.entity_id').select(['e.name', 's.total', 's.critical', 's.new_count']).execute();
    expect(stored).toHaveLength(12);
    for (const row of stored) {
      const answer = await second.app.inject({ method: 'GET', url: `/api/insights/entities/component/default/${row.name}/summary` });
      expect(answer.statusCode).toBe(200);
      const summary = answer.json() as { counts: { total: number; critical: number }; new: number };
      expect({ name: row.name, total: summary.counts.total, critical: summary.counts.critical, new: summary.new }).toEqual({ name: row.name, total: row.total, critical: row.critical, new: row.new_count });
    }
  };

  it('eight first scans of eight linked targets at once, through two servers, end as a sequential run does', async () => {
    const uploads = TARGETS.map((target, i) => ({ target, variant: 'main', report: trivyReport(vulns(i, 20 + i)), scannedAt: `2026-11-1${i}T08:00:00.000Z` }));
    const order = await uploadAtOnce(uploads);

    const state = await endState(first.lantern.store);
    expect(state.links.filter((l) => l.matched === 1)).toHaveLength(24);
    expect(state.summaries.every((s) => s.has_data === 1)).toBe(true);
    await expectStoredSummariesLive(first.lantern.store);
    await expectSummaryAnswersStored();
    expectLatestHistoryIsSummary(state);
    await expectStoredReadsComputed(first.lantern);
    expect(withoutHistory(state)).toEqual(withoutHistory(await sequentialState(order)));
  });

  it('uploads to one target at once, of several variants and scanners, end as a sequential run does', async () => {
    const target = TARGETS[2] as string;
    const uploads: Upload[] = Array.from({ length: 8 }, (_, i) => ({
      target,
      variant: ['main', 'develop', 'release-1'][i % 3] as string,
      report: i % 2 === 0 ? trivyReport(vulns(i % 4, 15 + i)) : grypeReport(vulns(i % 3, 12 + i)),
      scannedAt: `2026-11-1${i}T09:00:00.000Z`,
    }));
    const order = await uploadAtOnce(uploads);

    await expectStoredSummariesLive(first.lantern.store);
    await expectSummaryAnswersStored();
    // A full evaluation now finds every stored scorecard result already as it computes it.
    for (const evaluation of await first.lantern.evaluateScorecards(NOW)) expect(evaluation).toMatchObject({ changed: 0, removed: 0 });
    const state = await endState(first.lantern.store);
    expectLatestHistoryIsSummary(state);
    await expectStoredReadsComputed(first.lantern);
    expect(withoutHistory(state)).toEqual(withoutHistory(await sequentialState(order)));
  });
});

describe.skipIf(!POSTGRES_URL)('a transaction that loses a race on PostgreSQL', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore(POSTGRES_URL as string, { schema: `lantern_t${process.env.LANTERN_TEST_RUN ?? 'adhoc'}_${process.pid}_race`, poolSize: 4 });
    await store.db.deleteFrom('orgs').execute();
  });
  afterEach(async () => store.close());

  /** Creates org `acme` unless it exists; on the first attempt another session creates it between the check and the insert. */
  const createOrg = (attempts: number[], options?: { retry: boolean }) =>
    store.transaction(async (trx) => {
      attempts.push(attempts.length + 1);
      const existing = await trx.selectFrom('orgs').select('id').where('identifier', '=', 'acme').executeTakeFirst();
      if (existing) return 'found';
      if (attempts.length === 1) await store.db.insertInto('orgs').values({ identifier: 'acme', created_at: NOW }).execute();
      await trx.insertInto('orgs').values({ identifier: 'acme', created_at: NOW }).execute();
      return 'created';
    }, options);

  it('is run again after a unique violation, and then succeeds', async () => {
    const attempts: number[] = [];
    await expect(createOrg(attempts, { retry: true })).resolves.toBe('found');
    expect(attempts).toEqual([1, 2]);
    expect(await store.db.selectFrom('orgs').select('identifier').execute()).toEqual([{ identifier: 'acme' }]);
  });

  it('is not run again unless asked', async () => {
    const attempts: number[] = [];
    await expect(createOrg(attempts)).rejects.toMatchObject({ code: '23505' });
    expect(attempts).toEqual([1]);
  });
});
if (!POSTGRES_URL) console.warn('[lantern] LANTERN_TEST_DATABASE_URL is not set: the PostgreSQL transaction-retry tests are skipped.');
