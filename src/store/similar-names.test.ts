import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, type KyselyPlugin, sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import { indexTargets, nameKeys, resolveTargetLink, SimilarPodium, type SimilarRank, similarRankOfKey } from '../catalog/matching.js';
import { parseScope } from '../domain/scope.js';
import { openStore, type Store } from './database.js';
import type { Database } from './schema.js';
import { forgetKeptNames, keptNamesUse, type NamesOfLength, REHEARSED_LOOKUPS, rehearseNearNames, scopeNamesOfLengths, warmKeptNames, weighNearNames } from './similar-names.js';
import { storedTargets, targetsForLinks } from './target-links.js';
import { targetKeyColumns } from './targets.js';

/**
 * The similar-name hint of a link no target has weighs the names of its scope within a few
 * characters of its length; a process keeps those it read while the scope's stamp says that none
 * of its targets changed (migration 0036). What a link reads, and so its hint, must be what
 * reading every name again gives — also after another replica (a second store on the same
 * database) creates or deletes a target, and inside a transaction that created one. After targets
 * change, a process reads only those changed since the names it holds, from the change log
 * (migration 0037), and patches them in: what it then holds must be what a fresh read gives.
 */

const LINK = 'registry.acme.io/svc-w0';
const ACCOUNT = parseScope('account');
// One edit from the link: svc-10, svc-20 (and svc-30 when created); two edits: svc-11 … svc-19.
const NEAR = ['registry.acme.io/svc-10', 'registry.acme.io/svc-20', ...Array.from({ length: 9 }, (_, n) => `registry.acme.io/svc-1${n + 1}`)];
// Of the link's length, more than its limit of three edits away.
const FAR = Array.from({ length: 300 }, (_, n) => `registry.acme.io/zz-${String(n).padStart(3, '0')}`);

