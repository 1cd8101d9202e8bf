import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { linkedComponent, writeCatalogFile } from '../../test/support/catalog-files.js';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import type { TargetType } from '../domain/target.js';
import { Lantern } from '../lantern.js';
import { resolveEntityLinks } from './link-resolution.js';

/**
 * A new target is compared only with the links it concerns and, for their similar-name hints,
 * with the targets each already offers (migration 0006-link-keys). Each step checks that this
 * leaves every link exactly as resolving all links against all targets would: that full pass
 * then changes nothing.
 */

/** Links that a sequence of new targets matches, moves to another scope, or offers similar names to. */
const LINKS: Array<{ entity: string; links: Array<{ name: string; scope?: string; variant?: string }>; source?: string }> = [
  { entity: 'svc-10', links: [{ name: 'acme/svc-10' }, { name: 'registry.acme.io/svc-10', scope: 'account', variant: 'v2' }] },
  { entity: 'svc-11', links: [{ name: 'acme/svc-11' }], source: 'https://github.com/acme/svc-11' },
  { entity: 'svc-12', links: [{ name: 'acme/svc-12', scope: 'acme.other' }] },
  { entity: 'svc-13', links: [{ name: 'ACME/Svc-13' }, { name: 'acme/svc-1' }] },
  { entity: 'payments', links: [{ name: 'acme/payments' }, { name: 'https://github.com/acme/payments.git' }], source: 'https://github.com/acme-corp/payments' },
  { entity: 'ledger', links: [{ name: 'acme/ledger' }, { name: 'acme/ledgers', scope: 'account' }] },
  { entity: 'search', links: [{ name: 'search' }, { name: 'acme/serch' }] },
];

/** New targets in an order that grows and reorders the similar-name hints, then matches some links. */
const TARGETS: Array<{ name: string; scope: string; type?: TargetType; variant?: string }> = [
  { name: 'acme/svc-14', scope: 'acme.pay' },
  { name: 'acme/svc-15', scope: 'acme.pay' },
  { name: 'acme/svc-1x', scope: 'acme.pay' },
  { name: 'acme/svc-100', scope: 'acme.pay' },
  { name: 'acme/svc-10', scope: 'acme.other' },
  { name: 'other/payments', scope: 'acme.pay' },
  { name: 'acme/ledgr', scope: 'acme.pay' },
  { name: 'acme/ledger', scope: 'acme.other' },
  { name: 'acme/search', scope: 'acme.pay' },
  { name: 'acme/svc-13', scope: 'acme.pay' },
  { name: 'acme/svc-12', scope: 'acme.other' },
  { name: 'registry.acme.io/svc-10', scope: 'account', type: 'container', variant: 'v1' },
  { name: 'acme/payments', scope: 'acme.pay', variant: 'feature-x' },
  { name: 'acme/svc-10', scope: 'acme.pay' },
];

function writeCatalog(dir: string): string {
  return writeCatalogFile(
    dir,
    LINKS.map(({ source, ...entity }) => linkedComponent({ ...entity, ...(source ? { source: `url:${source}` } : {}) })),
  );
}

