import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { linkedComponent, writeCatalogFile } from '../../test/support/catalog-files.js';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import type { TargetType } from '../domain/target.js';
import { Lantern } from '../lantern.js';
import { backfillTargetKeys } from '../store/migrations/0018-target-name-index.js';
import { storedTargets, targetsForLinks } from '../store/target-links.js';
import { targetKeyColumns } from '../store/targets.js';
import { resolveEntityLinks } from './link-resolution.js';
import { indexTargets, nameKeys, resolveTargetLink } from './matching.js';

/**
 * Registering an entity resolves its links against the targets found by index on their
 * normalised names (store/target-links.ts targetsForLinks, migration 0018), not against every
 * target. For every matching rule the result must be the full pass's, to the byte.
 */

const TARGETS: Array<{ name: string; scope: string; type?: TargetType; variant?: string }> = [
  { name: 'acme/payments', scope: 'acme.pay' },
  { name: 'ACME/Ledger', scope: 'acme.pay' },
  { name: 'https://github.com/acme/orders.git', scope: 'acme.pay' },
  { name: 'acme/search/', scope: 'acme.pay' },
  { name: 'registry.acme.io/payments', scope: 'account', type: 'container', variant: '1.4.0' },
  { name: 'registry.acme.io/payments:1.4.0', scope: 'account', type: 'container' },
  { name: 'registry.acme.io/ledger@sha256:0f1e2d3c', scope: 'account', type: 'container' },
  { name: 'acme/billing', scope: 'acme.other' },
  { name: 'acme/invoicing', scope: 'acme.pay' },
  { name: 'acme-corp/shipping', scope: 'acme.other' },
  { name: 'acme/config', scope: 'acme.pay', type: 'configuration' },
  { name: 'acme/reports', scope: 'acme.pay', variant: 'feature-x' },
  // Four edits from zzzz/ledger-api (more than its limit) but the same last segment, in its scope.
  { name: 'acme/ledger-api', scope: 'acme.pay' },
  // Names of one length, a few edits from each other and from the links below: the similar-name
  // hint keeps the nearest three of many.
  ...Array.from({ length: 12 }, (_, n) => ({ name: `acme/svc-${String(n * 7).padStart(2, '0')}`, scope: 'acme.pay' })),
  ...Array.from({ length: 4 }, (_, n) => ({ name: `acme/svc-${n}${n}x`, scope: 'acme.other' })),
];

/** One entity per rule (or several rules), each link resolved both ways. */
const ENTITIES = [
  { entity: 'exact', links: [{ name: 'acme/payments' }], source: 'url:https://github.com/acme/payments/tree/main/' },
  { entity: 'case', links: [{ name: 'acme/ledger' }, { name: 'Registry.Acme.IO/Payments', scope: 'account', variant: '1.4.0' }] },
  { entity: 'scheme-git-slash', links: [{ name: 'acme/orders' }, { name: 'https://github.com/acme/search' }, { name: 'acme/search' }, { name: 'acme/search/' }] },
  { entity: 'image-tags', links: [{ name: 'registry.acme.io/payments:1.4.0', scope: 'account' }, { name: 'registry.acme.io/payments:1.5.0', scope: 'account' }, { name: 'registry.acme.io/ledger@sha256:0f1e2d3c', scope: 'account' }, { name: 'registry.acme.io/ledger', scope: 'account' }] },
  { entity: 'other-scope', links: [{ name: 'acme/billing' }, { name: 'acme/shipping' }] },
  { entity: 'similar', links: [{ name: 'acme/invoicin' }, { name: 'acme/svc-0' }, { name: 'acme/svc-22' }, { name: 'acme/svc-x7' }, { name: 'acme/svc-1', scope: 'acme.other' }, { name: 'acme/nothing-like-it' }, { name: 'zzzz/ledger-api' }] },
  { entity: 'variants', links: [{ name: 'acme/reports' }, { name: 'acme/reports', variant: 'Feature-X' }, { name: 'acme/payments', variant: 'never' }] },
  { entity: 'not-repository', links: [], source: 'url:https://github.com/acme/config' },
];