describeEachStore('the scope names kept for similar-name hints', (kind: StoreKind) => {
  let replicaA: Store;
  let replicaB: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    forgetKeptNames();
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'lantern-similar-names-'));
      replicaA = await openStore(join(dir, 'test.db'));
      replicaB = await openStore(join(dir, 'test.db'));
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      // Named as test/support/stores.ts names a run's schemas, which the run drops when it ends.
      const schema = `lantern_t${process.env.LANTERN_TEST_RUN ?? 'adhoc'}_${process.pid}_names_${Date.now().toString(36)}`;
      replicaA = await openStore(POSTGRES_URL as string, { schema, poolSize: 4 });
      replicaB = await openStore(POSTGRES_URL as string, { schema, poolSize: 4 });
      cleanup = async () => {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(replicaA.db);
      };
    }
    await insertTargets(replicaA, [...NEAR, ...FAR]);
  });
  afterEach(async () => {
    await replicaB.close();
    await cleanup();
    await replicaA.close();
  });

  const insertTargets = (store: Store, names: readonly string[], scope = 'account') =>
    store.db
      .insertInto('targets')
      .values(names.map((name) => ({ scope, org_id: null, project_id: null, name, name_key: name, ...targetKeyColumns(name), type: 'container', baseline_variant: null, baseline_regex: null, created_at: '2026-01-01T00:00:00.000Z' })))
      .execute();
  const read = async (store: Pick<Store, 'db'>) => (await targetsForLinks(store.db, [nameKeys(LINK, ACCOUNT)])).targets.map((t) => t.name).sort();
  /** The link's hint from what it read, and from every target: they must be the same. */
  const expectSameHint = async (store: Store) => {
    const spec = { name: LINK, scope: ACCOUNT, origin: 'annotation' as const, problems: [] };
    const hint = resolveTargetLink(spec, indexTargets((await targetsForLinks(store.db, [nameKeys(LINK, ACCOUNT)])).targets));
    expect(hint).toEqual(resolveTargetLink(spec, indexTargets((await storedTargets(store.db)).targets)));
    return hint.diagnostics.map((d) => d.message).join(' ');
  };
  const twoEditsAway = NEAR.slice(2);

  it('reads the scope\'s names once while none of its targets changes', async () => {
    let rows = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        rows += args.result.rows.length;
        return args.result;
      },
    };
    const db = replicaA.db.withPlugin(counting);
    expect(await read({ db })).toEqual(NEAR.slice().sort());
    expect(rows).toBeGreaterThan(FAR.length);
    rows = 0;
    expect(await read({ db })).toEqual(NEAR.slice().sort());
    // The scope's stamp and the targets the hint offers, without the names weighed.
    expect(rows).toBeLessThanOrEqual(1 + NEAR.length);
    expect(await expectSameHint(replicaA)).toContain('"registry.acme.io/svc-10" at account level, "registry.acme.io/svc-20" at account level or "registry.acme.io/svc-11" at account level');
  });

  it('reads them again after another replica creates or deletes a target of the scope', async () => {
    expect(await read(replicaA)).toEqual(NEAR.slice().sort());
    // A third name one edit away: the names two edits away can no longer be offered.
    await insertTargets(replicaB, ['registry.acme.io/svc-30']);
    expect(await read(replicaA)).toEqual(['registry.acme.io/svc-10', 'registry.acme.io/svc-20', 'registry.acme.io/svc-30']);
    expect(await expectSameHint(replicaA)).toContain('"registry.acme.io/svc-30" at account level');
    await replicaB.db.deleteFrom('targets').where('name_key', '=', 'registry.acme.io/svc-20').execute();
    expect(await read(replicaA)).toEqual(['registry.acme.io/svc-10', 'registry.acme.io/svc-30', ...twoEditsAway].sort());
    expect(await expectSameHint(replicaA)).not.toContain('svc-20');
    // A target renamed in place (no code does it today; the stamp follows it anyway).
    const renamed = 'registry.acme.io/renamed-svc-10';
    await replicaB.db.updateTable('targets').set({ name: renamed, name_key: renamed, ...targetKeyColumns(renamed) }).where('name_key', '=', 'registry.acme.io/svc-10').execute();
    expect(await read(replicaA)).toEqual(['registry.acme.io/svc-30', ...twoEditsAway].sort());
    expect(await read(replicaB)).toEqual(await read(replicaA));
  });

  it('sees a transaction\'s own new target inside it, and none once it rolled back', async () => {
    expect(await read(replicaA)).toEqual(NEAR.slice().sort());
    const rolledBack = new Error('roll back');
    await expect(
      replicaA.transaction(async (trx) => {
        await insertTargets({ ...replicaA, db: trx }, ['registry.acme.io/svc-30']);
        expect(await read({ db: trx })).toEqual(['registry.acme.io/svc-10', 'registry.acme.io/svc-20', 'registry.acme.io/svc-30']);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(await read(replicaA)).toEqual(NEAR.slice().sort());
    expect(await read(replicaB)).toEqual(NEAR.slice().sort());
    // Committed, it is read by every replica.
    await replicaA.transaction(async (trx) => {
      await insertTargets({ ...replicaA, db: trx }, ['registry.acme.io/svc-30']);
      expect(await read({ db: trx })).toHaveLength(3);
    });
    expect(await read(replicaB)).toEqual(['registry.acme.io/svc-10', 'registry.acme.io/svc-20', 'registry.acme.io/svc-30']);
    expect(await read(replicaA)).toEqual(['registry.acme.io/svc-10', 'registry.acme.io/svc-20', 'registry.acme.io/svc-30']);
  });
  /** Counts the rows that statements through `db` return. */
  const counted = (db: Kysely<Database>) => {
    const counter = { rows: 0 };
    const plugin: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        counter.rows += args.result.rows.length;
        return args.result;
      },
    };
    return { db: db.withPlugin(plugin), counter };
  };
  /** Names of these lengths as a list of `key id` per length, from the table itself: what a fresh read holds. */
  const freshNames = async (store: Store, scope: string, min: number, max: number) => {
    const rows = await store.db.selectFrom('targets').select(['id', 'similarity_key']).where('scope', '=', scope).where('similarity_length', '>=', min).where('similarity_length', '<=', max).execute();
    const byLength = new Map<number, string[]>(Array.from({ length: max - min + 1 }, (_, k) => [min + k, []]));
    for (const row of rows) byLength.get((row.similarity_key ?? '').length)?.push(`${row.similarity_key} ${row.id}`);
    return [...byLength.values()].map((list) => list.sort());
  };
  /** The names a lookup through `db` holds, checked to be sorted by key with each common prefix right, as `key id` per length. */
  const heldNames = async (db: Kysely<Database>, scope: string, min: number, max: number) => {
    const held: NamesOfLength[] = await scopeNamesOfLengths(db, scope, [{ min, max }]);
    return held.map((names, n) => {
      expect(names.length).toBe(min + n);
      expect(names.keys).toHaveLength(names.ids.length);
      names.keys.forEach((key, k) => {
        expect(key.length).toBe(names.length);
        if (k === 0) return;
        const before = names.keys[k - 1] as string;
        expect(before <= key).toBe(true);
        let common = 0;
        while (before[common] === key[common] && common < key.length) common++;
        expect(names.common[k]).toBe(common);
      });
      return names.keys.map((key, k) => `${key} ${names.ids[k]}`).sort();
    });
  };
  const reads = () => ({ ...keptNamesUse });

  it('reads only the targets another replica created, deleted or renamed, and holds what a fresh read gives', async () => {
    const { db, counter } = counted(replicaA.db);
    expect(await read({ db })).toEqual(NEAR.slice().sort());
    const expectPatched = async (changed: number) => {
      counter.rows = 0;
      const before = reads();
      const held = await heldNames(db, 'account', 4, 40);
      // The scope's version, and on SQLite the version held; the changed targets, one row each (a rename on SQLite: two versions).
      expect(counter.rows).toBeLessThanOrEqual(2 + changed);
      expect(keptNamesUse.patched).toBe(before.patched + 1);
      expect(held).toEqual(await freshNames(replicaA, 'account', 4, 40));
    };
    await insertTargets(replicaB, ['registry.acme.io/svc-30']);
    await expectPatched(1);
    expect(await read(replicaA)).toEqual(['registry.acme.io/svc-10', 'registry.acme.io/svc-20', 'registry.acme.io/svc-30']);
    expect(await expectSameHint(replicaA)).toContain('"registry.acme.io/svc-30" at account level');
    await replicaB.db.deleteFrom('targets').where('name_key', 'in', ['registry.acme.io/svc-20', 'registry.acme.io/zz-007']).execute();
    await expectPatched(2);
    expect(await read(replicaA)).toEqual(['registry.acme.io/svc-10', 'registry.acme.io/svc-30', ...twoEditsAway].sort());
    // Renamed to another length, and moved to another scope.
    const renamed = 'registry.acme.io/renamed-svc-10';
    await replicaB.db.updateTable('targets').set({ name: renamed, name_key: renamed, ...targetKeyColumns(renamed) }).where('name_key', '=', 'registry.acme.io/svc-10').execute();
    await expectPatched(2);
    await replicaB.db.updateTable('targets').set({ scope: 'acme.web' }).where('name_key', '=', 'registry.acme.io/svc-30').execute();
    await expectPatched(2);
    expect(await read(replicaA)).toEqual(twoEditsAway.slice().sort());
    expect(await expectSameHint(replicaA)).toContain('"registry.acme.io/svc-11" at account level');
  });

  it('never holds a change that rolled back, also one it read inside the transaction', async () => {
    expect(await heldNames(replicaA.db, 'account', 4, 40)).toEqual(await freshNames(replicaA, 'account', 4, 40));
    const rolledBack = new Error('roll back');
    await expect(
      replicaA.transaction(async (trx) => {
        await insertTargets({ ...replicaA, db: trx }, ['registry.acme.io/svc-30']);
        await trx.deleteFrom('targets').where('name_key', '=', 'registry.acme.io/svc-20').execute();
        expect(await heldNames(trx, 'account', 4, 40)).toEqual(await freshNames({ ...replicaA, db: trx }, 'account', 4, 40));
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    await expect(
      replicaB.transaction(async (trx) => {
        await insertTargets({ ...replicaB, db: trx }, ['registry.acme.io/svc-31']);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    // Two changes committed since: on SQLite they are given the versions the rolled-back ones had.
    await insertTargets(replicaB, ['registry.acme.io/svc-40', 'registry.acme.io/zz-900']);
    for (const store of [replicaA, replicaB]) {
      const held = await heldNames(store.db, 'account', 4, 40);
      expect(held).toEqual(await freshNames(replicaA, 'account', 4, 40));
      expect(held.flat().join(' ')).toContain('svc-40');
      expect(held.flat().join(' ')).not.toMatch(/svc-3[01]/);
    }
    expect(await read(replicaA)).toEqual(['registry.acme.io/svc-10', 'registry.acme.io/svc-20', 'registry.acme.io/svc-40']);
  });

  it('reads every name again when the log no longer goes back to the names it holds', async () => {
    const { db, counter } = counted(replicaA.db);
    expect(await heldNames(db, 'account', 4, 40)).toEqual(await freshNames(replicaA, 'account', 4, 40));
    // 80 commits of 8 targets: more than the log keeps on either store (64 to 80 commits, 512 to 528 targets), fewer than a patch reads.
    for (let commit = 0; commit < 80; commit++) {
      await insertTargets(replicaB, Array.from({ length: 8 }, (_, n) => `registry.acme.io/p${String(commit * 8 + n).padStart(3, '0')}`));
    }
    // The log is bounded: SQLite logs a version for each target, PostgreSQL one for each commit.
    const logged = kind === 'sqlite' ? sql<{ n: number }>`select count(*) as n from target_name_changes where scope = 'account'` : sql<{ n: number }>`select count(*) as n from target_name_commits where scope = 'account'`;
    expect(Number((await logged.execute(replicaA.db)).rows[0]?.n)).toBeLessThanOrEqual(kind === 'sqlite' ? 512 + 16 : 64 + 16);
    counter.rows = 0;
    const before = reads();
    expect(await heldNames(db, 'account', 4, 40)).toEqual(await freshNames(replicaA, 'account', 4, 40));
    expect(keptNamesUse.patched).toBe(before.patched);
    expect(keptNamesUse.read).toBe(before.read + 1);
    expect(counter.rows).toBeGreaterThan(FAR.length + 640);
    // And patches again from there.
    await replicaB.db.deleteFrom('targets').where('name_key', '=', 'registry.acme.io/p000').execute();
    expect(await heldNames(db, 'account', 4, 40)).toEqual(await freshNames(replicaA, 'account', 4, 40));
    expect(keptNamesUse.patched).toBe(before.patched + 1);
  });

  // The names kept are of a scope of one database. Another database whose log has gone past their
  // version (a restore of an older copy that took commits since, or another schema read by the same
  // process) gave that version another stamp: its changes do not follow the names kept, which are
  // read again rather than patched (PostgreSQL patched them until the stamp was checked there too).
  it('reads every name again, never patches them, when their version has another stamp in the log', async () => {
    expect(await read(replicaA)).toEqual(NEAR.slice().sort());
    const versionOf = async (store: Store) => Number((await store.db.selectFrom('target_name_versions').select('version').where('scope', '=', 'account').executeTakeFirstOrThrow()).version);
    const held = await versionOf(replicaA);
    let other: Store;
    let dropOther: () => Promise<void>;
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'lantern-similar-names-other-'));
      other = await openStore(join(dir, 'test.db'));
      dropOther = async () => {
        await other.close();
        rmSync(dir, { recursive: true, force: true });
      };
    } else {
      const schema = `lantern_t${process.env.LANTERN_TEST_RUN ?? 'adhoc'}_${process.pid}_names_other_${Date.now().toString(36)}`;
      other = await openStore(POSTGRES_URL as string, { schema, poolSize: 2 });
      dropOther = async () => {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(other.db);
        await other.close();
      };
    }
    try {
      await insertTargets(other, Array.from({ length: held }, (_, n) => `registry.acme.io/cc-${String(n).padStart(3, '0')}`));
      for (let n = 0; (await versionOf(other)) <= held; n++) await insertTargets(other, [`registry.acme.io/svc-${40 + n}`]);
      const before = reads();
      // Its own near name only: none of the first database's.
      expect(await read(other)).toEqual(['registry.acme.io/svc-40']);
      expect(keptNamesUse.patched).toBe(before.patched);
      expect(keptNamesUse.read).toBeGreaterThan(before.read);
    } finally {
      await dropOther();
    }
  });

  it('holds what a fresh read gives through random creates, deletes, renames, moves and rollbacks', async () => {
    let seed = 17;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    // Names of few letters: many share long prefixes, as a registry's do.
    const randomName = () => `registry.acme.io/${Array.from({ length: 6 + random(9) }, () => 'ab/'[random(3)]).join('')}`;
    const some = async (store: Store, count: number) => {
      const rows = await store.db.selectFrom('targets').select(['id', 'scope']).orderBy('id').execute();
      return Array.from({ length: count }, () => rows[random(rows.length)] as { id: number; scope: string });
    };
    const change = async (store: Store) => {
      const op = random(4);
      if (op === 0) {
        const names = [...new Set(Array.from({ length: 1 + random(5) }, randomName))];
        await insertTargets(store, names).catch(() => undefined);
      } else if (op === 1) {
        await store.db.deleteFrom('targets').where('id', 'in', (await some(store, 1 + random(3))).map((t) => t.id)).execute();
      } else if (op === 2) {
        const name = randomName();
        const [target] = await some(store, 1);
        await store.db.updateTable('targets').set({ name, name_key: name, ...targetKeyColumns(name) }).where('id', '=', (target as { id: number }).id).execute().catch(() => undefined);
      } else {
        const [target] = await some(store, 1);
        await store.db.updateTable('targets').set({ scope: (target as { scope: string }).scope === 'account' ? 'acme.web' : 'account' }).where('id', '=', (target as { id: number }).id).execute().catch(() => undefined);
      }
    };
    const rolledBack = new Error('roll back');
    await insertTargets(replicaA, [...new Set(Array.from({ length: 80 }, randomName))]);
    const before = reads();
    for (let step = 0; step < 60; step++) {
      // The second half from names warmed: every length held, those no name had included.
      if (step === 30) {
        forgetKeptNames();
        expect((await warmKeptNames(replicaA.db)).scopes).toBe(2);
      }
      const [min, max] = step < 30 ? [6, 14] : [1, 40];
      const writer = random(2) === 0 ? replicaA : replicaB;
      if (random(5) === 0) {
        await expect(
          writer.transaction(async (trx) => {
            await change({ ...writer, db: trx });
            await heldNames(trx, 'account', 6, 14);
            throw rolledBack;
          }),
        ).rejects.toBe(rolledBack);
      } else {
        await change(writer);
      }
      for (const store of random(2) === 0 ? [replicaA, replicaB] : [replicaB, replicaA]) {
        expect(await heldNames(store.db, 'account', min, max)).toEqual(await freshNames(replicaA, 'account', min, max));
        expect(await heldNames(store.db, 'acme.web', min, max)).toEqual(await freshNames(replicaA, 'acme.web', min, max));
      }
    }
    expect(keptNamesUse.patched - before.patched).toBeGreaterThan(30);
  });
  it('patches in commit order the changes of transactions that overlap (PostgreSQL: the one started first commits last)', async () => {
    if (kind !== 'postgres') return;
    expect(await heldNames(replicaA.db, 'account', 4, 40)).toEqual(await freshNames(replicaA, 'account', 4, 40));
    let commitFirst = () => {};
    const firstWaits = new Promise<void>((resolve) => {
      commitFirst = resolve;
    });
    let inserted = () => {};
    const firstInserted = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const first = replicaB.transaction(async (trx) => {
      await insertTargets({ ...replicaB, db: trx }, ['registry.acme.io/svc-30']);
      await trx.deleteFrom('targets').where('name_key', '=', 'registry.acme.io/svc-10').execute();
      inserted();
      await firstWaits;
    });
    await firstInserted;
    await replicaA.transaction(async (trx) => {
      await insertTargets({ ...replicaA, db: trx }, ['registry.acme.io/svc-40']);
    });
    const before = reads();
    let held = await heldNames(replicaA.db, 'account', 4, 40);
    expect(held).toEqual(await freshNames(replicaA, 'account', 4, 40));
    expect(held.flat().join(' ')).toMatch(/svc-40.*svc-10|svc-10.*svc-40/);
    commitFirst();
    await first;
    held = await heldNames(replicaA.db, 'account', 4, 40);
    expect(held).toEqual(await freshNames(replicaA, 'account', 4, 40));
    expect(held.flat().join(' ')).toContain('svc-30');
    expect(held.flat().join(' ')).not.toContain('svc-10');
    expect(keptNamesUse.patched).toBe(before.patched + 2);
  });

  // Warming (lantern serve, after it listens): every name of the largest scopes read ahead.
  it('serves the first lookups after warming from the names read ahead, whatever their lengths', async () => {
    await insertTargets(replicaA, ['registry.acme.io/web-a', 'registry.acme.io/web-b'], 'acme.web');
    expect(await warmKeptNames(replicaA.db)).toEqual({ scopes: 2, names: NEAR.length + FAR.length + 2, skipped: 0 });
    const before = reads();
    const { db, counter } = counted(replicaA.db);
    expect(await read({ db })).toEqual(NEAR.slice().sort());
    // The scope's version and the targets the hint offers: no name weighed is read.
    expect(counter.rows).toBeLessThanOrEqual(1 + NEAR.length);
    expect(await expectSameHint(replicaA)).toContain('"registry.acme.io/svc-10" at account level');
    // Lengths no name has are held too (empty).
    expect(await heldNames(db, 'account', 1, 60)).toEqual(await freshNames(replicaA, 'account', 1, 60));
    expect(await heldNames(db, 'acme.web', 1, 60)).toEqual(await freshNames(replicaA, 'acme.web', 1, 60));
    expect(keptNamesUse.read).toBe(before.read);
    expect(keptNamesUse.kept).toBe(before.kept + 4);
    // Warming again reads nothing more.
    counter.rows = 0;
    expect(await warmKeptNames(db)).toEqual({ scopes: 0, names: 0, skipped: 0 });
    expect(counter.rows).toBe(2);
  });

  it('warms the scopes with the most targets first, only as many names as the cap leaves, dropping none kept', async () => {
    await insertTargets(replicaA, Array.from({ length: 200 }, (_, n) => `registry.acme.io/web-${n}`), 'acme.web');
    await insertTargets(replicaA, Array.from({ length: 50 }, (_, n) => `registry.acme.io/api-${n}`), 'acme.api');
    await insertTargets(replicaA, Array.from({ length: 5 }, (_, n) => `registry.acme.io/ops-${n}`), 'acme.ops');
    // Kept by a lookup before: 5 names, which warming must not drop.
    await heldNames(replicaA.db, 'acme.ops', 20, 24);
    // 311 names of account fit in 400 - 5; then 200 of acme.web do not (84 left), 50 of acme.api
    // do, and the 5 of acme.ops are read whole in place of those held for some lengths.
    expect(await warmKeptNames(replicaA.db, { maxNames: 400 })).toEqual({ scopes: 3, names: NEAR.length + FAR.length + 50 + 5, skipped: 1 });
    const before = reads();
    for (const scope of ['account', 'acme.api', 'acme.ops']) expect(await heldNames(replicaA.db, scope, 20, 24)).toEqual(await freshNames(replicaA, scope, 20, 24));
    expect(keptNamesUse).toMatchObject({ read: before.read, kept: before.kept + 3 });
    expect(await heldNames(replicaA.db, 'acme.web', 20, 24)).toEqual(await freshNames(replicaA, 'acme.web', 20, 24));
    expect(keptNamesUse.read).toBe(before.read + 1);
  });

  it('patches the names warmed after another replica changes targets, also a change made while they were read', async () => {
    // A target created by the other replica between the two reads of the scope (after the count of
    // each scope's targets): its version, then its names. The names hold it, the version does not,
    // and the next lookup patches it in again (no change); were the names read first, it would be lost.
    let statements = 0;
    let created = false;
    const interleaving: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (++statements === 2) {
          created = true;
          await insertTargets(replicaB, ['registry.acme.io/svc-30']);
        }
        return args.result;
      },
    };
    expect((await warmKeptNames(replicaA.db.withPlugin(interleaving))).scopes).toBe(1);
    expect(created).toBe(true);
    let before = reads();
    expect(await heldNames(replicaA.db, 'account', 1, 60)).toEqual(await freshNames(replicaA, 'account', 1, 60));
    expect(await read(replicaA)).toEqual(['registry.acme.io/svc-10', 'registry.acme.io/svc-20', 'registry.acme.io/svc-30']);
    expect(keptNamesUse).toMatchObject({ read: before.read, patched: before.patched + 1 });
    // Created, deleted, renamed to a length no name had, moved in from another scope.
    before = reads();
    await insertTargets(replicaB, ['registry.acme.io/svc-31', 'registry.acme.io/other-svc-1'], 'acme.web');
    await replicaB.db.deleteFrom('targets').where('name_key', 'in', ['registry.acme.io/svc-20', 'registry.acme.io/zz-007']).execute();
    const renamed = `registry.acme.io/${'long-'.repeat(8)}svc-10`;
    await replicaB.db.updateTable('targets').set({ name: renamed, name_key: renamed, ...targetKeyColumns(renamed) }).where('name_key', '=', 'registry.acme.io/svc-10').execute();
    await replicaB.db.updateTable('targets').set({ scope: 'account' }).where('name_key', '=', 'registry.acme.io/svc-31').execute();
    expect(await heldNames(replicaA.db, 'account', 1, 80)).toEqual(await freshNames(replicaA, 'account', 1, 80));
    expect(keptNamesUse).toMatchObject({ read: before.read, patched: before.patched + 1 });
    expect((await heldNames(replicaA.db, 'account', 1, 80)).flat().join(' ')).toContain('long-long');
    expect(await read(replicaA)).toEqual(['registry.acme.io/svc-30', 'registry.acme.io/svc-31', ...twoEditsAway].sort());
    expect(await expectSameHint(replicaA)).toContain('"registry.acme.io/svc-30" at account level');
    expect(keptNamesUse.read).toBe(before.read);
  });

  // lantern serve then rehearses the weighing of the names read ahead, in memory, so that its code
  // is compiled before a request weighs them: the largest scope's, and nothing it keeps changes.
  it('rehearses lookups over the largest scope read ahead, reading nothing and changing no name kept', async () => {
    expect(await rehearseNearNames()).toEqual({ scope: undefined, lookups: 0, weighed: 0 });
    await insertTargets(replicaA, ['registry.acme.io/web-a', 'registry.acme.io/web-b'], 'acme.web');
    await warmKeptNames(replicaA.db);
    const held = await heldNames(replicaA.db, 'account', 1, 60);
    const before = reads();
    // Every name of the account scope has the rehearsed names' length (23): each lookup weighs them all.
    expect(await rehearseNearNames()).toEqual({ scope: 'account', lookups: REHEARSED_LOOKUPS, weighed: REHEARSED_LOOKUPS * (NEAR.length + FAR.length) });
    expect(keptNamesUse).toEqual({ ...before, rehearsed: before.rehearsed + REHEARSED_LOOKUPS });
    expect(await heldNames(replicaA.db, 'account', 1, 60)).toEqual(held);
    const aborted = new AbortController();
    aborted.abort();
    expect(await rehearseNearNames(aborted.signal)).toEqual({ scope: 'account', lookups: 0, weighed: 0 });
    expect(await expectSameHint(replicaA)).toContain('"registry.acme.io/svc-10" at account level');
  });

  it('weighs near names as ranking each alone does, passing over those already weighed', async () => {
    const lists = await scopeNamesOfLengths(replicaA.db, 'account', [{ min: 20, max: 26 }]);
    const names = lists.flatMap((list) => list.keys.map((key, k) => ({ id: list.ids[k] as number, key })));
    const passed = names.find((n) => n.key === 'registry.acme.io/svc-10')?.id as number;
    const link = nameKeys(LINK, ACCOUNT);
    const ranked: Array<[number, SimilarRank]> = [];
    expect(weighNearNames(link, lists, new Map([[passed, true]]), ranked, new SimilarPodium())).toBe(NEAR.length + FAR.length - 1);
    // Every near name but the one passed over, each ranked as it is alone (no shared prefix, no podium).
    const keyOf = (id: number) => names.find((n) => n.id === id)?.key ?? '';
    expect(ranked.map(([id]) => keyOf(id)).sort()).toEqual(NEAR.filter((name) => name !== 'registry.acme.io/svc-10').sort());
    for (const [id, rank] of ranked) expect(rank).toEqual(similarRankOfKey(link, keyOf(id)));
  });

  it('warms nothing without targets, nor a scope that has no version row', async () => {
    await replicaA.db.deleteFrom('targets').execute();
    expect(await warmKeptNames(replicaA.db)).toEqual({ scopes: 0, names: 0, skipped: 0 });
    await insertTargets(replicaA, NEAR);
    await replicaA.db.deleteFrom('target_name_versions').execute();
    const before = reads();
    expect(await warmKeptNames(replicaA.db)).toEqual({ scopes: 0, names: 0, skipped: 0 });
    expect(keptNamesUse.warmed).toBe(before.warmed);
    // Read each time, as before, without keeping them: nothing says which names are current.
    const { db, counter } = counted(replicaA.db);
    for (let n = 0; n < 2; n++) {
      counter.rows = 0;
      expect(await read({ db })).toEqual(NEAR.slice().sort());
      expect(counter.rows).toBeGreaterThanOrEqual(2 * NEAR.length);
    }
    expect(keptNamesUse).toMatchObject({ read: before.read, kept: before.kept, patched: before.patched });
    expect(await heldNames(replicaA.db, 'account', 1, 60)).toEqual(await freshNames(replicaA, 'account', 1, 60));
  });
});
