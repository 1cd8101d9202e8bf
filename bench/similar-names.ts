/**
 * npx tsx bench/similar-names.ts — what the change log of migration 0037 saves the similar-name
 * hint, and what its triggers cost a first scan (issue 17).
 *
 * 1. The cold lookup: a scope of --names image names (default 100 000) whose similarity keys all
 *    have the length of the link's; a second store on the same database (another replica)
 *    creates one target of the scope, then the first resolves a link no target has, as long as
 *    every name (store/target-links.ts targetsForLinks). Before migration 0037 a process read
 *    every name of the near lengths again after any change of the scope; that is timed by
 *    forgetting the names kept first (what the stamp's change did), beside the patch from the
 *    log, and beside a lookup after no change, in rotating order round after round (wall time,
 *    and this process's CPU time: the database's own is not in it).
 * 2. A first scan's ingest (a new target, 20 findings, no catalog) in two scratch stores, one with
 *    the triggers of migration 0036 put back, alternated: ms per ingest, and the triggers' share
 *    alone (one target created per transaction, and 2 000 in one, in the first 6 rounds).
 *
 *   --store S     sqlite, postgres or both (default both when a PostgreSQL URL is set)
 *   --names N     names of the scope (default 100 000)
 *   --rounds N    lookups (and ingests) per variant (default 20)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { nameKeys } from '../src/catalog/matching.js';
import { parseScope } from '../src/domain/scope.js';
import { Lantern } from '../src/lantern.js';
import { openStore, type Store } from '../src/store/database.js';
import { forgetKeptNames, keptNamesUse } from '../src/store/similar-names.js';
import { targetsForLinks } from '../src/store/target-links.js';
import { targetKeyColumns } from '../src/store/targets.js';
import { POSTGRES } from './estate.js';
import { dropSchema, median, printTable } from './measure.js';
import { trivyReport } from './synthetic-reports.js';

const { values: flags } = parseArgs({ options: { store: { type: 'string' }, names: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '20' } } });
const NAMES = Number(flags.names);
const ROUNDS = Number(flags.rounds);
const store = flags.store ?? (POSTGRES ? 'both' : 'sqlite');
const kinds = (store === 'both' ? ['sqlite', 'postgres'] : [store]) as Array<'sqlite' | 'postgres'>;
if (kinds.includes('postgres') && !POSTGRES) throw new Error('--store postgres: set LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL.');

/** Two stores on one database (two replicas), and how to remove it. */
async function openReplicas(kind: 'sqlite' | 'postgres', name: string): Promise<{ a: Store; b: Store; remove: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-similar-'));
    const a = await openStore(join(dir, 'scratch.db'));
    const b = await openStore(join(dir, 'scratch.db'));
    return { a, b, remove: async () => { await a.close(); await b.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const schema = `lantern_bench_similar_${process.pid}_${name}`;
  const a = await openStore(POSTGRES as string, { schema });
  const b = await openStore(POSTGRES as string, { schema });
  return {
    a,
    b,
    remove: async () => {
      await a.close();
      await b.close();
      await dropSchema(POSTGRES as string, schema);
    },
  };
}

const target = (name: string) => ({ scope: 'account', org_id: null, project_id: null, name, name_key: name, ...targetKeyColumns(name), type: 'container', baseline_variant: null, baseline_regex: null, created_at: '2026-01-01T00:00:00.000Z' });

/** Migration 0036's triggers, as they were before migration 0037 replaced them. */
async function restoreOldTriggers(db: Store): Promise<void> {
  const stamp = (s: string) => (db.sqlite ? 'hex(randomblob(16))' : 'gen_random_uuid()::text') + s;
  const bump = (scope: string) => `insert into target_name_versions (scope, stamp) values (${scope}, ${stamp('')}) on conflict (scope) do update set stamp = excluded.stamp`;
  const statements = db.sqlite
    ? [
        'drop trigger target_name_versions_insert',
        'drop trigger target_name_versions_delete',
        'drop trigger target_name_versions_update',
        `create trigger target_name_versions_insert after insert on targets begin ${bump('new.scope')}; end`,
        `create trigger target_name_versions_delete after delete on targets begin ${bump('old.scope')}; end`,
        `create trigger target_name_versions_update after update of scope, similarity_key on targets when old.scope is not new.scope or old.similarity_key is not new.similarity_key begin ${bump('old.scope')}; ${bump('new.scope')}; end`,
      ]
    : [
        `create or replace function target_names_changed() returns trigger language plpgsql as $$ begin perform set_config('lantern.target_names_changed', '1', true); return null; end $$`,
        `create or replace function target_name_versions_bump() returns trigger language plpgsql as $$ begin
          if tg_op in ('INSERT', 'UPDATE') then ${bump('new.scope')}; end if;
          if tg_op in ('DELETE', 'UPDATE') then ${bump('old.scope')}; end if;
          return null; end $$`,
      ];
  for (const statement of statements) await sql.raw(statement).execute(db.db);
}

const rows: string[][] = [];
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
for (const kind of kinds) {
  // 1. The cold lookup.
  const { a, b, remove } = await openReplicas(kind, 'lookup');
  try {
    console.log(`${kind}: ${NAMES.toLocaleString('en')} image names … (load ${load()})`);
    for (let k = 0; k < NAMES; k += 1000) {
      await a.db.insertInto('targets').values(Array.from({ length: Math.min(1000, NAMES - k) }, (_, n) => target(`registry.acme.io/svc-${String(k + n).padStart(5, '0')}`))).execute();
    }
    const link = [nameKeys('registry.acme.io/svc-w0000', parseScope('account'))];
    await targetsForLinks(a.db, link);
    const variants = ['full', 'patched', 'kept'] as const;
    const times = { full: [] as number[], patched: [] as number[], kept: [] as number[] };
    const cpu = { full: [] as number[], patched: [] as number[], kept: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      for (let v = 0; v < variants.length; v++) {
        const variant = variants[(round + v) % variants.length] as (typeof variants)[number];
        if (variant !== 'kept') await b.db.insertInto('targets').values(target(`registry.acme.io/new-${String(round * 2 + (variant === 'full' ? 0 : 1)).padStart(4, '0')}`)).execute();
        if (variant === 'full') forgetKeptNames();
        const before = { ...keptNamesUse };
        const usage = process.cpuUsage();
        const start = performance.now();
        await targetsForLinks(a.db, link);
        times[variant].push(performance.now() - start);
        const used = process.cpuUsage(usage);
        cpu[variant].push((used.user + used.system) / 1000);
        if (variant === 'patched' && keptNamesUse.patched !== before.patched + 1) throw new Error('bench: the lookup did not patch the names kept.');
        if (variant === 'kept' && keptNamesUse.kept !== before.kept + 1) throw new Error('bench: the lookup did not reuse the names kept.');
      }
    }
    const figures = (variant: (typeof variants)[number]) => [`${median(times[variant]).toFixed(2)} ms`, `${Math.max(...times[variant]).toFixed(2)} ms`, `${median(cpu[variant]).toFixed(2)} ms`];
    rows.push([kind, 'lookup after one new target: every name read again (before 0037)', ...figures('full')]);
    rows.push([kind, 'lookup after one new target: patched from the change log', ...figures('patched')]);
    rows.push([kind, 'lookup, no target changed (names kept as they were)', ...figures('kept')]);
    console.log(`${kind}: lookups done (load ${load()})`);
  } finally {
    await remove();
  }
  // 2. A first scan's ingest, with migration 0036's triggers and with 0037's.
  const stores = { old: await openReplicas(kind, 'old'), new: await openReplicas(kind, 'new') };
  try {
    await restoreOldTriggers(stores.old.a);
    const lanterns = { old: new Lantern(stores.old.a), new: new Lantern(stores.new.a) };
    const ingests = { old: [] as number[], new: [] as number[] };
    const creates = { old: [] as number[], new: [] as number[] };
    const ingestCpu = { old: [] as number[], new: [] as number[] };
    const bulk = { old: [] as number[], new: [] as number[] };
    const createCpu = { old: [] as number[], new: [] as number[] };
    const cpuSince = (usage: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(usage);
      return (used.user + used.system) / 1000;
    };
    const report = new TextEncoder().encode(trivyReport(20, 5, 1));
    for (let round = 0; round < ROUNDS * 2; round++) {
      for (const variant of round % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
        let usage = process.cpuUsage();
        let start = performance.now();
        await lanterns[variant].ingest({ report, source: 'bench', target: `registry.acme.io/first-${round}`, targetType: 'container', variant: '1.0.0', scope: parseScope('account'), baseline: true });
        ingests[variant].push(performance.now() - start);
        ingestCpu[variant].push(cpuSince(usage));
        const db = stores[variant].a;
        usage = process.cpuUsage();
        start = performance.now();
        for (let n = 0; n < 20; n++) await db.transaction(async (trx) => { await trx.insertInto('targets').values(target(`registry.acme.io/created-${round}-${n}`)).execute(); });
        creates[variant].push((performance.now() - start) / 20);
        createCpu[variant].push(cpuSince(usage) / 20);
        if (round < 6) {
          // A large first scan: 2 000 targets of the scope in one transaction.
          start = performance.now();
          await db.transaction(async (trx) => {
            for (let k = 0; k < 2000; k += 500) await trx.insertInto('targets').values(Array.from({ length: 500 }, (_, n) => target(`registry.acme.io/bulk-${round}-${k + n}`))).execute();
          });
          bulk[variant].push(((performance.now() - start) * 1000) / 2000);
        }
      }
    }
    rows.push([kind, 'first scan ingest (20 findings), migration 0036 triggers', `${median(ingests.old).toFixed(2)} ms`, `${Math.max(...ingests.old).toFixed(2)} ms`, `${median(ingestCpu.old).toFixed(2)} ms`]);
    rows.push([kind, 'first scan ingest (20 findings), migration 0037 triggers', `${median(ingests.new).toFixed(2)} ms`, `${Math.max(...ingests.new).toFixed(2)} ms`, `${median(ingestCpu.new).toFixed(2)} ms`]);
    rows.push([kind, 'one target created in a transaction, 0036 triggers', `${median(creates.old).toFixed(3)} ms`, '', `${median(createCpu.old).toFixed(3)} ms`]);
    rows.push([kind, 'one target created in a transaction, 0037 triggers', `${median(creates.new).toFixed(3)} ms`, '', `${median(createCpu.new).toFixed(3)} ms`]);
    rows.push([kind, '2 000 targets created in one transaction, 0036 triggers (per target)', `${median(bulk.old).toFixed(1)} µs`, '', '']);
    rows.push([kind, '2 000 targets created in one transaction, 0037 triggers (per target)', `${median(bulk.new).toFixed(1)} µs`, '', '']);
    console.log(`${kind}: ingests done (load ${load()})`);
  } finally {
    await stores.old.remove();
    await stores.new.remove();
  }
}
// On SQLite the database works in this process: its CPU time is in the last column; on PostgreSQL it is not.
printTable(['store', 'case', 'median', 'max', 'process CPU (median)'], rows);
