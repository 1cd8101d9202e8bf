import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ANONYMOUS_ADMIN, startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { overview } from '../insights/overview.js';
import { entitiesShowingTerm } from '../insights/overview-search.js';
import { entitiesNamed } from './entity-name-search.js';
import { trigramSchema } from './migrations/0032-entity-name-search.js';
import type { Database } from './schema.js';
import { issuesWithTerm, termContains } from './search-terms.js';
import { containsText } from './text-search.js';

/**
 * The overview's `q` matches names and titles through a trigram index (migrations/0032-entity-name-search.ts):
 * it must find exactly what the LIKE over every entity found, and the index must follow renames and deletions.
 */

interface Named {
  name: string;
  title?: string;
}

const ENTITIES: Named[] = [
  { name: 'svc-00420', title: 'Payments API' },
  { name: 'svc-04200', title: 'Ledger' },
  { name: 'checkout', title: 'Zürich Ärzte-Portal' },
  { name: 'pct-svc', title: 'Rate 100% sure' },
  { name: 'under_score', title: 'Snake_Case Title' },
  { name: 'underxscore' },
  { name: 'quote-svc', title: 'Say "hello" ok' },
  { name: 'MixedCase-Name' },
];

function catalog(entities: readonly Named[]): string {
  return entities
    .map(
      (e) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${e.name}
${e.title === undefined ? '' : `  title: ${JSON.stringify(e.title)}\n`}spec:
  type: service
  owner: team-a
  lifecycle: production`,
    )
    .join('\n---\n');
}

const QUERIES = [
  'svc-00420',
  'SVC-00420',
  '0042',
  '42',
  '4',
  'svc',
  'payments api',
  'zürich',
  'ZÜRICH',
  'ärzte',
  'Ärzte',
  '100%',
  '0%',
  '%',
  '_',
  'r_s',
  'under_',
  'snake_case',
  '"hello"',
  '"',
  'mixedcase',
  'MIXEDCASE-NAME',
  'nothing-here',
  'e',
];

/** SQLite's plan of a compiled query: the details of its steps, one a line. */
async function sqlitePlan(db: Kysely<Database>, query: CompiledQuery): Promise<string> {
  const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
  return plan.rows.map((r) => r.detail).join('\n');
}

/** PostgreSQL's plan of each compiled query, with the scans named turned off for the while (`enable_…`). */
async function postgresPlans(db: Kysely<Database>, queries: readonly CompiledQuery[], off: readonly string[]): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    for (const scan of off) await sql`select set_config(${`enable_${scan}`}, 'off', true)`.execute(trx);
    const plans: string[] = [];
    for (const query of queries) plans.push((await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]))).rows.map((r) => r['QUERY PLAN']).join('\n'));
    return plans;
  });
}

describeEachStore('entity name search', (kind: StoreKind) => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer(kind, { allowSelfApproval: true }, { auth: ANONYMOUS_ADMIN });
    dir = mkdtempSync(join(tmpdir(), 'lantern-name-search-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Names of the entities whose name or title the LIKE over every entity matches: what the overview found before the index. */
  const byFullScan = async (q: string) => {
    const text = q.trim().toLowerCase();
    const rows = await server.lantern.store.db
      .selectFrom('entities as e')
      .select('e.name')
      .where((eb) => eb.or([containsText('e.name', text), containsText('e.title', text)]))
      .execute();
    return rows.map((r) => r.name).sort();
  };
  const named = async (q: string) => {
    const { db } = server.lantern.store;
    const ids = (await entitiesNamed(db, q.trim().toLowerCase()).execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    return (await db.selectFrom('entities').select('name').where('id', 'in', ids).execute()).map((r) => r.name).sort();
  };
  const found = async (q: string) => (await overview(server.lantern.store.db, { q, limit: 100 })).items.map((r) => r.name).sort();
  /** Every query finds through the index what the full LIKE finds, in the overview too. */
  const check = async () => {
    for (const q of QUERIES) {
      const expected = await byFullScan(q);
      expect(await named(q), q).toEqual(expected);
      expect(await found(q), q).toEqual(expected);
    }
  };

  it('finds by name and title what the LIKE over every entity found, and follows renames and deletions', async () => {
    const file = join(dir, 'catalog-info.yaml');
    writeFileSync(file, `${catalog(ENTITIES)}\n`);
    const { location } = await server.lantern.catalog.register(file, parseScope('acme.payments'));
    expect(location.status, location.last_error ?? '').not.toBe('error');
    await check();

    // Spelled out: case folds both ways, `%`, `_` and `"` are literal, one and two characters still match.
    expect(await found('SVC-00420')).toEqual(['svc-00420']);
    expect(await found('0042')).toEqual(['svc-00420']);
    expect(await found('042')).toEqual(['svc-00420', 'svc-04200']);
    expect(await found('42')).toEqual(['svc-00420', 'svc-04200']);
    expect(await found('ZÜRICH')).toEqual(['checkout']);
    expect(await found('100%')).toEqual(['pct-svc']);
    expect(await found('0%')).toEqual(['pct-svc']);
    expect(await found('%')).toEqual(['pct-svc']);
    expect(await found('r_s')).toEqual(['under_score']);
    expect(await found('_')).toEqual(['under_score']);
    expect(await found('"hello"')).toEqual(['quote-svc']);
    expect(await found('mixedcase')).toEqual(['MixedCase-Name']);

    // Renamed and retitled, one removed, one added: the index follows in the same write.
    writeFileSync(
      file,
      `${catalog([
        { name: 'svc-00999', title: 'Payments API' },
        { name: 'svc-04200', title: 'Ledger 00420' },
        ...ENTITIES.slice(2, 5),
        { name: 'renamed-one', title: 'Fresh' },
        ...ENTITIES.slice(6),
      ])}\n`,
    );
    await server.lantern.catalog.refresh(location.id);
    expect(await found('svc-00420')).toEqual([]);
    expect(await found('00420')).toEqual(['svc-04200']);
    expect(await found('svc-009')).toEqual(['svc-00999']);
    expect(await found('underxscore')).toEqual([]);
    expect(await found('fresh')).toEqual(['renamed-one']);
    await check();

    // Unregistered: nothing is found by name any more, and SQLite's trigram table is empty.
    await server.lantern.unregisterLocation(location.id);
    expect(await found('svc')).toEqual([]);
    await check();
    if (kind === 'sqlite') {
      const left = await sql<{ n: number }>`select count(*) as n from entity_name_search`.execute(server.lantern.store.db);
      expect(Number(left.rows[0]?.n)).toBe(0);
    }
  });

  it('pages, groups and totals a text that most of the estate matches as a filter that picks the same entities', async () => {
    // Over a thousand found, most of the estate: the page walks the sort's index (overview.ts: DENSE_SHARE).
    // The others are team-other's: the owners 0 to 6 pick the same entities as the text.
    const many = Array.from({ length: 1080 }, (_, i) => ({
      name: i < 1020 ? `bulk-${String(i).padStart(4, '0')}` : `other-${i}`,
      ...(i % 3 === 0 ? { title: `Bulk item ${i}` } : {}),
      owner: i < 1020 ? `team-${i % 7}` : 'team-other',
      system: i % 5 === 0 ? undefined : `system-${i % 4}`,
    }));
    const file = join(dir, 'bulk.yaml');
    writeFileSync(
      file,
      `${many
        .map(
          (e) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${e.name}
${e.title === undefined ? '' : `  title: ${e.title}\n`}spec:
  type: service
  owner: ${e.owner}
${e.system === undefined ? '' : `  system: ${e.system}\n`}  lifecycle: production`,
        )
        .join('\n---\n')}\n`,
    );
    const { location } = await server.lantern.catalog.register(file, parseScope('acme.payments'));
    expect(location.status, location.last_error ?? '').not.toBe('error');
    const { db } = server.lantern.store;
    const owner = Array.from({ length: 7 }, (_, i) => `team-${i}`);
    for (const sort of ['-critical', 'name', '-name', 'owner', '-system']) {
      const byOwner = await overview(db, { sort, limit: 40, owner });
      expect(byOwner.total).toBe(1020);
      expect(await overview(db, { sort, limit: 40, q: 'BULK-' }), sort).toEqual(byOwner);
      const cursor = byOwner.nextCursor ?? undefined;
      expect(await overview(db, { sort, limit: 40, q: 'bulk-', cursor }), sort).toEqual(await overview(db, { sort, limit: 40, owner, cursor }));
    }
    await server.lantern.unregisterLocation(location.id);
  });

  it('reads the trigram indexes of names, titles and issue terms for a text of three characters or more', async () => {
    const { db } = server.lantern.store;
    const queries = [entitiesNamed(db, 'svc-00420').compile(), db.selectFrom('search_terms as st').select('st.term').where(termContains(db, 'cve-2024')).compile()];
    if (kind === 'sqlite') {
      for (const [i, table] of ['entity_name_search', 'search_term_trigrams'].entries()) {
        expect(await sqlitePlan(db, queries[i] as (typeof queries)[number])).toMatch(new RegExp(`SCAN ${table} VIRTUAL TABLE INDEX`));
      }
      return;
    }
    // A small table is read whole whatever its indexes, or its key's index walked: ask for the plans by bitmap.
    const plans = (await postgresPlans(db, queries, ['seqscan', 'indexscan', 'indexonlyscan'])).join('\n');
    for (const index of ['entities_name_trigrams', 'entities_title_trigrams', 'search_terms_trigrams']) expect(plans).toMatch(new RegExp(index));
  });

  it('finds the matching terms once, then the issues and variants that have them by their index', async () => {
    const { db } = server.lantern.store;
    const queries = [entitiesShowingTerm(db, 'cve-2024').compile(), issuesWithTerm(db, 'cve-2024').compile()];
    if (kind === 'sqlite') {
      // SQLite reads the terms from their trigram table first, and the rows that have them by term.
      for (const query of queries) {
        const plan = await sqlitePlan(db, query);
        expect(plan).toMatch(/SCAN search_term_trigrams VIRTUAL TABLE INDEX/);
        expect(plan).toMatch(/SEARCH (sst|ist) USING (COVERING )?INDEX \w+ \(term=\?/);
      }
      return;
    }
    // Joined to the rows, the terms were read by a parallel scan of every term at 50 000 entities
    // (issue 17): the terms are an array computed once, through their trigram index, before the rows.
    const plans = await postgresPlans(db, queries, ['seqscan', 'indexscan', 'indexonlyscan']);
    for (const plan of plans) {
      expect(plan).toMatch(/InitPlan[\s\S]*Bitmap Index Scan on search_terms_trigrams/);
      expect(plan).not.toMatch(/Nested Loop|Hash Join|Merge Join/);
    }
  });

  it('reads a text too short for trigrams from narrow names, not from the entities', async () => {
    const { db } = server.lantern.store;
    const sqlite = server.lantern.store.sqlite;
    if (!sqlite) {
      // PostgreSQL: an index-only scan of the index that carries the names and titles (migration
      // 0038), for a text without letters (compared as it is) and one with (lowered). A small table
      // is read whole whatever its indexes: ask for the plan without a scan of the table itself.
      const plans = await postgresPlans(db, ['42', 'ab'].map((q) => entitiesNamed(db, q).compile()), ['seqscan', 'bitmapscan']);
      for (const plan of plans) expect(plan).toMatch(/Index Only Scan using entities_names_cover/);
      return;
    }
    // The b-trees a statement opens, by root page: a table scan opens its table's.
    const roots = new Map((sqlite.prepare('select name, rootpage from sqlite_schema where rootpage > 0').all() as Array<{ name: string; rootpage: number }>).map((r) => [r.rootpage, r.name]));
    const query = entitiesNamed(db, '42').compile();
    const opened = (sqlite.prepare(`explain ${query.sql}`).all(...(query.parameters as unknown[])) as Array<{ opcode: string; p2: number }>)
      .filter((step) => step.opcode === 'OpenRead')
      .map((step) => roots.get(step.p2));
    expect(opened).toEqual(['entity_name_search_content']);
  });

  it('reads a text’s page, groups and whether any target is shared in one wave after the text’s entities', async () => {
    const file = join(dir, 'waves.yaml');
    writeFileSync(file, `${catalog(ENTITIES)}\n`);
    const { location } = await server.lantern.catalog.register(file, parseScope('acme.payments'));
    // Each query by when it started and ended, in the order of events: a query started after another
    // ended had to wait for it (on PostgreSQL, a round trip more).
    const events: Array<{ id: object; at: 'start' | 'end'; sql: string }> = [];
    const sqlOf = new WeakMap<object, string>();
    const db = server.lantern.store.db.withPlugin({
      transformQuery: (args) => {
        const compiled = server.lantern.store.db.getExecutor().compileQuery(args.node, args.queryId);
        sqlOf.set(args.queryId, compiled.sql);
        events.push({ id: args.queryId, at: 'start', sql: compiled.sql });
        return args.node;
      },
      transformResult: async (args) => {
        events.push({ id: args.queryId, at: 'end', sql: sqlOf.get(args.queryId) ?? '' });
        return args.result;
      },
    });
    const page = await overview(db, { q: 'svc', limit: 2 });
    expect(page.total).toBe(4);
    let waves = 0;
    let endedSinceWave = true;
    const waveOf = new Map<string, number>();
    for (const event of events) {
      if (event.at === 'end') endedSinceWave = true;
      else {
        if (endedSinceWave) waves += 1;
        endedSinceWave = false;
        waveOf.set(event.sql, waves);
      }
    }
    const wave = (pattern: RegExp) => [...waveOf.entries()].find(([text]) => pattern.test(text))?.[1];
    expect(wave(/from "target_sharing"/)).toBe(wave(/count\(\*\) as "entities"/));
    expect(waves).toBe(2);
    await server.lantern.unregisterLocation(location.id);
  });

  it.runIf(kind === 'postgres')('matches a short text without a letter on PostgreSQL without lowering every name and title', async () => {
    const { db } = server.lantern.store;
    // What each finds is checked against the LIKE over every entity above ('42', '4', '%', '_', '0%', '"').
    for (const text of ['42', '%', '-_']) expect(entitiesNamed(db, text).compile().sql, text).not.toMatch(/lower\(/);
    for (const text of ['ab', 'é', 'k1', '420']) expect(entitiesNamed(db, text).compile().sql, text).toMatch(/lower\(/);
  });

  it.runIf(kind === 'postgres')('goes without the index, its transaction still usable, where the extension cannot be installed', async () => {
    const { db } = server.lantern.store;
    await db.transaction().execute(async (trx) => {
      expect(await trigramSchema(trx, 'lantern_no_such_extension')).toBeNull();
      const after = await sql<{ one: number }>`select 1 as one`.execute(trx);
      expect(after.rows).toEqual([{ one: 1 }]);
    });
    expect(await trigramSchema(db)).not.toBeNull();
  });
});
