import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { reusedStatement } from './reused-statement.js';
import { latestScanBefore } from './scans.js';

const finding = (k: number) => ({ id: `CVE-2024-${10000 + k}`, pkg: `pkg-${k}`, version: '1.0.0', severity: 'HIGH' as const });

describeEachStore('statements compiled once and reused', (kind: StoreKind) => {
  let lantern: Lantern;
  beforeEach(async () => {
    lantern = new Lantern(await openTestStore(kind));
  });
  afterEach(() => lantern.close());

  it('gives each call the rows of the same query built for its values, with the constants of the build kept', async () => {
    for (const [variant, n] of [['main', 1], ['main', 2], ['main', 3], ['v2', 4], ['v2', 5], ['v2', 6]] as const) {
      await lantern.ingest({ report: bytes(trivyReport([finding(n)])), source: 'trivy.json', target: 'acme/api', targetType: 'repository', variant, scope: parseScope('acme.pay') });
    }
    const scans = await lantern.store.db.selectFrom('scans').select(['id', 'variant_id', 'scanner']).orderBy('id').execute();
    expect(scans).toHaveLength(6);
    // The build's own constant (limit 1) stays one whatever the call's values.
    const latest = reusedStatement((db, variantId: number, scanner: string, before: number) =>
      db.selectFrom('scans').selectAll().where('variant_id', '=', variantId).where('scanner', '=', scanner).where('id', '<', before).orderBy('id', 'desc').limit(1),
    );
    const calls: Array<[number, string, number]> = [];
    for (const scan of scans) for (const scanner of [scan.scanner, 'grype']) for (const before of [scan.id, scan.id + 1, 1_000_000]) calls.push([scan.variant_id, scanner, before]);
    let found = 0;
    for (const [variantId, scanner, before] of calls) {
      const { rows } = await latest(lantern.store.db, variantId, scanner, before);
      const expected = await latestScanBefore(lantern.store.db, variantId, scanner, before);
      expect(rows).toEqual(expected ? [expected] : []);
      if (expected) found++;
    }
    expect(found).toBeGreaterThan(12);
    // Inside a transaction too, on its connection.
    const last = scans[2] as (typeof scans)[number];
    const inside = await lantern.store.transaction((trx) => latest(trx, last.variant_id, last.scanner, last.id));
    expect(inside.rows.map((r) => r.id)).toEqual([scans[1]?.id]);
  });

  it('refuses a build that leaves one of its parameters out of the statement', async () => {
    const byId = reusedStatement((db, id: number, _scanner: string) => db.selectFrom('scans').selectAll().where('id', '=', id));
    await expect(byId(lantern.store.db, 1, 'trivy')).rejects.toThrow(/^reusedStatement: parameter 2 of 2 is not a value of the compiled statement/);
  });
});
