import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { linkedComponent, writeCatalogFile } from '../../test/support/catalog-files.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';

/**
 * When a link finds a target, target_sharing's trigger counts the entities that show the target
 * (0039). In a catalog whose links mostly wait for a target, SQLite's statistics made that count
 * walk every link of the entity_links_entity index, for each link matched: 13–47 ms for the 8
 * links of one first scan. It reads the index of matched links (0042) now.
 */
describeEachStore('counting the entities that show a target', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-links-shown-'));
    lantern = new Lantern(await openTestStore(kind));
    // 400 links, all waiting: the statistics see one target_id value (null) for every row.
    const docs = Array.from({ length: 200 }, (_, k) => linkedComponent({ entity: `svc-${k}`, links: [{ name: `acme/svc-${k}` }, { name: `acme/svc-${k}-image` }] }));
    await lantern.catalog.register(writeCatalogFile(dir, docs), parseScope('acme.pay'));
    await sql`analyze`.execute(lantern.store.db);
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the matched links of the target alone when a link finds it', async () => {
    const link = await lantern.store.db.selectFrom('entity_links').select('id').orderBy('id').executeTakeFirstOrThrow();
    if (kind === 'sqlite') {
      const sqlite = lantern.store.sqlite;
      if (!sqlite) throw new Error('a SQLite store without its connection');
      // The b-trees the update opens to read, its trigger's included, by root page.
      const roots = new Map((sqlite.prepare('select name, rootpage from sqlite_schema where rootpage > 0').all() as Array<{ name: string; rootpage: number }>).map((r) => [r.rootpage, r.name]));
      const opened = (sqlite.prepare('explain update entity_links set target_id = 1, matched = 1 where id = ?').all(link.id) as Array<{ opcode: string; p2: number }>)
        .filter((step) => step.opcode === 'OpenRead')
        .map((step) => roots.get(step.p2));
      expect(opened).toContain('entity_links_shown_by_target');
      expect(opened).not.toContain('entity_links_entity');
      return;
    }
    // PostgreSQL keeps the share of nulls apart from its count of distinct values: the trigger's
    // count reads an index on the target either way, never the whole table.
    const plan = await sql<{ 'QUERY PLAN': string }>`explain select count(distinct entity_id) from entity_links where target_id = ${1} and matched = 1`.execute(lantern.store.db);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index (Only )?Scan using entity_links_(shown_by_)?target/);
    expect(text).not.toMatch(/Seq Scan/);
  });
});
