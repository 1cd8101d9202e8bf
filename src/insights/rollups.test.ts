import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';

/*
 * entity_rollups is kept by triggers (store/migrations/0007-scale-reads.ts); after every kind of
 * change it must equal the same sums computed live from every entity and its stored summary.
 */
const v = (id: string, pkg: string, severity: Vulnerability['severity']): Vulnerability => ({ id, pkg, version: '1.0.0', severity });
const lodash = v('CVE-2021-23337', 'lodash', 'HIGH');
const minimist = v('CVE-2021-44906', 'minimist', 'CRITICAL');
const qs = v('CVE-2022-24999', 'qs', 'MEDIUM');

describeEachStore('maintained entity rollups', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;

  const ingest = (target: string, scope: string, variant: string, vulnerabilities: Vulnerability[], baseline = false) =>
    lantern.ingest({ report: new TextEncoder().encode(trivyReport(vulnerabilities)), source: 'test', target, targetType: 'repository', variant, scope: parseScope(scope), baseline });

  const stored = async () =>
    (await lantern.store.db.selectFrom('entity_rollups').selectAll().where('entities', '>', 0).orderBy('scope').orderBy('owner_ref').orderBy('system_ref').orderBy('domain_ref').execute()).map((r) => ({
      ...r,
      entities: Number(r.entities),
    }));
  const live = async () =>
    (
      await sql<{ scope: string; owner_ref: string; system_ref: string; domain_ref: string; entities: number; with_data: number; critical: number; high: number; medium: number; low: number; info: number }>`
        select e.scope, coalesce(e.owner_ref, '') as owner_ref, coalesce(e.system_ref, '') as system_ref, coalesce(e.domain_ref, '') as domain_ref,
          count(*) as entities, sum(coalesce(s.has_data, 0)) as with_data, sum(coalesce(s.critical, 0)) as critical, sum(coalesce(s.high, 0)) as high,
          sum(coalesce(s.medium, 0)) as medium, sum(coalesce(s.low, 0)) as low, sum(coalesce(s.info, 0)) as info
        from entities e left join entity_summaries s on s.entity_id = e.id
        group by e.scope, coalesce(e.owner_ref, ''), coalesce(e.system_ref, ''), coalesce(e.domain_ref, '')
        order by 1, 2, 3, 4`.execute(lantern.store.db)
    ).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, value]) => [k, typeof value === 'string' && !k.endsWith('_ref') && k !== 'scope' ? Number(value) : value])));
  const expectMaintained = async () => {
    const expected = await live();
    expect(expected.length).toBeGreaterThan(0);
    expect(await stored()).toEqual(expected);
  };

  beforeEach(async () => {
    lantern = new Lantern(await openTestStore(kind), { allowSelfApproval: true });
    dir = mkdtempSync(join(tmpdir(), 'lantern-rollups-'));
    cpSync(join(import.meta.dirname, 'testdata/catalog'), dir, { recursive: true });
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('equals the live sums after ingests, baseline changes, exemptions, catalog refreshes and unregistering', async () => {
    await ingest('acme/payments', 'acme.payments', 'main', [lodash, minimist]);
    const { location } = await lantern.catalog.register(join(dir, 'locations.yaml'), parseScope('acme.payments'));
    await expectMaintained();
    expect((await stored()).reduce((n, r) => n + r.critical, 0)).toBe(1);

    // A new scan, a new linked target, another variant made the baseline.
    await ingest('acme/payments', 'acme.payments', 'main', [lodash, qs]);
    await ingest('acme/billing', 'acme.payments', 'main', [minimist]);
    await expectMaintained();
    const payments = await lantern.store.db.selectFrom('targets').select('id').where('name_key', '=', 'acme/payments').executeTakeFirstOrThrow();
    await ingest('acme/payments', 'acme.payments', 'release', [minimist]);
    await lantern.setBaseline(payments.id, { variant: 'release' });
    await expectMaintained();

    // An approved exemption takes its issue out of the counts.
    const issue = await lantern.store.db.selectFrom('issues').select('id').where('target_id', '=', payments.id).where('vulnerability_id', '=', minimist.id).executeTakeFirstOrThrow();
    const exemption = await lantern.requestExemption({ issueId: issue.id, reason: 'accepted_risk', comment: 'Not reachable.' });
    await lantern.decideExemption(exemption.id, 'approved');
    await expectMaintained();

    // A refresh that moves an entity to another owner and system, and removes another.
    const file = join(dir, 'catalog-info.yaml');
    const yaml = readFileSync(file, 'utf8');
    const docs = yaml.split('\n---\n');
    const edited = docs
      .filter((doc) => !doc.includes('name: no-links'))
      .map((doc) => (doc.includes('name: payments-api') ? doc.replace('owner: team-pay', 'owner: team-shop').replace('system: payments', 'system: other') : doc));
    expect(edited.length).toBe(docs.length - 1);
    writeFileSync(file, edited.join('\n---\n'));
    await lantern.refreshLocation(location.id);
    await expectMaintained();
    await lantern.store.db.updateTable('entities').set({ owner_ref: 'group:default/elsewhere', system_ref: null }).where('name', '=', 'payments-api').execute();
    await expectMaintained();

    await lantern.unregisterLocation(location.id);
    const left = await lantern.store.db.selectFrom('entity_rollups').selectAll().execute();
    expect(left.every((r) => [r.entities, r.with_data, r.critical, r.high, r.medium, r.low, r.info].every((n) => Number(n) === 0))).toBe(true);
  });
});
