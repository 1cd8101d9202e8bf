/**
 * npm run bench:scale — whether reads stay flat as the estate grows (issue #17). Builds the
 * synthetic estate (bench/estate.ts: N entities, 2N targets, ~100 issues a target, so issues grow
 * with entities) plus one entity showing a single target with 100 000 issues, serves it in-process
 * on loopback, and prints p50/p95 of each read beside the /api/health floor measured the same way,
 * the time of a first scan of a new linked target and of a full scorecard evaluation, each beside
 * its goal. With --growth it does so at two sizes and prints each p95's growth ratio.
 *
 *   --entities N         estate size (default 10000)
 *   --store S            sqlite, postgres or both (default both when LANTERN_BENCH_DATABASE_URL or
 *                        LANTERN_TEST_DATABASE_URL names a PostgreSQL server, else sqlite)
 *   --growth             measure at 10000 and 50000 entities (or --sizes A,B) and print B/A
 *   --sizes A,B          the two sizes of --growth
 *   --samples N          requests per read (default 300; a read stops after 20 s with ≥ 5)
 *   --link-samples N     first scans and registrations of each kind (default 40): their median and
 *                        p95 are the figures, as for the reads, and the max is printed beside them
 *   --keep NAME          the name estates are kept under (default scale): bench/out/NAME-N.db and
 *                        the schema lantern_bench_NAME_N, so that runs from several work trees on
 *                        one PostgreSQL server keep their estates apart
 *   --build-only         build (or upgrade) the estates and stop
 *   --links-only         only what linking costs: first scans (also among 1 000 entities waiting for
 *                        near names, the worst case, with the refresh of their hints after each scan,
 *                        and back to back), registrations, link lookups
 *   --cold               skip reading the names ahead at start (as servers did before stop 28), the
 *                        rehearsal of an ingest (before stop 30) and of similar-name lookups (stop 32)
 *   --cold-lookups       skip only the rehearsal of similar-name lookups (as servers did before stop 32)
 *   --commit-checkpoints SQLite: let the commits checkpoint the WAL (as servers did before stop 33)
 *                        instead of the store's checkpoint thread that `lantern serve` runs
 *
 * Estates are kept and reused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildServer } from '../src/api/server.js';
import { parseScope } from '../src/domain/scope.js';
import type { Lantern } from '../src/lantern.js';
import { openKeptEstate, storeKinds, writeScannedTargets } from './estate.js';
import { rehearseNearNames, warmKeptNames } from '../src/store/similar-names.js';
import { rehearseIngest } from '../src/ingest/rehearsal.js';
import { linkLookups } from './link-lookup.js';
import { httpGet, latencies, median, percentile, printTable } from './measure.js';
import { random, trivyReport } from './synthetic-reports.js';

const { values: flags } = parseArgs({
  options: {
    entities: { type: 'string', default: '10000' },
    store: { type: 'string' },
    growth: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '10000,50000' },
    samples: { type: 'string', default: '300' },
    'link-samples': { type: 'string', default: '40' },
    keep: { type: 'string', default: 'scale' },
    'build-only': { type: 'boolean', default: false },
    'links-only': { type: 'boolean', default: false },
    cold: { type: 'boolean', default: false },
    'cold-lookups': { type: 'boolean', default: false },
    'commit-checkpoints': { type: 'boolean', default: false },
  },
});
const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} ${JSON.stringify(text)}: expected a positive whole number.`);
  return n;
};
const sizes = flags.growth ? (flags.sizes ?? '').split(',').map((s) => positive('sizes', s)) : [positive('entities', flags.entities ?? '')];
if (flags.growth && sizes.length !== 2) throw new Error('--sizes: expected two sizes, e.g. 10000,50000.');
const SAMPLES = positive('samples', flags.samples ?? '');
const LINK_SAMPLES = positive('link-samples', flags['link-samples'] ?? '');
/** Entities waiting for targets of near names in the first scan's worst case (firstScans). */
const NEAR_CROWD = 1000;
const KEEP = flags.keep ?? 'scale';
if (!/^[a-z0-9-]+$/.test(KEEP)) throw new Error(`--keep ${JSON.stringify(KEEP)}: expected lower-case letters, digits and dashes.`);
const kinds = storeKinds(flags.store);

