import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { overview } from './overview.js';
import { computedTrend, type TrendPoint, trend } from './trend.js';

const v = (id: string, pkg: string, severity: Vulnerability['severity']): Vulnerability => ({ id, pkg, version: '1.0.0', severity });
const critical = v('CVE-2021-44228', 'log4j-core', 'CRITICAL');
const high = v('CVE-2022-0778', 'openssl', 'HIGH');
const medium = v('CVE-2022-24785', 'moment', 'MEDIUM');
const low = v('CVE-2022-22965', 'spring-beans', 'LOW');

/** A component showing these targets; `shop/…` names a target of the project shop, else its own project's. */
const component = (name: string, targets: string[]) =>
  [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    `  name: ${name}`,
    '  annotations:',
    '    harness.io/sto-test-target:',
    ...targets.map((t) => (t.startsWith('shop/') ? `      - name: ${t.slice(5)}\n        scope: shop` : `      - name: ${t}`)),
    'spec:',
    '  type: service',
    '  lifecycle: production',
    '  owner: team-a',
    '',
  ].join('\n');

const counts = (c: number, h: number, m: number, l: number) => ({ critical: c, high: h, medium: m, low: l, info: 0, total: c + h + m + l });

/*
 * Two components show one image (acme/image) besides their own repository. Each row of the
 * dashboard keeps its own counts; the trend, like the dashboard's totals, counts the image's issues once.
 *   Nov 18: the image has critical+high, web medium, api low   -> own 3 + 3, distinct 4
 *   Nov 20: the image has critical only                        -> own 2 + 2, distinct 3
 */
