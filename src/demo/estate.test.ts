import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lantern as cli } from '../../test/support/cli.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { readCatalog } from '../catalog/read.js';
import { readYamlValue } from '../catalog/yaml-source.js';
import { trend } from '../insights/trend.js';
import { Lantern } from '../lantern.js';
import type { Store } from '../store/database.js';
import { linksOfEntity, type TargetLinkView } from '../store/target-links.js';
import { buildDemoEstate, DEMO_CATALOG, DEMO_CATALOG_SCOPE, DemoClock, type DemoEstateSummary, demoLanternOptions } from './estate.js';
import { demoReports } from './reports.js';
import { DEMO_TARGETS } from './targets.js';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('the demo catalog', () => {
  it('is found next to the package, not in the working folder', () => {
    expect(isAbsolute(DEMO_CATALOG)).toBe(true);
    expect(DEMO_CATALOG.replace(/\\/g, '/')).toMatch(/\/examples\/demo\/catalog\/catalog-info\.yaml$/);
    expect(existsSync(DEMO_CATALOG)).toBe(true);
  });

  it('validates with no error and no warning', async () => {
    const result = await cli(['catalog', 'validate', DEMO_CATALOG, '--scope', 'acme.pay', '--db', `${DEMO_CATALOG}.absent.db`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\n21 entities: 0 errors, 0 warnings; 20 target links, not checked');
  });

  it('uses every annotation form, every scope form, and implicit repository targets on four hosts both ways', async () => {
    const { entities } = await readCatalog(DEMO_CATALOG, { scope: DEMO_CATALOG_SCOPE });
    const annotations = entities.map((e) => e.entity.metadata.annotations?.['harness.io/sto-test-target']).filter((a) => a !== undefined);
    const strings = annotations.filter((a): a is string => typeof a === 'string');
    // Formats of the annotation: a YAML list, a string holding JSON, a string holding YAML.
    expect(annotations.some(Array.isArray)).toBe(true);
    expect(strings.some((a) => a.trim().startsWith('['))).toBe(true);
    expect(strings.some((a) => a.trim().startsWith('- '))).toBe(true);
    // Scope forms as written: absent, account, P, O.P and account.O.P; with and without a variant.
    const entries = annotations.flatMap((a) => (typeof a === 'string' ? readYamlValue(a) : a) as Array<{ scope?: string; variant?: string }>);
    const forms = new Set(entries.map(({ scope }) => (scope === undefined ? 'absent' : scope === 'account' ? 'account' : scope.startsWith('account.') ? 'account.O.P' : scope.includes('.') ? 'O.P' : 'P')));
    expect(forms).toEqual(new Set(['absent', 'account', 'P', 'O.P', 'account.O.P']));
    expect(entries.some((e) => e.variant) && entries.some((e) => !e.variant)).toBe(true);
    // Implicit repository targets: from spec.sourceCode.url and from backstage.io/source-location.
    const implicit = entities.flatMap((e) => e.linkSpecs.filter((s) => s.origin === 'source-url').map((s) => ({ name: s.name, harness: e.format === 'harness' })));
    expect(implicit.map((i) => i.name).sort()).toEqual(['acme-pay/fraud-detector', 'acme-pay/payments-api', 'acme-pay/platform', 'acme-pay/web/storefront/checkout-web', 'acme/platform/notifications']);
    expect(implicit.some((i) => i.harness) && implicit.some((i) => !i.harness)).toBe(true);
    expect(new Set(entities.map((e) => e.format))).toEqual(new Set(['backstage', 'harness']));
  });
});

describeEachStore('the demo estate', (kind: StoreKind) => {
  let store: Store;
  let summary: DemoEstateSummary;
  const links = async (ref: string): Promise<TargetLinkView[]> => {
    const entity = await store.db.selectFrom('entities').select('id').where('ref', '=', ref).executeTakeFirstOrThrow();
    return linksOfEntity(store.db, entity.id);
  };

  beforeAll(async () => {
    store = await openTestStore(kind);
    const clock = new DemoClock();
    summary = await buildDemoEstate(new Lantern(store, demoLanternOptions(clock)), { now: NOW, clock });
    // After the build the clock reads the real time again, as the served demo needs.
    expect(Math.abs(Date.parse(clock.now()) - Date.now())).toBeLessThan(60_000);
  });
  afterAll(() => store?.close());

  it('has scorecards with passing, failing and no-data entities, and their history over several days', async () => {
    const results = await store.db
      .selectFrom('scorecard_results')
      .innerJoin('entities', 'entities.id', 'scorecard_results.entity_id')
      .select(['scorecard_id', 'entities.ref', 'score', 'passed', 'failed', 'unknown'])
      .execute();
    const result = (scorecard: string, ref: string) => results.find((r) => r.scorecard_id === scorecard && r.ref === ref);
    expect(new Set(results.map((r) => r.scorecard_id))).toEqual(new Set(['security-baseline', 'production-readiness', 'catalog-hygiene', 'vulnerability-hygiene']));
    expect(result('production-readiness', 'component:default/checkout-web')).toMatchObject({ score: 100, failed: 0, unknown: 0 });
    expect(result('production-readiness', 'component:default/payments-api')?.failed).toBeGreaterThan(0);
    // design-system links no target: its security checks have no data, and are unknown rather than zero.
    expect(result('security-baseline', 'component:default/design-system')?.unknown).toBeGreaterThan(0);
    // Only production components are held to production readiness.
    expect(result('production-readiness', 'component:default/design-system')).toBeUndefined();
    const days = await store.db.selectFrom('scorecard_history').select('day').distinct().execute();
    expect(days.length).toBeGreaterThan(1);
    expect(days.every((d) => d.day <= NOW.toISOString().slice(0, 10))).toBe(true);
  });

  it('ingests every report as a scan of its own, and reads the catalog without a problem', async () => {
    const scans = Number((await store.db.selectFrom('scans').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(scans).toBe(demoReports({ now: NOW }).length);
    expect(summary).toMatchObject({ entities: 21, links: 20, matchedLinks: 19, targets: DEMO_TARGETS.length, scans });
    const location = await store.db.selectFrom('locations').selectAll().executeTakeFirstOrThrow();
    expect([location.status, location.last_error]).toEqual(['ok', null]);
    const problems = await store.db.selectFrom('entities').select(['ref', 'problems']).where('problems', '!=', '[]').execute();
    expect(problems).toEqual([]);
  });

  it('leaves exactly one link unmatched: the misspelt one, with a diagnostic naming the right target', async () => {
    const unmatched = await store.db.selectFrom('entity_links').innerJoin('entities', 'entities.id', 'entity_links.entity_id').select(['entities.ref', 'entity_links.name']).where('entity_links.matched', '=', 0).execute();
    expect(unmatched).toEqual([{ ref: 'api:default/payments-rest-api', name: 'acme-pay/paymnets-api' }]);
    const [link] = await links('api:default/payments-rest-api');
    expect(link?.diagnostics).toEqual([
      {
        level: 'warning',
        code: 'similar-target',
        message: 'No target named "acme-pay/paymnets-api" exists in acme.pay; a target with a similar name does: "acme-pay/payments-api" in acme.pay.',
      },
    ]);
  });

  it('has an entity with no links at all, and one whose links reach three scopes', async () => {
    expect(await links('component:default/design-system')).toEqual([]);
    const payments = await links('component:default/payments-api');
    expect(payments.every((l) => l.matched)).toBe(true);
    expect(new Set(payments.map((l) => l.scope))).toEqual(new Set(['acme.pay', 'account', 'acme.appsec']));
  });

  it('has new and remediated issues, scans on several days, and two variants of every target', async () => {
    const totals = await store.db.selectFrom('scans').select((eb) => [eb.fn.sum<number>('new_count').as('new'), eb.fn.sum<number>('remediated_count').as('remediated')]).executeTakeFirstOrThrow();
    expect(Number(totals.new)).toBeGreaterThan(0);
    expect(Number(totals.remediated)).toBeGreaterThan(0);
    const compared = await store.db.selectFrom('scans').select('id').where('remediated_count', '>', 0).where('new_count', '>', 0).execute();
    expect(compared.length).toBeGreaterThan(0);
    const days = await store.db.selectFrom('scans').select(sql<string>`substr(scanned_at, 1, 10)`.as('day')).distinct().execute();
    expect(days.length).toBeGreaterThanOrEqual(8);
    const variants = await store.db.selectFrom('variants').select((eb) => ['target_id', eb.fn.countAll().as('n')]).groupBy('target_id').execute();
    expect(variants.map((v) => Number(v.n))).toEqual(DEMO_TARGETS.map(() => 2));
  });

  it('has a trend over the four weeks: open issues change from one scan day to another', async () => {
    // The catalog is read before the scans, so each ingest records the entities' summaries at its scan's date.
    const points = await trend(store.db, { days: 30, now: NOW.toISOString() });
    const totals = points.map((p) => p.total);
    expect(totals.slice(0, 2)).toEqual([0, 0]);
    expect(new Set(totals.filter((t) => t > 0)).size).toBeGreaterThanOrEqual(4);
  });

  it('never stores a planted secret, only its masked form', async () => {
    const secrets = demoReports({ now: NOW })
      .filter((r) => r.format === 'gitleaks')
      .flatMap((r) => (JSON.parse(r.content) as Array<{ Secret: string }>).map((leak) => leak.Secret));
    expect(new Set(secrets).size).toBe(9);
    // On PostgreSQL, only this test's schema: the server holds other tests' schemas too.
    const schema = store.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s : undefined;
    const tables = (await store.db.introspection.getTables())
      .filter((t) => t.schema === schema && !t.name.startsWith('kysely_'))
      .map((t) => t.name);
    expect(tables).toContain('occurrences');
    let stored = '';
    for (const table of tables) stored += JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(store.db)).rows);
    for (const secret of secrets) {
      expect(stored.includes(secret), 'a secret was stored').toBe(false);
      // JSON escapes a private key's line breaks: look for its escaped form too.
      expect(stored.includes(JSON.stringify(secret).slice(1, -1)), 'a secret was stored').toBe(false);
      expect(stored).toContain(JSON.stringify(`${secret.slice(0, 4)}****`).slice(1, -1));
    }
  });
});
