/**
 * npm run bench:scorecard-trend — the per-scorecard trend (GET /api/scorecards/:id/trend, issue #17)
 * read from stored rows against the computation from every history row it replaced. Opens (or
 * builds) the synthetic estate (bench/estate.ts), evaluates the scorecards on the last few days so
 * that there is history, and prints p50/p95 of the endpoint, of the stored read and of the
 * computation, beside the /api/health floor. Then the trends filtered by one owner (the scorecard's,
 * and the catalog's of GET /api/insights/trend?owner=…) read from the stored facet rows against
 * their computation from the chosen entities' history, the two measured alternately.
 *
 *   --entities N   estate size (default 2000)
 *   --store S      sqlite or postgres (default sqlite)
 *   --samples N    requests per read (default 100)
 *   --keep NAME    the name the estate is kept under (default scorecard-trend)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildServer } from '../src/api/server.js';
import { computedTrend, trend } from '../src/insights/trend.js';
import { computedScorecardTrend, scorecardTrend } from '../src/scorecards/results.js';
import { entityMatches } from '../src/store/trend-facets.js';
import { openKeptEstate } from './estate.js';
import { httpGet, latencies, percentile, printTable } from './measure.js';

const { values: flags } = parseArgs({
  options: {
    entities: { type: 'string', default: '2000' },
    store: { type: 'string', default: 'sqlite' },
    samples: { type: 'string', default: '100' },
    keep: { type: 'string', default: 'scorecard-trend' },
  },
});
const entities = Number(flags.entities);
const samples = Number(flags.samples);
const kind = flags.store as 'sqlite' | 'postgres';
if (!Number.isSafeInteger(entities) || entities < 1 || !Number.isSafeInteger(samples) || samples < 1) throw new Error('--entities and --samples: expected positive whole numbers.');
if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`--store ${JSON.stringify(flags.store)}: expected sqlite or postgres.`);

const DAY = 24 * 60 * 60 * 1000;
const { lantern } = await openKeptEstate(kind, { entities, issuesPerTarget: 100 }, {}, `${flags.keep}-${entities}`);
// History on several days: each evaluation stores the results that changed since the day before.
for (let d = 6; d >= 0; d--) await lantern.evaluateScorecards(new Date(Date.now() - d * DAY).toISOString());
const history = await lantern.store.db.selectFrom('scorecard_history').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
const stored = await lantern.store.db.selectFrom('scorecard_trend_changes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
console.log(`${kind} ${entities}: ${Number(history.n).toLocaleString('en')} history rows, ${Number(stored.n).toLocaleString('en')} stored trend rows`);

const app = await buildServer(lantern, { auth: { anonymous: { role: 'viewer', scope: 'account' } } });
const base = await app.listen({ host: '127.0.0.1', port: 0 });
try {
  const scorecard = await lantern.scorecards.find(lantern.store.db, 'security-baseline');
  const now = new Date().toISOString();
  const inProcess = (read: typeof scorecardTrend, options: Partial<Parameters<typeof scorecardTrend>[2]> = {}) => async () => {
    await read(lantern.store.db, scorecard, { days: 30, now, ...options });
    return 200;
  };
  const cases: Array<[string, () => Promise<number>]> = [
    ['/api/health (floor)', httpGet(base, () => '/api/health')],
    ['GET /api/scorecards/security-baseline/trend?days=30', httpGet(base, () => '/api/scorecards/security-baseline/trend?days=30')],
    ['stored read, 30 days (in process)', inProcess(scorecardTrend)],
    ['stored read, 30 days, one project (in process)', inProcess(scorecardTrend, { scopes: { all: false, orgs: [], projects: ['acme.services'] } })],
    ['computed from every history row, 30 days (the former read)', inProcess(computedScorecardTrend)],
    ['computed, 30 days, one project (the former read)', inProcess(computedScorecardTrend, { scopes: { all: false, orgs: [], projects: ['acme.services'] } })],
  ];
  const rows: string[][] = [];
  for (const [name, request] of cases) {
    const [p50, p95] = await latencies(request, samples, { warmUp: 5, budgetMs: 20_000 });
    rows.push([name, p50.toFixed(1), p95.toFixed(1)]);
  }
  printTable([`${kind}, ${entities.toLocaleString('en')} entities (load ${loadavg()[0]?.toFixed(1)})`, 'p50 ms', 'p95 ms'], rows);

  // Filtered by one owner: the former computation and the stored read, one after the other.
  const owner = ['team-7'];
  const filtered: Array<[string, () => Promise<unknown>, string, () => Promise<unknown>]> = [
    [
      'scorecard trend, owner team-7: computed (before)',
      () => computedScorecardTrend(lantern.store.db, scorecard, { days: 30, now, owner }),
      'scorecard trend, owner team-7: stored (after)',
      () => scorecardTrend(lantern.store.db, scorecard, { days: 30, now, owner }),
    ],
    [
      'catalog trend, owner team-7: computed (before)',
      async () => {
        const ids = await lantern.store.db.selectFrom('entities').select('id').where(entityMatches('entities', { owner })).execute();
        return computedTrend(lantern.store.db, { days: 30, now, entityIds: ids.map((e) => e.id) });
      },
      'catalog trend, owner team-7: stored (after)',
      () => trend(lantern.store.db, { days: 30, now, filter: { owner } }),
    ],
  ];
  const pairs: string[][] = [['GET /api/insights/trend?days=30&owner=team-7', ...(await latencies(httpGet(base, () => '/api/insights/trend?days=30&owner=team-7'), samples, { warmUp: 5, budgetMs: 20_000 })).map((x) => x.toFixed(1))]];
  for (const [beforeName, before, afterName, after] of filtered) {
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < samples + 5; i++) {
      for (const [k, read] of [before, after].entries()) {
        const start = performance.now();
        await read();
        if (i >= 5) times[k]?.push(performance.now() - start);
      }
    }
    for (const [k, name] of [beforeName, afterName].entries()) {
      const sorted = (times[k] ?? []).sort((a, b) => a - b);
      pairs.push([name, percentile(sorted, 50).toFixed(1), percentile(sorted, 95).toFixed(1)]);
    }
  }
  printTable([`${kind}, filtered, alternating (load ${loadavg()[0]?.toFixed(1)})`, 'p50 ms', 'p95 ms'], pairs);
} finally {
  await app.close();
  await lantern.close();
}
