import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore, openTestStore } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { entityFacets, facetSourceOf } from './trend-facets.js';

const component = (name: string, type: string, owner: string, system: string) =>
  ['apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata:', `  name: ${name}`, 'spec:', `  type: ${type}`, '  lifecycle: Production', `  owner: ${owner}`, `  system: ${system}`, ''].join('\n');

// The facets of entities an ingest's refresh holds are lowered in memory, as the database lowers
// them; values beyond ASCII, which the two may lower apart, are read from the database.
describeEachStore('entity facets from rows held in memory', (kind) => {
  let lantern: Lantern;
  let dir: string;
  beforeEach(async () => {
    lantern = new Lantern(await openTestStore(kind));
    dir = mkdtempSync(join(tmpdir(), 'lantern-facets-'));
    const file = join(dir, 'catalog-info.yaml');
    writeFileSync(file, [component('web', 'Service', 'Group:Default/Team-A', 'Shop'), component('db', 'Dienst-Ü', 'team-É', 'billing')].join('---\n'));
    await lantern.catalog.register(file, parseScope('acme.pay'));
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the database lowering for every entity, lowering only the ASCII ones in memory', async () => {
    const db = lantern.store.db;
    const rows = await db.selectFrom('entities').selectAll().orderBy('id').execute();
    expect(rows.map((r) => r.name).sort()).toEqual(['db', 'web']);
    const ids = rows.map((r) => r.id);
    const known = new Map(rows.map((r) => [r.id, facetSourceOf(r)]));
    const read = await entityFacets(db, ids);
    expect(await entityFacets(db, ids, known)).toEqual(read);
    const web = rows.find((r) => r.name === 'web')?.id as number;
    const other = rows.find((r) => r.name === 'db')?.id as number;
    expect(read.get(web)?.facets).toEqual(
      expect.arrayContaining([
        { facet: 'type', value: 'service' },
        { facet: 'owner', value: 'group:default/team-a' },
        { facet: 'owner_name', value: 'team-a' },
      ]),
    );
    // Held values are what is lowered: an ASCII entity's are not read again, one beyond ASCII's are.
    const held = new Map(known);
    held.set(web, { ...(known.get(web) as NonNullable<ReturnType<typeof known.get>>), type: 'Held' });
    held.set(other, { ...(known.get(other) as NonNullable<ReturnType<typeof known.get>>), lifecycle: 'Held-Ü' });
    const mixed = await entityFacets(db, ids, held);
    expect(mixed.get(web)?.facets).toContainEqual({ facet: 'type', value: 'held' });
    expect(read.get(other)?.facets.find((f) => f.facet === 'type')?.value).toMatch(/^dienst-/);
    expect(mixed.get(other)).toEqual(read.get(other));
  });
});