/** A harness.io/v1 entity: spec.sourceCode.url wins over the source-location annotation. */
const HARNESS = `apiVersion: harness.io/v1
kind: component
identifier: monorepo_service
name: Monorepo Service
type: service
owner: team-a
orgIdentifier: acme
projectIdentifier: pay
spec:
  lifecycle: production
  sourceCode:
    url: https://github.com/ACME/Payments.git
metadata:
  annotations:
    backstage.io/source-location: url:https://github.com/acme/ledger
    harness.io/sto-test-target:
      - name: acme/invoicing
`;

function writeCatalog(dir: string, entities = ENTITIES): string {
  return writeCatalogFile(dir, [...entities.map(linkedComponent), HARNESS]);
}

describeEachStore('resolving an entity\'s links through the target name index', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-link-index-'));
    lantern = new Lantern(await openTestStore(kind));
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = (target: (typeof TARGETS)[number], n: number) =>
    lantern.ingest({
      report: bytes(trivyReport([{ id: `CVE-2024-${1000 + n}`, pkg: 'lodash', version: '4.17.20', severity: 'HIGH' }])),
      source: 'trivy.json',
      target: target.name,
      targetType: target.type ?? 'repository',
      variant: target.variant ?? 'main',
      scope: parseScope(target.scope),
    });
  const links = () =>
    lantern.store.db
      .selectFrom('entity_links')
      .select(['id', 'entity_id', 'position', 'name', 'matched', 'target_id', 'variant_id', 'variant_name', 'variant_reason', 'diagnostics', 'similar_targets'])
      .orderBy('id')
      .execute();
  const entityIds = async () => (await lantern.store.db.selectFrom('entities').select('id').orderBy('id').execute()).map((e) => e.id);
  /** Forgets every link's resolution, as if it had never been resolved. */
  const forget = () =>
    lantern.store.db
      .updateTable('entity_links')
      .set({ matched: 0, target_id: null, variant_id: null, variant_name: null, variant_reason: null, diagnostics: '[]', similar_targets: null })
      .execute();
  /** The links resolved through the index (by entity), then through the full pass: both, for comparison. */
  const bothWays = async () => {
    await forget();
    await resolveEntityLinks(lantern.store.db, await entityIds());
    const indexed = await links();
    await forget();
    await resolveEntityLinks(lantern.store.db);
    return { indexed, full: await links() };
  };

  it('stores at registration what the full pass resolves, for every matching rule', async () => {
    for (const [n, target] of TARGETS.entries()) await ingest(target, n);
    await lantern.catalog.register(writeCatalog(dir), parseScope('acme.pay'));
    const registered = await links();
    const codes = new Set(registered.flatMap((link) => (JSON.parse(link.diagnostics) as Array<{ code: string }>).map((d) => d.code)));
    expect([...codes].sort()).toEqual(['baseline-note', 'case-folded', 'not-a-repository', 'similar-target', 'target-in-other-scope', 'target-not-found', 'variant-not-scanned']);

    // Registration resolved through the index: the full pass changes nothing.
    expect(await resolveEntityLinks(lantern.store.db)).toBe(0);
    expect(await links()).toEqual(registered);
    const { indexed, full } = await bothWays();
    expect(indexed).toEqual(full);
    expect(full).toEqual(registered);

    // Spot checks that the rules did what they say, so that "equal" is not "equally empty".
    const byName = (name: string) => registered.filter((l) => l.name === name);
    expect(byName('acme/payments')[0]).toMatchObject({ matched: 1, variant_name: 'main' });
    expect(byName('acme/ledger')[0]).toMatchObject({ matched: 1 });
    expect(byName('acme/orders')[0]?.diagnostics).toContain('https://github.com/acme/orders.git');
    expect(byName('registry.acme.io/payments:1.5.0')[0]?.diagnostics).toContain('similar-target');
    expect(byName('acme/svc-0')[0]?.similar_targets).not.toBeNull();
    expect(JSON.parse(byName('acme/svc-0')[0]?.similar_targets ?? '[]')).toHaveLength(3);
    expect(byName('acme/shipping')[0]?.diagnostics).toContain('acme-corp/shipping');
    expect(byName('acme/billing')[0]?.diagnostics).toContain('target-in-other-scope');
    expect(byName('acme/nothing-like-it')[0]?.diagnostics).toContain('target-not-found');
    const monorepo = registered.filter((l) => l.name.toLowerCase() === 'acme/payments' && l.matched === 1);
    expect(monorepo.length).toBeGreaterThanOrEqual(2);
  });

  it('resolves through the index as the full pass does after each new target, links registered first', async () => {
    await lantern.catalog.register(writeCatalog(dir), parseScope('acme.pay'));
    let matched = 0;
    for (const [n, target] of TARGETS.entries()) {
      await ingest(target, n);
      const { indexed, full } = await bothWays();
      expect(indexed, `after ${target.name} in ${target.scope}`).toEqual(full);
      matched = full.filter((l) => l.matched === 1).length;
    }
    expect(matched).toBeGreaterThan(10);
  });

  it('reads only the targets that can decide a link, each from an index', async () => {
    for (const [n, target] of TARGETS.entries()) await ingest(target, n);
    const all = await storedTargets(lantern.store.db);
    const read = async (name: string, scope: string) => (await targetsForLinks(lantern.store.db, [nameKeys(name, parseScope(scope))])).targets.map((t) => t.name).sort();
    // A name that exists: its targets in every scope, and nothing else.
    expect(await read('ACME/PAYMENTS', 'acme.other')).toEqual(['acme/payments']);
    // A name that exists nowhere: the similar names its hint can offer, not the other names of its
    // scope — here the three one edit away, not the nine two edits away.
    expect(await read('acme/svc-0', 'acme.pay')).toEqual(['acme/svc-00', 'acme/svc-07', 'acme/svc-70']);
    // Two names one edit away, then ten two edits away: any of those ten may be offered third (by name), so all are read.
    expect(await read('acme/svc-x7', 'acme.pay')).toEqual(['acme/svc-00', 'acme/svc-07', 'acme/svc-14', 'acme/svc-21', 'acme/svc-28', 'acme/svc-35', 'acme/svc-42', 'acme/svc-49', 'acme/svc-56', 'acme/svc-63', 'acme/svc-70', 'acme/svc-77']);
    expect(await read('acme/shipping', 'acme.pay')).toEqual(['acme-corp/shipping']);
    // Read by its last segment with all its keys, and by its length with its similarity key alone:
    // the second must not hide the first.
    expect(await read('zzzz/ledger-api', 'acme.pay')).toEqual(['acme/ledger-api']);
    expect(await read('https://gitlab.com/acme/invoicing', 'account')).toEqual(['acme/invoicing']);
    expect(await read('zzz/nothing-like-it', 'acme.pay')).toEqual([]);
    expect(all.targets.length).toBe(TARGETS.length);

    // Each link resolves against what was read exactly as against every target.
    const fullIndex = indexTargets(all.targets);
    for (const entity of ENTITIES) {
      for (const link of entity.links) {
        const spec = { name: link.name, scope: parseScope('scope' in link && link.scope ? link.scope : 'acme.pay'), ...('variant' in link && link.variant ? { variant: link.variant } : {}), origin: 'annotation' as const, problems: [] };
        const read = await targetsForLinks(lantern.store.db, [nameKeys(spec.name, spec.scope)]);
        expect(resolveTargetLink(spec, indexTargets(read.targets)), link.name).toEqual(resolveTargetLink(spec, fullIndex));
      }
    }
  });

  it('keys every target from its name, on creation and in the backfill of targets written before migration 0018', async () => {
    for (const [n, target] of TARGETS.entries()) await ingest(target, n);
    const keys = () => lantern.store.db.selectFrom('targets').select(['name', 'similarity_key', 'last_segment', 'similarity_length']).orderBy('id').execute();
    const expected = TARGETS.map((t) => ({ name: t.name, ...targetKeyColumns(t.name) }));
    expect(await keys()).toEqual(expected);
    await sql`update targets set similarity_key = null, last_segment = null, similarity_length = null`.execute(lantern.store.db);
    await backfillTargetKeys(lantern.store.db);
    expect(await keys()).toEqual(expected);
    expect(targetKeyColumns('https://github.com/acme/orders.git')).toEqual({ similarity_key: 'acme/orders', last_segment: 'orders', similarity_length: 11 });
    expect(targetKeyColumns('registry.acme.io/ledger@sha256:0f1e2d3c')).toMatchObject({ last_segment: '0f1e2d3c' });
  });
});
