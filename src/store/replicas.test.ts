import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore, openTestStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import { LanternMetrics } from '../api/metrics.js';
import { periodicJob, SCORECARD_JOB } from '../cli/commands/serve.js';
import { Lantern } from '../lantern.js';
import { openStore, type Store } from './database.js';

/** One replica of a cluster: a Lantern on the shared database, its metrics, and what it logged. */
interface Replica {
  lantern: Lantern;
  metrics: LanternMetrics;
  logged: Array<{ level: string; message: string }>;
  tick: ReturnType<typeof periodicJob>;
}

function replica(store: Store): Replica {
  const lantern = new Lantern(store);
  const metrics = new LanternMetrics(store);
  const logged: Replica['logged'] = [];
  const log = { debug: (_: unknown, message: string) => logged.push({ level: 'debug', message }), error: (_: unknown, message: string) => logged.push({ level: 'error', message }) };
  return { lantern, metrics, logged, tick: periodicJob(lantern, log as never, metrics) };
}

async function runs(replica: Replica, outcome: string): Promise<number> {
  const { text } = await replica.metrics.scrape();
  const line = text.split('\n').find((l) => l.startsWith(`lantern_periodic_job_runs_total{job="${SCORECARD_JOB}",outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describeEachStore('periodic jobs of two replicas on one database', (kind: StoreKind) => {
  let a: Replica;
  let b: Replica;
  beforeEach(async () => {
    const first = await openTestStore(kind);
    // The second replica opens the same database: on PostgreSQL the same schema through its own pool.
    let second = first;
    if (kind === 'postgres') {
      const schema = (await first.db.selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s')).executeTakeFirstOrThrow()).s;
      second = await openStore(POSTGRES_URL as string, { schema, poolSize: 4 });
    }
    a = replica(first);
    b = replica(second);
  });
  afterEach(async () => {
    if (b.lantern.store !== a.lantern.store) await b.lantern.close();
    await a.lantern.close();
  });

  it(kind === 'postgres' ? 'runs a job once when both tick together: the other skips, and takes it next time' : 'runs every tick: SQLite is one server process', async () => {
    let evaluations = 0;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Replica A's tick holds the job until replica B has ticked too.
    const first = a.tick(SCORECARD_JOB, async () => {
      started();
      await released;
      evaluations++;
      return a.lantern.evaluateScorecards();
    });
    await running;
    const second = await b.tick(SCORECARD_JOB, async () => {
      evaluations++;
      return b.lantern.evaluateScorecards();
    });
    release();
    expect(Array.isArray(await first)).toBe(true);

    if (kind === 'postgres') {
      expect(second).toBeUndefined();
      expect(evaluations).toBe(1);
      expect([await runs(a, 'ran'), await runs(a, 'skipped-lease'), await runs(b, 'ran'), await runs(b, 'skipped-lease')]).toEqual([1, 0, 0, 1]);
      expect(b.logged).toEqual([{ level: 'debug', message: 'periodic job skipped: another replica holds its lease' }]);
    } else {
      expect(Array.isArray(second)).toBe(true);
      expect(evaluations).toBe(2);
      expect([await runs(a, 'ran'), await runs(b, 'ran'), await runs(b, 'skipped-lease')]).toEqual([1, 1, 0]);
    }
    // The lease ends with the run: the next tick of B runs.
    expect(Array.isArray(await b.tick(SCORECARD_JOB, () => b.lantern.evaluateScorecards()))).toBe(true);
    expect(await runs(b, 'ran')).toBe(kind === 'postgres' ? 1 : 2);
  });

  it('counts and logs a failed run without rejecting, and releases the lease', async () => {
    expect(await a.tick(SCORECARD_JOB, () => Promise.reject(new Error('scorecard file unreadable')))).toBeUndefined();
    expect(await runs(a, 'failed')).toBe(1);
    expect(a.logged).toEqual([{ level: 'error', message: `periodic job ${SCORECARD_JOB} failed` }]);
    expect(await b.tick(SCORECARD_JOB, async () => 'ran')).toBe('ran');
  });
});

it.skipIf(!POSTGRES_URL)('starts two replicas at once on a fresh PostgreSQL schema: migrations run once, serialised by Kysely’s advisory lock [postgres]', async () => {
  const schema = `lantern_t${process.env.LANTERN_TEST_RUN ?? 'adhoc'}_${process.pid}_replicas`;
  const stores = await Promise.all([openStore(POSTGRES_URL as string, { schema, poolSize: 2 }), openStore(POSTGRES_URL as string, { schema, poolSize: 2 })]);
  try {
    const migrations = await stores[0].db.selectFrom('kysely_migration' as never).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const applied = await stores[1].db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    expect(migrations.n).toBe(applied.length);
    expect(new Set(applied.map((row) => (row as { name: string }).name)).size).toBe(applied.length);
    expect(applied.length).toBeGreaterThan(0);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
});
