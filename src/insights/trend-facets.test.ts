import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { expectFillGivesKeptRows } from '../../test/support/trend-facets.js';
import { parseScope } from '../domain/scope.js';
import { buildServer } from '../api/server.js';
import { Lantern } from '../lantern.js';
import { refMatches } from '../scorecards/scorecard.js';
import { computedTrend, type TrendFilter, trend } from './trend.js';

const v = (id: string, pkg: string, severity: Vulnerability['severity']): Vulnerability => ({ id, pkg, version: '1.0.0', severity });
const critical = v('CVE-2021-44228', 'log4j-core', 'CRITICAL');
const high = v('CVE-2022-0778', 'openssl', 'HIGH');
const medium = v('CVE-2022-24785', 'moment', 'MEDIUM');
const low = v('CVE-2022-22965', 'spring-beans', 'LOW');

interface Component {
  name: string;
  kind?: string;
  type: string;
  lifecycle: string;
  owner: string;
  system?: string;
  tags?: string[];
  targets: string[];
}

const yaml = (c: Component) =>
  [
    'apiVersion: backstage.io/v1alpha1',
    `kind: ${c.kind ?? 'Component'}`,
    'metadata:',
    `  name: ${c.name}`,
    ...(c.tags ? ['  tags:', ...c.tags.map((t) => `    - ${t}`)] : []),
    '  annotations:',
    '    harness.io/sto-test-target:',
    ...c.targets.map((t) => `      - name: ${t}`),
    'spec:',
    `  type: ${c.type}`,
    `  lifecycle: ${c.lifecycle}`,
    `  owner: ${c.owner}`,
    ...(c.system ? [`  system: ${c.system}`] : []),
    '',
  ].join('\n');

/*
 * web and api (team-a, system shop) show one image; db (group:other/team-a, system billing) shows it
 * too; cli (a user) shows its own repository only. A filter on team-a has web and api sharing the image,
 * one on billing has db alone with it: the shared-target rule holds within the filtered set.
 */
const CATALOG: Component[] = [
  { name: 'web', type: 'service', lifecycle: 'production', owner: 'team-a', system: 'shop', tags: ['java'], targets: ['acme/image', 'acme/web'] },
  { name: 'api', kind: 'Resource', type: 'openapi', lifecycle: 'experimental', owner: 'team-a', system: 'shop', targets: ['acme/image', 'acme/api'] },
  { name: 'db', type: 'Service', lifecycle: 'production', owner: 'group:other/team-a', system: 'billing', tags: ['sql'], targets: ['acme/image', 'acme/db'] },
  { name: 'cli', type: 'library', lifecycle: 'Production', owner: 'user:default/bob', tags: ['java'], targets: ['acme/cli'] },
];

/** Every filter the stored rows serve, and some they do not (several facets, tags, no match). */
const FILTERS: TrendFilter[] = [
  { kind: ['component'] },
  { kind: ['resource', 'Component'] },
  { type: ['service'] },
  { type: ['library', 'openapi'] },
  { lifecycle: ['production'] },
  { lifecycle: ['experimental', 'PRODUCTION'] },
  { owner: ['team-a'] },
  { owner: ['group:default/team-a'] },
  { owner: ['group:other/team-a', 'group:default/team-a'] },
  { owner: ['team-a', 'group:default/team-a', 'user:default/bob'] },
  { owner: ['team-b'] },
  { owner: [] },
  { system: ['shop'] },
  { system: ['system:default/billing', 'shop'] },
  { kind: ['component'], owner: ['team-a'] },
  { tag: ['java'] },
  { tag: ['java'], lifecycle: ['production'] },
];