const HUGE_TARGET = 'registry.acme.io/huge-target';
const HUGE_ISSUES = 100_000;
const HUGE_ENTITY = 'component/default/huge-target';
const BUDGET_MS = 20_000;

/** Adds the entity that shows one target with 100 000 issues, unless the kept estate has it. */
async function addHugeTarget(lantern: Lantern): Promise<void> {
  const { db } = lantern.store;
  if (await db.selectFrom('targets').select('id').where('name_key', '=', HUGE_TARGET).executeTakeFirst()) return;
  const org = await db.selectFrom('orgs').select('id').where('identifier', '=', 'acme').executeTakeFirstOrThrow();
  const project = await db.selectFrom('projects').select('id').where('org_id', '=', org.id).executeTakeFirstOrThrow();
  await writeScannedTargets(lantern.store, { orgId: org.id, projectId: project.id }, [{ name: HUGE_TARGET, container: true, issues: HUGE_ISSUES }], { next: random(17), now: Date.now(), issuesPerTarget: 0 });
  await withCatalogFile(
    `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: huge-target
  annotations:
    harness.io/sto-test-target:
      - name: ${HUGE_TARGET}
        scope: account
spec:
  type: service
  lifecycle: production
  owner: team-0
  system: system-0`,
    (path) => lantern.catalog.register(path, parseScope('acme.services')),
  );
  await sql`analyze`.execute(db);
}

/**
 * An estate kept from before variant tallies existed (migration 0011) has none: they are stored as
 * entities are refreshed. Refreshes the entities that show a variant without one, as the first
 * ingest or catalog refresh after an upgrade would.
 */
async function storeMissingTallies(lantern: Lantern): Promise<void> {
  const { db } = lantern.store;
  const rows = await db
    .selectFrom('entity_links')
    .leftJoin('variant_tallies', 'variant_tallies.variant_id', 'entity_links.variant_id')
    .select('entity_links.entity_id')
    .distinct()
    .where('entity_links.matched', '=', 1)
    .where('variant_tallies.variant_id', 'is', null)
    .execute();
  const ids = rows.map((r) => r.entity_id);
  if (ids.length === 0) return;
  const start = performance.now();
  for (let i = 0; i < ids.length; i += 500) await lantern.store.transaction((trx) => lantern.refreshEntities(trx, ids.slice(i, i + 500), lantern.now()));
  console.log(`  stored the variant tallies of ${ids.length} entities (${((performance.now() - start) / 1000).toFixed(1)} s)`);
}

