import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { linkedComponent, writeCatalogFile } from '../../test/support/catalog-files.js';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { ingestReport, type IngestRequest } from '../ingest/ingest.js';
import { Lantern } from '../lantern.js';
import { openStore, type Store } from '../store/database.js';
import { MAX_HINT_REFRESH_FAILURES, queuedHintRefreshes, takeHintRefresh } from '../store/link-hint-refreshes.js';
import { HintRefreshFailed, LinkHintRefresher, refreshQueuedHints } from './link-hints.js';
import { applyHintRefresh, planHintRefresh, resolveEntityLinks } from './link-resolution.js';

/**
 * The first scan of a new target resolves at once the waiting links that have its name, and
 * queues the similar-name hints of the others, refreshed after its commit (link-hints.ts).
 */

/** Entities waiting for names a few characters apart: each new one is a similar name for all the others. */
const CROWD = 12;
const nearName = (k: number) => `acme/near-${String(k).padStart(2, '0')}`;

function writeCatalog(dir: string): string {
  return writeCatalogFile(
    dir,
    Array.from({ length: CROWD }, (_, k) => linkedComponent({ entity: `near-${k}`, links: [{ name: nearName(k) }] })),
  );
}

describeEachStore('similar-name hints refreshed after the ingest', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-link-hints-'));
    lantern = new Lantern(await openTestStore(kind));
    await lantern.catalog.register(writeCatalog(dir), parseScope('acme.pay'));
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (target: string, n = 0): IngestRequest => ({
    report: bytes(trivyReport([{ id: `CVE-2024-${1000 + n}`, pkg: 'lodash', version: '4.17.20', severity: 'HIGH' }])),
    source: 'trivy.json',
    target,
    targetType: 'repository',
    variant: 'main',
    scope: parseScope('acme.pay'),
  });
  /** An ingest with Lantern's hooks that refreshes nothing after it: a process that stopped at its commit. */
  const ingestAndStop = (target: string, n = 0) => ingestReport(lantern.store, request(target, n), lantern.afterIngest);
  const link = (k: number) =>
    lantern.store.db
      .selectFrom('entity_links')
      .select(['matched', 'target_id', 'diagnostics', 'similar_targets'])
      .where('name', '=', nearName(k))
      .executeTakeFirstOrThrow();
  const codes = async (k: number) => (JSON.parse((await link(k)).diagnostics) as Array<{ code: string }>).map((d) => d.code);
  const offered = async (k: number) => {
    const ids = JSON.parse((await link(k)).similar_targets ?? '[]') as number[];
    if (ids.length === 0) return [];
    return (await lantern.store.db.selectFrom('targets').select('name').where('id', 'in', ids).orderBy('name').execute()).map((t) => t.name);
  };

  it('matches the links that have the name at once, and leaves the hints of the others to the queue', async () => {
    await ingestAndStop(nearName(3));
    const target = await lantern.store.db.selectFrom('targets').select('id').where('name', '=', nearName(3)).executeTakeFirstOrThrow();
    // Committed with the scan: the link that names the target shows it.
    expect(await link(3)).toMatchObject({ matched: 1, target_id: target.id });
    // The others were not rewritten: their hint does not offer the new name yet, and it is queued.
    expect(await codes(4)).toEqual(['target-not-found']);
    expect(await lantern.store.db.selectFrom('link_hint_refreshes').select('target_id').execute()).toEqual([{ target_id: target.id }]);

    expect(await refreshQueuedHints(lantern.store)).toEqual({ targetId: target.id, refreshed: true });
    for (const k of [0, 4, CROWD - 1]) {
      expect(await codes(k)).toEqual(['similar-target']);
      expect(await offered(k)).toEqual([nearName(3)]);
    }
    expect(await link(3)).toMatchObject({ matched: 1, target_id: target.id });
    // Every link is what a full resolution against every target gives, and the queue is empty.
    expect(await resolveEntityLinks(lantern.store.db)).toBe(0);
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(0);
    expect(await refreshQueuedHints(lantern.store)).toBeUndefined();
  });

  it('refreshes after each ingest the hints it queued, and those a stopped process left', async () => {
    await ingestAndStop(nearName(3));
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(1);

    await lantern.ingest(request(nearName(7), 1));
    await lantern.linkHints.settled();
    expect(lantern.linkHints.refreshed).toBe(2);
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(0);
    expect(await offered(5)).toEqual([nearName(3), nearName(7)]);
    expect(await resolveEntityLinks(lantern.store.db)).toBe(0);

    // A rescan and a target near no waiting name queue nothing.
    await lantern.ingest(request(nearName(7), 2));
    await lantern.ingest({ ...request('other/thing', 3), scope: parseScope('other.place') });
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(0);
    await lantern.linkHints.settled();
    expect(lantern.linkHints.refreshed).toBe(2);
  });

  it('closes only once the refresh that follows an ingest is done', async () => {
    await lantern.ingest(request(nearName(3)));
    const store = lantern.store;
    const close = store.close;
    let queuedAtClose = -1;
    // The store's close is where the refresh must be over: the queue is read just before it.
    Object.assign(store, {
      close: async () => {
        queuedAtClose = (await queuedHintRefreshes(store.db)).queued;
        await close();
      },
    });
    await lantern.close();
    expect(queuedAtClose).toBe(0);
    expect(lantern.linkHints.refreshed).toBe(1);
    // For afterEach, which closes the Lantern it finds.
    lantern = new Lantern(await openTestStore(kind));
  });

  it('reports a refresh that fails, and keeps its row queued', async () => {
    await ingestAndStop(nearName(3));
    const failing: Store = { ...lantern.store, transaction: () => Promise.reject(new Error('database unavailable')) };
    const refresher = new LinkHintRefresher(failing);
    const errors: unknown[] = [];
    const outcomes: string[] = [];
    refresher.onError = (error) => errors.push(error);
    refresher.onOutcome = (outcome) => outcomes.push(outcome);
    refresher.kick();
    await refresher.settled();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(/: database unavailable$/);
    expect(outcomes).toEqual(['failed']);
    expect(refresher.refreshed).toBe(0);
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(1);
    // The next kick (here the store's own) refreshes it.
    lantern.linkHints.onOutcome = (outcome) => outcomes.push(outcome);
    lantern.linkHints.kick();
    await lantern.linkHints.settled();
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(0);
    expect(outcomes).toEqual(['failed', 'refreshed']);
    expect(await offered(0)).toEqual([nearName(3)]);
  });

  it('counts a refresh that fails for its target alone, refreshes the others, and gives up on it until a start', async () => {
    // A second group waiting in the scope: one link, far from the crowd's names.
    const soloDir = mkdtempSync(join(tmpdir(), 'lantern-link-hints-solo-'));
    try {
      await lantern.catalog.register(writeCatalogFile(soloDir, [linkedComponent({ entity: 'solo', links: [{ name: 'acme/solo-link' }] })]), parseScope('acme.pay'));
    } finally {
      rmSync(soloDir, { recursive: true, force: true });
    }
    // The crowd's hints offer near-01; then one of them is broken where only a refresh reads it.
    await lantern.ingest(request(nearName(1)));
    await lantern.linkHints.settled();
    await lantern.store.db.updateTable('entity_links').set({ similar_targets: '{broken' }).where('name', '=', nearName(0)).execute();
    await ingestAndStop(nearName(3), 1);
    await ingestAndStop('acme/solo-lnk', 2);
    const id = async (name: string) => (await lantern.store.db.selectFrom('targets').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
    const poisoned = await id(nearName(3));
    const queueRows = () => lantern.store.db.selectFrom('link_hint_refreshes').select(['target_id', 'failures', 'last_error']).orderBy('target_id').execute();
    expect((await queueRows()).map((row) => row.target_id)).toEqual([poisoned, await id('acme/solo-lnk')]);

    const errors: unknown[] = [];
    const outcomes: string[] = [];
    lantern.linkHints.onError = (error) => errors.push(error);
    const givenUp: number[] = [];
    lantern.linkHints.onOutcome = (outcome) => outcomes.push(outcome);
    lantern.linkHints.onGivenUp = (targetId) => givenUp.push(targetId);
    lantern.linkHints.kick();
    await lantern.linkHints.settled();
    // Queued first, the broken target failed; the one behind it was refreshed all the same.
    expect(outcomes).toEqual(['failed', 'refreshed']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(HintRefreshFailed);
    expect((errors[0] as HintRefreshFailed).targetId).toBe(poisoned);
    expect(await lantern.store.db.selectFrom('entity_links').select('diagnostics').where('name', '=', 'acme/solo-link').executeTakeFirstOrThrow()).toMatchObject({
      diagnostics: expect.stringContaining('acme/solo-lnk'),
    });
    const [row] = await queueRows();
    expect(row).toMatchObject({ target_id: poisoned, failures: 1 });
    expect(row?.last_error).toMatch(/JSON/);

    // Each later refresh tries it once more, until it has failed MAX_HINT_REFRESH_FAILURES times.
    for (let k = 1; k < MAX_HINT_REFRESH_FAILURES; k++) {
      lantern.linkHints.kick();
      await lantern.linkHints.settled();
    }
    expect(await queuedHintRefreshes(lantern.store.db)).toEqual({ queued: 1, givenUp: 1 });
    expect(givenUp).toEqual([poisoned]);
    expect(outcomes.filter((outcome) => outcome === 'failed')).toHaveLength(MAX_HINT_REFRESH_FAILURES);
    lantern.linkHints.kick();
    await lantern.linkHints.settled();
    expect(outcomes.filter((outcome) => outcome === 'failed')).toHaveLength(MAX_HINT_REFRESH_FAILURES);
    expect((await queueRows())[0]?.failures).toBe(MAX_HINT_REFRESH_FAILURES);

    // Once the cause is gone, a server's start takes it again.
    await lantern.store.db.updateTable('entity_links').set({ similar_targets: null }).where('name', '=', nearName(0)).execute();
    lantern.linkHints.start();
    await lantern.linkHints.settled();
    expect(outcomes.at(-1)).toBe('refreshed');
    expect(await queuedHintRefreshes(lantern.store.db)).toEqual({ queued: 0, givenUp: 0 });
    expect(await offered(0)).toEqual([nearName(1), nearName(3)]);
    expect(await resolveEntityLinks(lantern.store.db)).toBe(0);
  });

  it('writes a refresh weighed before another target changed its links as if weighed after it', async () => {
    await ingestAndStop(nearName(3), 1);
    const id = async (name: string) => (await lantern.store.db.selectFrom('targets').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
    const first = await id(nearName(3));
    // Weighed, not yet written: then near-07 arrives and its refresh rewrites the same hints.
    const plan = await planHintRefresh(lantern.store.db, first);
    expect(plan.changes.map((change) => change.after.name)).toContain(nearName(0));
    await ingestAndStop(nearName(7), 2);
    expect(await refreshQueuedHints(lantern.store, new Set([first]))).toEqual({ targetId: await id(nearName(7)), refreshed: true });
    // A hint offers what its link knew and the new name: near-03's refresh is still to be written.
    expect(await offered(0)).toEqual([nearName(7)]);
    await lantern.store.transaction(async (trx) => {
      expect(await takeHintRefresh(trx, first)).toBe(true);
      await applyHintRefresh(trx, first, plan);
    });
    // Written as the plan had it, near-07 would be gone from the hints.
    expect(await offered(0)).toEqual([nearName(3), nearName(7)]);
    expect(await resolveEntityLinks(lantern.store.db)).toBe(0);
    // A plan whose row another refresh took writes nothing.
    expect(await lantern.store.transaction((trx) => takeHintRefresh(trx, first))).toBe(false);
  });

  it('refreshes on a timer what no ingest kicked', async () => {
    await ingestAndStop(nearName(3));
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(1);
    const stop = lantern.linkHints.every(10);
    try {
      for (let waited = 0; (await queuedHintRefreshes(lantern.store.db)).queued > 0 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      stop();
    }
    await lantern.linkHints.settled();
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(0);
    expect(lantern.linkHints.refreshed).toBe(1);
    expect(await offered(0)).toEqual([nearName(3)]);
  });

  it('refreshes each queued target once when two processes refresh at the same time', async () => {
    for (const k of [1, 4, 8, 10]) await ingestAndStop(nearName(k), k);
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(4);
    let other: Store = lantern.store;
    if (kind === 'postgres') {
      const schema = (await lantern.store.db.selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s')).executeTakeFirstOrThrow()).s;
      other = await openStore(POSTGRES_URL as string, { schema, poolSize: 4 });
    }
    try {
      const drain = async (store: Store) => {
        let refreshed = 0;
        for (let done = await refreshQueuedHints(store); done !== undefined; done = await refreshQueuedHints(store)) if (done.refreshed) refreshed++;
        return refreshed;
      };
      const counts = await Promise.all([drain(lantern.store), drain(other)]);
      expect(counts[0] + counts[1]).toBe(4);
    } finally {
      if (other !== lantern.store) await other.close();
    }
    expect((await queuedHintRefreshes(lantern.store.db)).queued).toBe(0);
    expect(await offered(6)).toEqual([nearName(1), nearName(4), nearName(8)]);
    expect(await resolveEntityLinks(lantern.store.db)).toBe(0);
  });
});