describeEachStore('the dashboard trend', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;
  let clock = '2026-11-18T09:00:00.000Z';
  const NOW = '2026-11-20T12:00:00.000Z';

  const ingest = (target: string, vulnerabilities: Vulnerability[], scannedAt: string, options: { variant?: string; scope?: string } = {}) =>
    lantern.ingest({
      report: bytes(trivyReport(vulnerabilities)),
      source: 'trivy.json',
      target,
      targetType: 'container',
      variant: options.variant ?? 'latest',
      scope: parseScope(options.scope ?? 'acme.shop'),
      baseline: options.variant === undefined,
      scannedAt,
    });

  beforeEach(async () => {
    clock = '2026-11-18T09:00:00.000Z';
    lantern = new Lantern(await openTestStore(kind), { clock: () => clock });
    dir = mkdtempSync(join(tmpdir(), 'lantern-trend-'));
    writeFileSync(join(dir, 'catalog-info.yaml'), [component('web', ['acme/image', 'acme/web']), component('api', ['acme/image', 'acme/api'])].join('---\n'));
    await ingest('acme/image', [critical, high], '2026-11-18T08:00:00.000Z');
    await ingest('acme/web', [medium], '2026-11-18T08:00:00.000Z');
    await ingest('acme/api', [low], '2026-11-18T08:00:00.000Z');
    expect((await lantern.registerLocation(dir, parseScope('acme.shop'))).problems).toEqual([]);
    clock = NOW;
    await ingest('acme/image', [critical], '2026-11-20T08:00:00.000Z');
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts each issue once per day, however many entities show it; its last day is the dashboard total', async () => {
    const points = await trend(lantern.store.db, { days: 4, now: NOW });
    expect(points.map((p) => p.date)).toEqual(['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
    expect(points.map((p) => p.withData)).toEqual([0, 2, 2, 2]);
    const { date: _17, withData: _w17, ...before } = points[0] as (typeof points)[number];
    expect(before).toEqual(counts(0, 0, 0, 0));
    expect(points.slice(1).map(({ date: _date, withData: _withData, ...c }) => c)).toEqual([counts(1, 1, 1, 1), counts(1, 1, 1, 1), counts(1, 0, 1, 1)]);

    const dashboard = await overview(lantern.store.db, { now: NOW });
    const { date: _20, withData: _w20, ...last } = points.at(-1) as (typeof points)[number];
    expect(last).toEqual(dashboard.totals.counts);
    // Each entity's own row still counts the image's issue: the rows add up to more than the total.
    expect(dashboard.items.reduce((sum, row) => sum + (row.counts?.total ?? 0), 0)).toBe(4);
  });

  it("keeps an entity's own trend its own", async () => {
    const web = await lantern.store.db.selectFrom('entities').select('id').where('name', '=', 'web').executeTakeFirstOrThrow();
    const points = await trend(lantern.store.db, { days: 3, entityIds: [web.id], now: NOW });
    expect(points.map((p) => p.total)).toEqual([3, 3, 2]);
  });

  it('reads from stored sums what it computes from every history row, through history rewrites, exemptions, baselines, new, moved and removed entities, in any scopes', async () => {
    const scopes: Array<Parameters<typeof trend>[1]['scopes']> = [
      undefined,
      { all: false, orgs: [], projects: ['acme.shop'] },
      { all: false, orgs: [], projects: ['acme.other'] },
      { all: false, orgs: ['acme'], projects: [] },
      { all: false, orgs: ['beta'], projects: [] },
    ];
    const same = async (step: string) => {
      for (const filter of scopes) {
        for (const days of [1, 5, 40]) {
          const options = { days, scopes: filter, now: clock };
          expect(await trend(lantern.store.db, options), `${step}, ${JSON.stringify(filter)}, ${days} days`).toEqual(await computedTrend(lantern.store.db, options));
        }
      }
      // The last day is still the dashboard's distinct total.
      const { date: _d, withData: _w, ...last } = (await trend(lantern.store.db, { days: 1, now: clock })).at(-1) as TrendPoint;
      expect(last, step).toEqual((await overview(lantern.store.db, { now: clock })).totals.counts);
    };
    await same('two entities sharing an image');

    // A scan dated before stored history supersedes the history after it.
    await ingest('acme/web', [medium, low], '2026-11-19T08:00:00.000Z');
    await same('a scan dated the day before');
    await ingest('acme/api', [], '2026-11-17T08:00:00.000Z');
    await same('a scan dated three days before');

    // A third entity in another project shows the image too, and its own target.
    const other = mkdtempSync(join(tmpdir(), 'lantern-trend-'));
    try {
      writeFileSync(join(other, 'catalog-info.yaml'), component('batch', ['shop/acme/image', 'acme/batch']));
      await ingest('acme/batch', [high, medium], '2026-11-20T10:00:00.000Z', { scope: 'acme.other' });
      const { location, problems } = await lantern.registerLocation(other, parseScope('acme.other'));
      expect(problems).toEqual([]);
      // The image's critical once, web's two (the scan dated the 19th is its latest), batch's two.
      expect((await trend(lantern.store.db, { days: 1, now: clock })).map((p) => p.total)).toEqual([5]);
      await same('a sharer in another project');

      // A variant made the baseline changes what the entities show.
      await ingest('acme/image', [low], '2026-11-20T11:00:00.000Z', { variant: 'next' });
      const image = await lantern.store.db.selectFrom('targets').select('id').where('name', '=', 'acme/image').executeTakeFirstOrThrow();
      await lantern.setBaseline(image.id, { variant: 'next' });
      await same('a new baseline');

      // An approved exemption hides an issue.
      const issue = await lantern.store.db.selectFrom('issues').select('id').where('target_id', '=', image.id).where('vulnerability_id', '=', low.id).executeTakeFirstOrThrow();
      const exemption = await lantern.requestExemption({ issueId: issue.id, reason: 'false_positive', comment: 'Not in the image.' });
      await lantern.decideExemption(exemption.id, 'approved');
      await same('an approved exemption');

      // An entity that moves to another scope takes its history with it.
      await lantern.store.db.updateTable('entities').set({ scope: 'beta.jobs' }).where('name', '=', 'batch').execute();
      await same('an entity moved to another org');
      await lantern.store.db.updateTable('entities').set({ scope: 'acme.other' }).where('name', '=', 'batch').execute();

      await lantern.unregisterLocation(location.id);
      await same('a removed entity');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