describeEachStore('the dashboard trend filtered by facet', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;
  let location: number;
  let clock = '2026-11-18T09:00:00.000Z';
  const NOW = '2026-11-20T12:00:00.000Z';

  const ingest = (target: string, vulnerabilities: Vulnerability[], scannedAt: string, options: { variant?: string } = {}) =>
    lantern.ingest({
      report: bytes(trivyReport(vulnerabilities)),
      source: 'trivy.json',
      target,
      targetType: 'container',
      variant: options.variant ?? 'latest',
      scope: parseScope('acme.shop'),
      baseline: options.variant === undefined,
      scannedAt,
    });
  const writeCatalog = (entities: Component[]) => writeFileSync(join(dir, 'catalog-info.yaml'), entities.map(yaml).join('---\n'));

  beforeEach(async () => {
    clock = '2026-11-18T09:00:00.000Z';
    lantern = new Lantern(await openTestStore(kind), { clock: () => clock });
    dir = mkdtempSync(join(tmpdir(), 'lantern-trend-facets-'));
    writeCatalog(CATALOG);
    await ingest('acme/image', [critical, high], '2026-11-18T08:00:00.000Z');
    await ingest('acme/web', [medium], '2026-11-18T08:00:00.000Z');
    await ingest('acme/api', [low], '2026-11-18T08:00:00.000Z');
    await ingest('acme/db', [medium, low], '2026-11-18T08:00:00.000Z');
    await ingest('acme/cli', [high], '2026-11-18T08:00:00.000Z');
    const registered = await lantern.registerLocation(dir, parseScope('acme.shop'));
    expect(registered.problems).toEqual([]);
    location = registered.location.id;
    clock = NOW;
    await ingest('acme/image', [critical], '2026-11-20T08:00:00.000Z');
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The entities the filter picks, matched here in JavaScript as the scorecard pages match them. */
  const picked = async (filter: TrendFilter): Promise<number[]> => {
    const entities = await lantern.store.db.selectFrom('entities').select(['id', 'kind', 'type', 'lifecycle', 'owner_ref', 'system_ref', 'tags']).execute();
    const oneOf = (value: string | null, wanted: readonly string[] | undefined) => wanted === undefined || (value !== null && wanted.some((w) => w.toLowerCase() === value.toLowerCase()));
    return entities
      .filter(
        (e) =>
          oneOf(e.kind, filter.kind) &&
          oneOf(e.type, filter.type) &&
          oneOf(e.lifecycle, filter.lifecycle) &&
          (filter.owner === undefined || refMatches(e.owner_ref, filter.owner)) &&
          (filter.system === undefined || refMatches(e.system_ref, filter.system)) &&
          (filter.tag === undefined || (JSON.parse(e.tags) as string[]).some((t) => oneOf(t, filter.tag))),
      )
      .map((e) => e.id);
  };

  const same = async (step: string) => {
    for (const scopes of [undefined, { all: false, orgs: [], projects: ['acme.shop'] }, { all: false, orgs: ['beta'], projects: [] }]) {
      for (const filter of FILTERS) {
        for (const days of [1, 5]) {
          const got = await trend(lantern.store.db, { days, scopes, filter, now: clock });
          const want = await computedTrend(lantern.store.db, { days, scopes, entityIds: await picked(filter), now: clock });
          expect(got, `${step}, ${JSON.stringify(filter)}, ${JSON.stringify(scopes)}, ${days} days`).toEqual(want);
        }
      }
    }
  };

  it('counts the shared image once within the filtered entities', async () => {
    const total = async (filter: TrendFilter) => (await trend(lantern.store.db, { days: 1, filter, now: NOW })).map((p) => [p.withData, p.total]);
    // web (medium), api (low), the image (critical) once.
    expect(await total({ owner: ['group:default/team-a'] })).toEqual([[2, 3]]);
    // The bare name matches db's owner in another namespace too: its own medium and low, and the image once.
    expect(await total({ owner: ['team-a'] })).toEqual([[3, 5]]);
    expect(await total({ system: ['billing'] })).toEqual([[1, 3]]);
    expect(await total({ owner: ['team-b'] })).toEqual([[0, 0]]);

    // The API takes the overview's filters, comma-separated.
    const app = await buildServer(lantern, { auth: { anonymous: { role: 'viewer', scope: 'account' } }, webRoot: false });
    try {
      const get = (query: string) => app.inject({ method: 'GET', url: `/api/insights/trend?days=3&${query}` });
      const filtered = await get('owner=team-a,user:default/bob&lifecycle=production');
      expect(filtered.statusCode).toBe(200);
      expect(filtered.json()).toEqual({ points: await trend(lantern.store.db, { days: 3, now: NOW, filter: { owner: ['team-a', 'user:default/bob'], lifecycle: ['production'] } }) });
      expect((filtered.json() as { points: Array<{ withData: number }> }).points.at(-1)?.withData).toBe(3);
      expect((await get('system=shop')).json()).toEqual({ points: await trend(lantern.store.db, { days: 3, now: NOW, filter: { system: ['shop'] } }) });
    } finally {
      await app.close();
    }
  });

  it('reads from stored rows what it computes from the filtered entities\' history, through backdated scans, baselines, exemptions, facet changes and removal', async () => {
    await same('as registered');

    await ingest('acme/web', [medium, low], '2026-11-19T08:00:00.000Z');
    await ingest('acme/db', [], '2026-11-17T08:00:00.000Z');
    await same('backdated scans');

    await ingest('acme/image', [low], '2026-11-20T11:00:00.000Z', { variant: 'next' });
    const image = await lantern.store.db.selectFrom('targets').select('id').where('name', '=', 'acme/image').executeTakeFirstOrThrow();
    await lantern.setBaseline(image.id, { variant: 'next' });
    await same('a new baseline');

    const issue = await lantern.store.db.selectFrom('issues').select('id').where('target_id', '=', image.id).where('vulnerability_id', '=', low.id).executeTakeFirstOrThrow();
    const exemption = await lantern.requestExemption({ issueId: issue.id, reason: 'false_positive', comment: 'Not in the image.' });
    await lantern.decideExemption(exemption.id, 'approved');
    await same('an approved exemption');

    // A catalog refresh moves api to another team, system and lifecycle, and cli to another kind.
    writeCatalog(CATALOG.map((c) => (c.name === 'api' ? { ...c, owner: 'team-b', system: 'billing', lifecycle: 'production' } : c.name === 'cli' ? { ...c, kind: 'Resource' } : c)));
    await lantern.refreshLocation(location);
    expect((await lantern.store.db.selectFrom('entities').select('owner_ref').where('name', '=', 'api').executeTakeFirstOrThrow()).owner_ref).toBe('group:default/team-b');
    await same('facets changed by a catalog refresh');

    await lantern.store.db.updateTable('entities').set({ scope: 'beta.jobs' }).where('name', '=', 'db').execute();
    await same('an entity moved to another org');
    await lantern.evaluateScorecards(clock);
    await expectFillGivesKeptRows(lantern.store.db, kind === 'postgres');
    await same('filled from the history');

    writeCatalog(CATALOG.filter((c) => c.name !== 'web'));
    await lantern.refreshLocation(location);
    await same('an entity removed by a refresh');

    await lantern.unregisterLocation(location);
    await same('every entity removed');
  });
});
