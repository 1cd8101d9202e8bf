import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KyselyPlugin, sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import { indexTargets, nameKeys, resolveTargetLink } from '../catalog/matching.js';
import { parseScope } from '../domain/scope.js';
import { openStore, type Store } from './database.js';
import { forgetKeptNames } from './similar-names.js';
import { storedTargets, targetsForLinks } from './target-links.js';
import { targetKeyColumns } from './targets.js';

/**
 * The similar-name hint of a link no target has weighs the names of its scope within a few
 * characters of its length; a process keeps those it read while the scope's stamp says that none
 * of its targets changed (migration 0036). What a link reads, and so its hint, must be what
 * reading every name again gives — also after another replica (a second store on the same
 * database) creates or deletes a target, and inside a transaction that created one.
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

  const insertTargets = (store: Store, names: readonly string[]) =>
    store.db
      .insertInto('targets')
      .values(names.map((name) => ({ scope: 'account', org_id: null, project_id: null, name, name_key: name, ...targetKeyColumns(name), type: 'container', baseline_variant: null, baseline_regex: null, created_at: '2026-01-01T00:00:00.000Z' })))
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
});