describeEachStore('linking a new target through the stored link keys', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-link-keys-'));
    lantern = new Lantern(await openTestStore(kind));
    await lantern.catalog.register(writeCatalog(dir), parseScope('acme.pay'));
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Each ingest, then the refresh of the similar-name hints it queued (link-hints.ts).
  const ingest = async (target: (typeof TARGETS)[number], n: number) => {
    await lantern.ingest({
      report: bytes(trivyReport([{ id: `CVE-2024-${1000 + n}`, pkg: 'lodash', version: '4.17.20', severity: 'HIGH' }])),
      source: 'trivy.json',
      target: target.name,
      targetType: target.type ?? 'repository',
      variant: target.variant ?? 'main',
      scope: parseScope(target.scope),
    });
    await lantern.linkHints.settled();
  };
  const links = () => lantern.store.db.selectFrom('entity_links').select(['id', 'matched', 'target_id', 'variant_name', 'diagnostics', 'similar_targets']).orderBy('id').execute();

  it('leaves every link as a full resolution against every target would, after each new target', async () => {
    const codes = new Set<string>();
    for (const [n, target] of TARGETS.entries()) {
      await ingest(target, n);
      const incremental = await links();
      for (const link of incremental) for (const d of JSON.parse(link.diagnostics) as Array<{ code: string }>) codes.add(d.code);
      expect(await resolveEntityLinks(lantern.store.db), `after ${target.name} in ${target.scope}`).toBe(0);
      expect(await links()).toEqual(incremental);
    }
    // The sequence went through every way a link can read.
    expect([...codes].sort()).toEqual(['baseline-note', 'case-folded', 'similar-target', 'target-in-other-scope', 'target-not-found', 'variant-not-scanned']);
    const hinted = await lantern.store.db.selectFrom('entity_links').select('similar_targets').where('diagnostics', 'like', '%similar-target%').execute();
    expect(hinted.length).toBeGreaterThan(0);
    for (const { similar_targets } of hinted) expect((JSON.parse(similar_targets ?? '[]') as number[]).length).toBeGreaterThan(0);
  });

  // A new target weighs each waiting link it concerns against that link's own hint, and resolves
  // only the links it can change: each step must still leave the full pass nothing to do.
  it('leaves a crowd of links waiting for names a few characters apart as a full resolution would', async () => {
    const crowd = Array.from({ length: 80 }, (_, k) => `acme/near-${String(k).padStart(3, '0')}`);
    const docs = crowd.map((name, k) => ['apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata:', `  name: crowd-${k}`, '  annotations:', `    harness.io/sto-test-target: '${JSON.stringify([{ name }])}'`, 'spec:', '  type: service', '  lifecycle: production', '  owner: team-a'].join('\n'));
    const file = join(dir, 'crowd.yaml');
    writeFileSync(file, `${docs.join('\n---\n')}\n`);
    await lantern.catalog.register(file, parseScope('acme.pay'));
    const waiting = await lantern.store.db.selectFrom('entity_links').select('id').where('name', 'like', 'acme/near-%').where('target_id', 'is', null).execute();
    expect(waiting).toHaveLength(crowd.length);
    const steps: Array<(typeof TARGETS)[number]> = [
      { name: 'acme/near-040', scope: 'acme.pay' },
      { name: 'acme/near-007', scope: 'acme.pay' },
      { name: 'acme/near-041', scope: 'acme.pay' },
      // A crowd name in another scope: its link says where the name is.
      { name: 'acme/near-012', scope: 'acme.other' },
      { name: 'acme/near-004', scope: 'acme.pay' },
      { name: 'acme/near-079', scope: 'acme.pay' },
      { name: 'acme/near-0x1', scope: 'acme.pay' },
      { name: 'acme/near-044', scope: 'acme.pay' },
    ];
    for (const [n, target] of steps.entries()) {
      // Before the fifth, some links lose the similar targets they kept: those are resolved in full.
      if (n === 4) await lantern.store.db.updateTable('entity_links').set({ similar_targets: null }).where('target_id', 'is', null).where('name', 'like', 'acme/near-01%').execute();
      await ingest(target, 100 + n);
      const incremental = await links();
      expect(await resolveEntityLinks(lantern.store.db), `after ${target.name} in ${target.scope}`).toBe(0);
      expect(await links()).toEqual(incremental);
    }
    const byName = async (name: string) => lantern.store.db.selectFrom('entity_links').select(['matched', 'diagnostics', 'similar_targets']).where('name', '=', name).executeTakeFirstOrThrow();
    expect(await byName('acme/near-044')).toMatchObject({ matched: 1 });
    expect((await byName('acme/near-012')).diagnostics).toContain('target-in-other-scope');
    // near-042 is one edit from near-040, near-041 and near-044, and two from the others.
    const hint = JSON.parse((await byName('acme/near-042')).similar_targets ?? '[]') as number[];
    const names = await lantern.store.db.selectFrom('targets').select('name').where('id', 'in', hint).orderBy('name').execute();
    expect(names.map((t) => t.name)).toEqual(['acme/near-040', 'acme/near-041', 'acme/near-044']);
  });

  it('resolves links whose similar targets were not kept (resolved before migration 0006) against every target', async () => {
    const visible = async () => (await links()).map(({ similar_targets: _kept, ...link }) => link);
    await ingest(TARGETS[0] as (typeof TARGETS)[number], 0);
    await ingest(TARGETS[1] as (typeof TARGETS)[number], 1);
    await lantern.store.db.updateTable('entity_links').set({ similar_targets: null }).where('target_id', 'is', null).execute();
    await ingest(TARGETS[2] as (typeof TARGETS)[number], 2);
    // The links the new target concerned were resolved in full, and keep their similar targets now.
    const concerned = await lantern.store.db.selectFrom('entity_links').select('similar_targets').where('name', '=', 'acme/svc-11').executeTakeFirstOrThrow();
    expect(JSON.parse(concerned.similar_targets ?? 'null')).toHaveLength(3);
    const incremental = await visible();
    await resolveEntityLinks(lantern.store.db);
    expect(await visible()).toEqual(incremental);
  });
});
