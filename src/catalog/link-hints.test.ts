import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { openStore, type Store } from '../store/database.js';
import { LinkHintRefresher, refreshQueuedHints } from './link-hints.js';
import { HINTS_RESOLVED_INLINE, resolveEntityLinks } from './link-resolution.js';

/**
 * A new target near the names of a crowd of waiting links resolves, in its first scan, only the
 * links of its very name; the crowd's similar-name hints are queued in the same transaction and
 * refreshed once it commits (link-hints.ts). What must hold: the scan matches what it can match;
 * after the refresh every link is what a full resolution gives; a target stays queued until a
 * refresh commits (a process that stopped, a refresh that failed), and a scan that rolled back
 * queues nothing.
 */

/** More waiting links of names a few characters apart than a first scan resolves itself. */
const CROWD = Array.from({ length: HINTS_RESOLVED_INLINE + 8 }, (_, k) => `acme/near-${String(k).padStart(3, '0')}`);

function writeCrowd(dir: string): string {
  const docs = CROWD.map((name, k) =>
    ['apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata:', `  name: crowd-${k}`, '  annotations:', `    harness.io/sto-test-target: '${JSON.stringify([{ name }])}'`, 'spec:', '  type: service', '  lifecycle: production', '  owner: team-a'].join('\n'),
  );
  const file = join(dir, 'crowd.yaml');
  writeFileSync(file, `${docs.join('\n---\n')}\n`);
  return file;
}

describeEachStore('similar-name hints refreshed after a first scan commits', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-link-hints-'));
    lantern = new Lantern(await openTestStore(kind));
    await lantern.catalog.register(writeCrowd(dir), parseScope('acme.pay'));
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = (name: string, scope = 'acme.pay') =>
    lantern.ingest({ report: bytes(trivyReport([{ id: 'CVE-2024-1000', pkg: 'lodash', version: '4.17.20', severity: 'HIGH' }])), source: 'trivy.json', target: name, targetType: 'repository', variant: 'main', scope: parseScope(scope) });
  const links = () => lantern.store.db.selectFrom('entity_links').select(['id', 'name', 'matched', 'target_id', 'diagnostics', 'similar_targets']).orderBy('id').execute();
  const queued = async () => (await lantern.store.db.selectFrom('link_hint_refreshes').select('target_id').orderBy('target_id').execute()).map((r) => r.target_id);
  const targetId = async (name: string) => (await lantern.store.db.selectFrom('targets').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  const offering = (rows: Awaited<ReturnType<typeof links>>, id: number) => rows.filter((l) => (JSON.parse(l.similar_targets ?? '[]') as number[]).includes(id));
  /** Every link is what resolving every link against every target gives: that pass changes none. */
  const expectFullyResolved = async () => {
    const now = await links();
    expect(await resolveEntityLinks(lantern.store.db)).toBe(0);
    expect(await links()).toEqual(now);
  };

  it('matches the link of the new name in the scan, and queues the crowd for a refresh that a stopped process leaves to the sweep', async () => {
    // As a process that stops right after its commit: no refresh starts.
    await lantern.linkHints.close();
    const before = await links();
    await ingest('acme/near-005');
    const id = await targetId('acme/near-005');
    const after = await links();
    expect(after.find((l) => l.name === 'acme/near-005')).toMatchObject({ matched: 1, target_id: id });
    // The others are as the scan found them: none offers the new name yet.
    expect(after.filter((l) => l.name !== 'acme/near-005')).toEqual(before.filter((l) => l.name !== 'acme/near-005'));
    expect(offering(after, id)).toEqual([]);
    expect(await queued()).toEqual([id]);

    // The sweep (lantern serve's, every minute) refreshes what is queued, once.
    expect(await refreshQueuedHints(lantern.store)).toBe(1);
    expect(await queued()).toEqual([]);
    expect(offering(await links(), id).length).toBeGreaterThan(0);
    await expectFullyResolved();
    expect(await refreshQueuedHints(lantern.store)).toBe(0);
  });

  it('refreshes them in the background as soon as the scan commits, also after several first scans', async () => {
    await ingest('acme/near-005');
    await ingest('acme/near-017');
    await lantern.linkHints.settled();
    expect(await queued()).toEqual([]);
    const after = await links();
    expect(offering(after, await targetId('acme/near-005')).length).toBeGreaterThan(0);
    expect(offering(after, await targetId('acme/near-017')).length).toBeGreaterThan(0);
    await expectFullyResolved();
  });

  it('resolves in the scan itself the links of a new name that concerns few, queuing nothing', async () => {
    // In another scope the name concerns only the link of the same name, which it tells where it is.
    await lantern.linkHints.close();
    await ingest('acme/near-005', 'acme.other');
    expect(await queued()).toEqual([]);
    expect((await links()).find((l) => l.name === 'acme/near-005')?.diagnostics).toContain('target-in-other-scope');
    await expectFullyResolved();
  });

  it('queues nothing and starts no refresh when the scan rolls back', async () => {
    const kick = vi.spyOn(lantern.linkHints, 'kick');
    const before = await links();
    lantern.afterIngest.push(async () => {
      throw new Error('a hook failed');
    });
    await expect(ingest('acme/near-005')).rejects.toThrow('a hook failed');
    lantern.afterIngest.pop();
    expect(kick).not.toHaveBeenCalled();
    expect(await queued()).toEqual([]);
    expect(await links()).toEqual(before);
  });

  it('reports a refresh that fails, and leaves its target queued for the next one', async () => {
    await lantern.linkHints.close();
    await ingest('acme/near-005');
    const id = await targetId('acme/near-005');
    const failing = new LinkHintRefresher({ ...lantern.store, transaction: () => Promise.reject(new Error('connection terminated')) } as Store);
    const errors: unknown[] = [];
    const runs: Array<{ targets: number; failed: boolean }> = [];
    failing.onError = (error) => errors.push(error);
    failing.onRun = ({ targets, failed }) => runs.push({ targets, failed });
    failing.kick();
    await failing.settled();
    expect(errors.map((e) => (e as Error).message)).toEqual(['connection terminated']);
    expect(runs).toEqual([{ targets: 0, failed: true }]);
    expect(failing.totals).toMatchObject({ targets: 0, failures: 1 });
    expect(await queued()).toEqual([id]);
    const working = new LinkHintRefresher(lantern.store);
    expect(await working.drain()).toBe(1);
    expect(await queued()).toEqual([]);
    await expectFullyResolved();
  });

  // Two server processes on one PostgreSQL database: each refresh takes a target the other has not
  // locked, so both work at once and each target is refreshed once. SQLite serves one process.
  it.skipIf(kind === 'sqlite' || !POSTGRES_URL)('lets two replicas refresh the queue at once, each target once', async () => {
    await lantern.linkHints.close();
    for (const name of ['acme/near-003', 'acme/near-011', 'acme/near-022', 'acme/near-033']) await ingest(name);
    expect(await queued()).toHaveLength(4);
    const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(lantern.store.db)).rows[0]?.schema as string;
    const replica = await openStore(POSTGRES_URL as string, { schema, poolSize: 2 });
    try {
      const done = await Promise.all([refreshQueuedHints(lantern.store), refreshQueuedHints(replica)]);
      expect(done[0] + done[1]).toBe(4);
      expect(await queued()).toEqual([]);
      await expectFullyResolved();
    } finally {
      await replica.close();
    }
  });
});
