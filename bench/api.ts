/**
 * npm run bench:api — read latency over HTTP on loopback on the synthetic estate (bench/estate.ts:
 * 10 000 entities, 20 000 targets, ~2 000 000 issues), on SQLite and, when LANTERN_BENCH_DATABASE_URL
 * (or LANTERN_TEST_DATABASE_URL) names a PostgreSQL server, on PostgreSQL. For each store: p50 and
 * p95 of an entity summary, the first page of an entity's issues, and a 50-row overview page
 * sorted by criticals, by known-exploited and by SLA-breached issues, beside the floor: GET /api/health, a bare `select 1` through the same server.
 * Goals on SQLite (issue #5): summary p95 ≤ 10 ms, issue page p95 ≤ 30 ms, overview p95 ≤ 50 ms.
 * The entity summary is measured twice: anonymously (the server lets anonymous callers read) and
 * with a bearer token on every request; goal (issue #11): the authenticated p95 within 1 ms of the
 * anonymous one on SQLite.
 *
 * The estate takes a minute or two to build; it is kept (bench/out/estate.db, and the schema
 * lantern_bench_estate on PostgreSQL) and reused while its size is the same. BENCH_ENTITIES sizes it.
 */
import { buildServer } from '../src/api/server.js';
import { FULL_ESTATE, openKeptEstate, POSTGRES } from './estate.js';
import { httpGet, latencies, printTable } from './measure.js';
import { random } from './synthetic-reports.js';

const SIZE = { ...FULL_ESTATE, entities: Number(process.env.BENCH_ENTITIES ?? FULL_ESTATE.entities) };
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);

/** Latencies of `count` sequential GETs, after a warm-up, as [p50, p95] in ms. */
const measure = (base: string, urls: () => string, count: number, headers: Record<string, string> = {}) => latencies(httpGet(base, urls, headers), count);

const rows: string[][] = [];
const kinds: Array<'sqlite' | 'postgres'> = POSTGRES ? ['sqlite', 'postgres'] : ['sqlite'];
if (!POSTGRES) console.log('PostgreSQL: skipped (set LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL to measure it too)');
for (const kind of kinds) {
  const { lantern, estate } = await openKeptEstate(kind, SIZE);
  const app = await buildServer(lantern, { auth: { anonymous: { role: 'viewer', scope: 'account' } } });
  const { token } = await lantern.createToken({ name: `bench ${Date.now()}`, role: 'viewer', scope: 'account', expires: '1d' });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const next = random(11);
    const entity = () => (estate.refs[Math.floor(next() * estate.refs.length)] as string).replace(':', '/');
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    const floor = await measure(base, () => '/api/health', SAMPLES);
    const cases: Array<[string, () => string, number]> = [
      ['entity summary', () => `/api/insights/entities/${entity()}/summary`, 10],
      ["first page of an entity's issues", () => `/api/insights/entities/${entity()}/issues?limit=50`, 30],
      ['overview page, 50 rows by criticals', () => `/api/insights/overview?limit=50&offset=${Math.floor(next() * 20) * 50}&sort=-critical`, 50],
      // The KEV and Breached columns' sorts read their own indexes (0014-exploitation-sort-keys.ts).
      ['overview page, 50 rows by known-exploited', () => `/api/insights/overview?limit=50&offset=${Math.floor(next() * 20) * 50}&sort=-knownExploited`, 50],
      ['overview page, 50 rows by SLA breached', () => `/api/insights/overview?limit=50&offset=${Math.floor(next() * 20) * 50}&sort=-slaBreached`, 50],
    ];
    let anonymousSummary = 0;
    for (const [name, url, goal] of cases) {
      const [p50, p95] = await measure(base, url, SAMPLES);
      if (name === 'entity summary') anonymousSummary = p95;
      rows.push([kind, name, ms(p50), ms(p95), kind === 'sqlite' ? `≤ ${goal} ms ${p95 <= goal ? '(met)' : '(missed)'}` : '-', `${ms(floor[0])} / ${ms(floor[1])}`]);
    }
    const [p50, p95] = await measure(base, () => `/api/insights/entities/${entity()}/summary`, SAMPLES, { authorization: `Bearer ${token}` });
    const within = p95 - anonymousSummary;
    rows.push([
      kind,
      'entity summary, bearer token',
      ms(p50),
      ms(p95),
      kind === 'sqlite' ? `≤ anonymous + 1 ms: ${within >= 0 ? '+' : ''}${within.toFixed(1)} ms ${within <= 1 ? '(met)' : '(missed)'}` : `${within >= 0 ? '+' : ''}${within.toFixed(1)} ms`,
      `${ms(floor[0])} / ${ms(floor[1])}`,
    ]);
  } finally {
    await app.close();
    await lantern.close();
  }
}
console.log(`\nLantern API benchmark: ${SIZE.entities.toLocaleString('en')} entities, ${(SIZE.entities * 2).toLocaleString('en')} targets, ~${(SIZE.entities * 2 * SIZE.issuesPerTarget).toLocaleString('en')} issues; ${SAMPLES} sequential requests each over loopback, Node ${process.version}\n`);
printTable(['store', 'request', 'p50', 'p95', 'goal (p95)', 'floor: select 1 (p50 / p95)'], rows);