async function withCatalogFile<T>(yaml: string, use: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-scale-'));
  try {
    const path = join(dir, 'catalog-info.yaml');
    writeFileSync(path, `${yaml}\n`);
    return await use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stops the bench when a location's entities were not stored (a rejected file would time nothing). */
async function expectStored(lantern: Lantern, locationId: number, count: number): Promise<void> {
  const stored = await lantern.store.db.selectFrom('entities').select('id').where('location_id', '=', locationId).execute();
  if (stored.length !== count) throw new Error(`bench: the catalog file registered ${stored.length} entities, not ${count}: its entities were rejected.`);
}

/**
 * The time of first scans of new targets that catalog entities already name: each ingest creates
 * the target and links it to the entity waiting for it. Returns the times in ms of `count`.
 * With `crowd`, that many entities wait, each for its own target, and the names differ in a few
 * digits only (…/near-STAMP-00000 to -00999): every first scan concerns every link still waiting
 * (within the similar-name distance), which gets its similar-name hint resolved again, after the
 * scan's commit (catalog/link-hints.ts). The worst case of the first scan; `count` of them are
 * scanned, spread over the crowd. Each refresh is timed apart (`refreshes`), before the next scan;
 * with `settle: false` the scans follow each other at once, each refresh overlapping the next scan.
 */
async function firstScans(lantern: Lantern, count: number, crowd = 0, options: { settle?: boolean } = {}): Promise<{ times: number[]; refreshes: number[] }> {
  const settle = options.settle ?? true;
  const stamp = Date.now().toString(36);
  const waiting = Math.max(count, crowd);
  const names = Array.from({ length: waiting }, (_, k) => (crowd > 0 ? `registry.acme.io/near-${stamp}-${String(k).padStart(5, '0')}` : `registry.acme.io/new-${stamp}-${k}`));
  const scanned = crowd > 0 ? Array.from({ length: count }, (_, i) => names[Math.floor((i * waiting) / count)] as string) : names;
  const docs = names.map(
    (name, k) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: waiting-${stamp}-${k}
  annotations:
    harness.io/sto-test-target:
      - name: ${name}
        scope: account
spec:
  type: service
  lifecycle: production
  owner: team-1`,
  );
  const { location } = await withCatalogFile(docs.join('\n---\n'), (path) => lantern.catalog.register(path, parseScope('acme.services')));
  await expectStored(lantern, location.id, waiting);
  const times: number[] = [];
  const refreshes: number[] = [];
  try {
    for (const [k, name] of scanned.entries()) {
      const report = new TextEncoder().encode(trivyReport(20, 5, k + 1));
      const start = performance.now();
      await lantern.ingest({ report, source: 'bench', target: name, targetType: 'container', variant: '1.0.0', scope: parseScope('account'), baseline: true });
      const ingested = performance.now();
      times.push(ingested - start);
      // The similar-name hints the scan queued are refreshed after its commit (catalog/link-hints.ts):
      // timed apart, before the next scan, unless the scans are to follow each other at once.
      if (settle) {
        await lantern.linkHints.settled();
        refreshes.push(performance.now() - ingested);
      }
    }
    await lantern.linkHints.settled();
    const linked = await lantern.store.db
      .selectFrom('entity_links')
      .innerJoin('entities', 'entities.id', 'entity_links.entity_id')
      .select('entity_links.id')
      .where('entities.location_id', '=', location.id)
      .where('entity_links.matched', '=', 1)
      .execute();
    if (linked.length !== count) throw new Error(`bench: ${linked.length} of the ${count} scanned targets' waiting entities were linked by their first scans.`);
  } finally {
    await lantern.unregisterLocation(location.id);
  }
  console.log(`  first scans${crowd > 0 ? ` among ${crowd} waiting near names` : ''}${settle ? '' : ', back to back'}: ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
  if (crowd > 0 && settle) console.log(`  then the hints' refresh after each: ${refreshes.map((t) => t.toFixed(1)).join(', ')} ms`);
  return { times, refreshes };
}

/**
 * The time of registering a catalog file with one entity whose annotation names one target
 * (the waiting kind: no target has its name yet), then unregistering it: the times in ms.
 */
async function registrations(lantern: Lantern, count: number, targetName: (stamp: string, k: number) => string): Promise<number[]> {
  const stamp = Date.now().toString(36);
  const times: number[] = [];
  for (let k = 0; k < count; k++) {
    const yaml = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: registered-${stamp}-${k}
  annotations:
    harness.io/sto-test-target:
      - name: ${targetName(stamp, k)}
        scope: account
spec:
  type: service
  lifecycle: production
  owner: team-2`;
    const start = performance.now();
    const { location } = await withCatalogFile(yaml, (path) => lantern.catalog.register(path, parseScope('acme.services')));
    times.push(performance.now() - start);
    await expectStored(lantern, location.id, 1);
    await lantern.unregisterLocation(location.id);
  }
  // Each time, in order: the first may be the process's first read of a length range.
  console.log(`  registrations (${targetName(stamp, 0)} …): ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
  return times;
}

/** A linking figure: median and p95 of its times, as for the reads, and the max (often a process's first). */
function timed(name: string, times: number[]): Figure {
  const sorted = [...times].sort((a, b) => a - b);
  return { name: `${name} (median / p95 of ${times.length})`, p50: median(times), p95: percentile(sorted, 95), max: sorted.at(-1), goal: 50 };
}

interface Figure {
  name: string;
  p50: number;
  p95: number;
  /** Linking figures: the slowest of their times. */
  max?: number;
  goal: number;
}

async function measureStore(kind: 'sqlite' | 'postgres', entities: number): Promise<{ floor: [number, number]; figures: Figure[] }> {
  // As `lantern serve` opens it: on SQLite the WAL is checkpointed by a thread of its own.
  const { lantern, estate } = await openKeptEstate(kind, { entities, issuesPerTarget: 100 }, {}, `${KEEP}-${entities}`, { checkpointInThread: !flags['commit-checkpoints'] });
  await addHugeTarget(lantern);
  await storeMissingTallies(lantern);
  // As `lantern serve` does at start: results kept from an older estate are counted in the
  // scorecard tallies (migration 0019) by an evaluation.
  await lantern.evaluateScorecards();
  if (flags['build-only']) {
    await lantern.close();
    return { floor: [0, 0], figures: [] };
  }
  const app = await buildServer(lantern, { auth: { anonymous: { role: 'viewer', scope: 'account' } } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  // As `lantern serve` does once it listens (in the background there; awaited here, so that the
  // figures below are those of a server whose warm-up is done): the names of the largest scopes
  // read ahead for similar-name hints.
  const warmStart = performance.now();
  const warmed = flags.cold ? { scopes: 0, names: 0, skipped: 0 } : await warmKeptNames(lantern.store.db);
  const warmMs = performance.now() - warmStart;
  console.log(`  ${kind} ${entities}: names read ahead at start: ${warmed.names.toLocaleString('en')} of ${warmed.scopes} scope(s) in ${warmMs.toFixed(0)} ms`);
  // And their weighing rehearsed in memory, as serve does next.
  const rehearseStart = performance.now();
  const nearNames = flags.cold || flags['cold-lookups'] ? { lookups: 0, weighed: 0 } : await rehearseNearNames();
  if (nearNames.lookups > 0) console.log(`  ${kind} ${entities}: ${nearNames.lookups} similar-name lookups rehearsed (${nearNames.weighed.toLocaleString('en')} names weighed) in ${(performance.now() - rehearseStart).toFixed(0)} ms`);
  // Then, as serve does too, the ingest path rehearsed and rolled back (PostgreSQL only).
  const rehearsal = flags.cold ? { rehearsed: false, connections: 0, ms: 0 } : await rehearseIngest(lantern);
  if (rehearsal.rehearsed) console.log(`  ${kind} ${entities}: ingest rehearsed at start on ${rehearsal.connections} connection(s) in ${rehearsal.ms.toFixed(0)} ms`);
  try {
    const next = random(11);
    const entity = () => (estate.refs[Math.floor(next() * estate.refs.length)] as string).replace(':', '/');
    const get = (path: () => string) => httpGet(base, path);
    const floor = await latencies(get(() => '/api/health'), SAMPLES);
    const cases: Array<[string, () => Promise<number>, number]> = [
      ['entity summary', get(() => `/api/insights/entities/${entity()}/summary`), 10],
      ["first page of an entity's issues", get(() => `/api/insights/entities/${entity()}/issues?limit=50`), 30],
      ['overview, first page (-critical)', get(() => '/api/insights/overview?limit=50'), 50],
      ['overview, first page (name)', get(() => '/api/insights/overview?limit=50&sort=name'), 50],
      ['overview, deep page by offset (90%)', get(() => `/api/insights/overview?limit=50&offset=${Math.floor(entities * 0.9)}`), 50],
      ['overview, filtered (owner + lifecycle)', get(() => `/api/insights/overview?limit=50&owner=team-${Math.floor(next() * 200)}&lifecycle=production`), 50],
      ['overview, filtered (tag, by total)', get(() => '/api/insights/overview?limit=50&tag=pci&sort=-total'), 50],
      ['overview, filtered (tag + owner, by name)', get(() => `/api/insights/overview?limit=50&tag=java&owner=team-${Math.floor(next() * 200)}&sort=name`), 50],
      ['overview, filtered (two tags, by critical)', get(() => '/api/insights/overview?limit=50&tag=pci,go'), 50],
      ['overview, by score (-score, built-in scorecard)', get(() => '/api/insights/overview?limit=50&sort=-score&scorecard=security-baseline'), 50],
      ['overview, by score, tag pci (score)', get(() => '/api/insights/overview?limit=50&sort=score&scorecard=security-baseline&tag=pci'), 50],
      ['overview, text q (a name, 2 letters: no issue search)', get(() => `/api/insights/overview?limit=50&q=${String(Math.floor(next() * 90) + 10)}`), 50],
      ['overview, text q (a name, 9 letters: names and issues)', get(() => `/api/insights/overview?limit=50&q=svc-${String(Math.floor(next() * 1000)).padStart(4, '0')}`), 50],
      ['overview, text q (an issue id: CVE-2024-100NN)', get(() => `/api/insights/overview?limit=50&q=CVE-2024-100${String(Math.floor(next() * 100)).padStart(2, '0')}`), 50],
      ['overview, text q (a package, matching many issues)', get(() => `/api/insights/overview?limit=50&q=package-${String(Math.floor(next() * 60))}`), 50],
      [
        'dashboard (trend + 2 overview reads, together)',
        async () => {
          const answers = await Promise.all(['/api/insights/trend?days=30', '/api/insights/overview?limit=1', '/api/insights/overview?hasData=true&sort=-critical&limit=10'].map((p) => get(() => p)()));
          return answers.find((s) => s !== 200) ?? 200;
        },
        50,
      ],
      ['scorecard list with tallies', get(() => '/api/scorecards'), 50],
      ['scorecard results page', get(() => '/api/scorecards/security-baseline/results?limit=50'), 50],
      ['scorecard trend (30 days)', get(() => '/api/scorecards/security-baseline/trend?days=30'), 50],
      ['scorecard results, deep page (90%)', get(() => `/api/scorecards/security-baseline/results?limit=50&offset=${Math.floor(entities * 0.9)}`), 50],
      ['100 000-issue target: entity summary', get(() => `/api/insights/entities/${HUGE_ENTITY}/summary`), 10],
      ['100 000-issue target: first issue page', get(() => `/api/insights/entities/${HUGE_ENTITY}/issues?limit=50`), 30],
    ];
    const deep = await deepCursor(base, '/api/insights/overview?limit=200', entities);
    if (deep) cases.splice(5, 0, ['overview, deep page by cursor (90%)', get(() => `/api/insights/overview?limit=50&cursor=${encodeURIComponent(deep)}`), 50]);
    const deepScore = await deepCursor(base, '/api/insights/overview?limit=200&sort=-score&scorecard=security-baseline', entities);
    if (deepScore) cases.splice(6, 0, ['overview, by score, deep page by cursor (90%)', get(() => `/api/insights/overview?limit=50&sort=-score&scorecard=security-baseline&cursor=${encodeURIComponent(deepScore)}`), 50]);
    const deepResults = await deepCursor(base, '/api/scorecards/security-baseline/results?limit=200', entities);
    if (deepResults) cases.push(['scorecard results, deep page by cursor (90%)', get(() => `/api/scorecards/security-baseline/results?limit=50&cursor=${encodeURIComponent(deepResults)}`), 50]);
    const figures: Figure[] = [{ name: `names read ahead at start, as serve does (${warmed.names.toLocaleString('en')} names, ${warmed.scopes} scope(s))`, p50: warmMs, p95: warmMs, goal: 0 }];
    for (const [name, request, goal] of flags['links-only'] ? [] : cases) {
      const [p50, p95] = await latencies(request, SAMPLES, { warmUp: 3, budgetMs: BUDGET_MS });
      figures.push({ name, p50, p95, goal });
      console.log(`  ${kind} ${entities}: ${name}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
    }
    figures.push(timed('first scan of a new linked target', (await firstScans(lantern, LINK_SAMPLES)).times));
    const crowded = await firstScans(lantern, Math.min(LINK_SAMPLES, 20), NEAR_CROWD);
    figures.push(timed(`the same, ${NEAR_CROWD.toLocaleString('en')} entities waiting for near names (worst case)`, crowded.times));
    figures.push({ ...timed(`  then the refresh of their similar-name hints, after the commit`, crowded.refreshes), goal: 0 });
    figures.push(timed(`  the same scans back to back, each refresh overlapping the next scan`, (await firstScans(lantern, Math.min(LINK_SAMPLES, 20), NEAR_CROWD, { settle: false })).times));
    figures.push(timed('registering a catalog file of one linked entity', await registrations(lantern, LINK_SAMPLES, (stamp, k) => `registry.acme.io/registered-${stamp}-${k}`)));
    // The similar-name hint of a name no target has reads the names of its scope within a few
    // characters of its length: here every image of the estate (registry.acme.io/svc-NNNNN).
    figures.push(timed('the same, naming a target as long as every image name (worst case)', await registrations(lantern, LINK_SAMPLES, (_, k) => `registry.acme.io/svc-w${String(k).padStart(4, '0')}`)));
    for (const lookup of await linkLookups(lantern)) figures.push({ name: `${lookup.name}: ${lookup.targets.toLocaleString('en')} targets read (median of 5)`, p50: lookup.ms, p95: lookup.ms, goal: 50 });
    if (flags['links-only']) return { floor, figures };
    const start = performance.now();
    await lantern.evaluateScorecards(new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString());
    const evaluation = performance.now() - start;
    figures.push({ name: 'full scorecard evaluation, a day later (built-in scorecard)', p50: evaluation, p95: evaluation, goal: 3000 });
    return { floor, figures };
  } finally {
    const checkpoints = lantern.store.checkpointer?.stats;
    if (checkpoints) console.log(`  ${kind} ${entities}: the WAL checkpointed ${checkpoints.checkpoints} times by the store's thread, the slowest in ${checkpoints.slowestMs.toFixed(1)} ms`);
    await app.close();
    await lantern.close();
  }
}

/** The cursor 90% of the way through a list of `path` (pages of 200), when it pages by cursor. */
async function deepCursor(base: string, path: string, entities: number): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let seen = 0; seen < entities * 0.9; seen += 200) {
    const page = (await (await fetch(`${base}${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json()) as { nextCursor?: string | null };
    if (!page.nextCursor) return undefined;
    cursor = page.nextCursor;
  }
  return cursor;
}

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);
const results = new Map<string, { floor: [number, number]; figures: Figure[] }>();
for (const entities of sizes) for (const kind of kinds) results.set(`${kind} ${entities}`, await measureStore(kind, entities));
if (flags['build-only']) process.exit(0);

for (const entities of sizes) {
  console.log(`\nLantern scale benchmark: ${entities.toLocaleString('en')} entities (+1 with a ${HUGE_ISSUES.toLocaleString('en')}-issue target), ~${(entities * 200).toLocaleString('en')} issues; up to ${SAMPLES} sequential requests each over loopback, Node ${process.version}\n`);
  const rows: string[][] = [];
  for (const kind of kinds) {
    const { floor, figures } = results.get(`${kind} ${entities}`) as { floor: [number, number]; figures: Figure[] };
    rows.push([kind, 'floor: GET /api/health', ms(floor[0]), ms(floor[1]), '-', '-']);
    for (const f of figures) rows.push([kind, f.name, ms(f.p50), ms(f.p95), f.max === undefined ? '-' : ms(f.max), f.goal === 0 ? '-' : `≤ ${ms(f.goal)} ${f.p95 <= f.goal ? '(met)' : '(missed)'}`]);
  }
  printTable(['store', 'read', 'p50', 'p95 (or max)', 'max', 'goal'], rows);
}
if (flags.growth) {
  const [small, large] = sizes as [number, number];
  console.log(`\nGrowth of p95 from ${small.toLocaleString('en')} to ${large.toLocaleString('en')} entities (goal for reads ≤ 1.3×)\n`);
  const rows: string[][] = [];
  for (const kind of kinds) {
    const a = results.get(`${kind} ${small}`)?.figures ?? [];
    const b = results.get(`${kind} ${large}`)?.figures ?? [];
    for (const f of a) {
      const g = b.find((x) => x.name === f.name);
      if (g) rows.push([kind, f.name, ms(f.p95), ms(g.p95), `${(g.p95 / f.p95).toFixed(2)}×`]);
    }
  }
  printTable(['store', 'read', `p95 at ${small}`, `p95 at ${large}`, 'growth'], rows);
}
