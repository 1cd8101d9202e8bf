/**
 * npx tsx bench/estate-profile.ts --store sqlite|postgres --entities N — where building the
 * synthetic estate (bench/estate.ts) spends its time: each phase's seconds, then the statements
 * that took longest in total (grouped by their text, numbers and parameters aside) and the time
 * spent outside the database. Builds into a scratch file or schema and drops it after.
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Lantern } from '../src/lantern.js';
import { openStore, withDefaultUser } from '../src/store/database.js';
import { buildEstate, POSTGRES } from './estate.js';

const { values: flags } = parseArgs({ options: { store: { type: 'string', default: 'postgres' }, entities: { type: 'string', default: '2000' } } });
const entities = Number(flags.entities);
const kind = flags.store === 'sqlite' ? 'sqlite' : 'postgres';

const spent = new Map<string, { ms: number; calls: number }>();
const record = (text: string, ms: number) => {
  const key = text.replace(/\s+/g, ' ').replace(/\$\d+(, \$\d+)*/g, '$…').replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(?…)').slice(0, 160);
  const entry = spent.get(key) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls += 1;
  spent.set(key, entry);
};

// Times every statement at the driver: pg's Client.query (promise form) and better-sqlite3's statements.
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function timed(this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string };
  const text = typeof first === 'string' ? first : (first?.text ?? '');
  const start = performance.now();
  const answer = query.apply(this, args);
  // A COPY (bench/estate.ts) is a submittable made thenable: awaited, it is timed as a promise.
  if (answer instanceof Promise || (answer !== null && typeof (answer as { then?: unknown }).then === 'function')) {
    const label = typeof first === 'object' && first !== null && 'text' in first && typeof (first as { submit?: unknown }).submit === 'function' ? (first as { text: string }).text : text;
    return Promise.resolve(answer).finally(() => record(label, performance.now() - start));
  }
  return answer;
} as never;
const prepare = BetterSqlite3.prototype.prepare;
BetterSqlite3.prototype.prepare = function timedPrepare(this: BetterSqlite3.Database, source: string) {
  const statement = prepare.call(this, source);
  for (const method of ['run', 'all', 'get'] as const) {
    const original = statement[method].bind(statement) as (...a: unknown[]) => unknown;
    (statement as unknown as Record<string, unknown>)[method] = (...a: unknown[]) => {
      const start = performance.now();
      try {
        return original(...a);
      } finally {
        record(source, performance.now() - start);
      }
    };
  }
  return statement;
} as never;

const schema = `lantern_bench_estate_pg_profile_${entities}`;
const file = `bench/out/estate-pg-profile-${entities}.db`;
const dropSchema = async () => {
  const client = new pg.Client({ connectionString: withDefaultUser(POSTGRES as string) });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
};
if (kind === 'postgres') await dropSchema();
else for (const s of ['', '-wal', '-shm']) rmSync(`${file}${s}`, { force: true });
const store = await openStore(kind === 'postgres' ? (POSTGRES as string) : file, { schema });
spent.clear();
const lantern = new Lantern(store, {});
const load = () => (loadavg()[0] ?? 0).toFixed(2);
console.log(`${kind}, ${entities} entities, load average ${load()}`);
const start = performance.now();
try {
  await buildEstate(lantern, { entities, issuesPerTarget: 100 }, (line) => console.log(`${line}  [load ${load()}]`));
} finally {
  await lantern.close();
}
const total = performance.now() - start;
const rows = [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms);
const inDb = rows.reduce((s, [, v]) => s + v.ms, 0);
console.log(`\ntotal ${(total / 1000).toFixed(1)} s, in statements ${(inDb / 1000).toFixed(1)} s, load average now ${load()}`);
for (const [text, { ms, calls }] of rows.slice(0, 25)) console.log(`${(ms / 1000).toFixed(2).padStart(8)} s ${String(calls).padStart(7)}×  ${text}`);
if (kind === 'postgres') await dropSchema();
else for (const s of ['', '-wal', '-shm']) rmSync(`${file}${s}`, { force: true });
