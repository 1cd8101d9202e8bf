/**
 * npm run bench:scorecards — evaluating 5 scorecards of 10 checks each over the synthetic estate
 * (bench/estate.ts: 10 000 entities), on SQLite and, when LANTERN_BENCH_DATABASE_URL (or
 * LANTERN_TEST_DATABASE_URL) names a PostgreSQL server, on PostgreSQL. Each time is printed beside
 * the floor, the bulk read of every entity's data points once (readEntityFacts), and the goal of
 * issue #7: a full evaluation under 2 s on SQLite.
 *
 *   - first evaluation: no stored result; every result and the day's history are written;
 *   - again, nothing changed: every result is computed and compared, none written;
 *   - a day later: "days since the last scan" moved for every entity with data, so every result
 *     with one is written again (history only where a status or score changed).
 *
 * The estate is kept in bench/out/ and reused (see bench/api.ts); BENCH_ENTITIES sizes it.
 */
import { evaluateScorecards, type ScorecardEvaluation } from '../src/scorecards/evaluate.js';
import { readEntityFacts } from '../src/scorecards/data-points.js';
import { readScorecard, type Scorecard } from '../src/scorecards/scorecard.js';
import { FULL_ESTATE, openKeptEstate, POSTGRES } from './estate.js';
import { median, printTable } from './measure.js';

const SIZE = { ...FULL_ESTATE, entities: Number(process.env.BENCH_ENTITIES ?? FULL_ESTATE.entities) };
const ROUNDS = 3;
const GOAL_MS = 2000;

type RuleSpec = { dataPoint: string; input?: string; operator: string; value: number | boolean | string; whenNoData?: string };
const POOL: RuleSpec[] = [
  { dataPoint: 'sto.critical', operator: '==', value: 0 },
  { dataPoint: 'sto.high', operator: '<=', value: 5 },
  { dataPoint: 'sto.medium', operator: '<', value: 20 },
  { dataPoint: 'sto.low', operator: '<', value: 40 },
  { dataPoint: 'sto.info', operator: '!=', value: 0 },
  { dataPoint: 'sto.total', input: 'high', operator: '<', value: 10 },
  { dataPoint: 'sto.fixable', input: 'high', operator: '==', value: 0 },
  { dataPoint: 'sto.new', operator: '<=', value: 10 },
  { dataPoint: 'sto.exempted', operator: '>=', value: 0 },
  { dataPoint: 'sto.days_since_last_scan', operator: '<', value: 7, whenNoData: 'fail' },
  { dataPoint: 'sto.oldest_open_days', input: 'critical', operator: '<', value: 45 },
  { dataPoint: 'sto.has_security_data', operator: '==', value: true },
  { dataPoint: 'sto.unmatched_links', operator: '==', value: 0 },
  { dataPoint: 'catalog.has_owner', operator: '==', value: true },
  { dataPoint: 'catalog.has_sto_annotation', operator: '==', value: true },
  { dataPoint: 'catalog.has_source_location', operator: '==', value: true },
  { dataPoint: 'catalog.lifecycle', operator: '!=', value: 'experimental' },
  { dataPoint: 'catalog.type', operator: '==', value: 'service' },
  { dataPoint: 'catalog.has_tag', input: 'pci', operator: '!=', value: true },
  { dataPoint: 'sto.total', operator: '<', value: 150, whenNoData: 'pass' },
];
const FILTERS = [{ kind: ['Component'] }, {}, { tags: ['pci', 'java'] }, { lifecycle: ['production'] }, { type: ['website'] }];

/** Five scorecards of ten checks, each a window of the pool, over differently filtered entities. */
function benchScorecards(): Scorecard[] {
  return FILTERS.map((filter, s) => {
    const checks = Array.from({ length: 10 }, (_, k) => {
      const { whenNoData, ...rule } = POOL[(s * 4 + k) % POOL.length] as RuleSpec;
      return { id: `check-${k}`, name: `Check ${k}`, weight: 1 + (k % 3), rules: [rule], ...(whenNoData ? { whenNoData } : {}) };
    });
    const { definition, issues } = readScorecard({ id: `bench-${s}`, name: `Bench ${s}`, filter, checks });
    if (!definition) throw new Error(`bench scorecard ${s}: ${issues.map((i) => i.message).join(' ')}`);
    return definition;
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rows: string[][] = [];
const kinds: Array<'sqlite' | 'postgres'> = POSTGRES ? ['sqlite', 'postgres'] : ['sqlite'];
if (!POSTGRES) console.log('PostgreSQL: skipped (set LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL to measure it too)');
const scorecards = benchScorecards();
for (const kind of kinds) {
  const { lantern } = await openKeptEstate(kind, SIZE, { scorecards: { builtIn: false } });
  const { store } = lantern;
  try {
    const floors: number[] = [];
    let entities = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now();
      entities = (await readEntityFacts(store.db)).length;
      floors.push(performance.now() - start);
    }
    const floor = median(floors);
    const evaluate = async (now: string): Promise<{ ms: number; evaluations: ScorecardEvaluation[] }> => {
      const start = performance.now();
      const evaluations = await store.transaction((trx) => evaluateScorecards(store, trx, scorecards, { now }));
      return { ms: performance.now() - start, evaluations };
    };
    const cases: Array<[string, () => Promise<{ ms: number; evaluations: ScorecardEvaluation[] }>]> = [
      [
        'first evaluation (all written)',
        async () => {
          // Results of an earlier run would make this a re-evaluation.
          await store.db.deleteFrom('scorecard_history').where('scorecard_id', 'like', 'bench-%').execute();
          await store.db.deleteFrom('scorecard_results').where('scorecard_id', 'like', 'bench-%').execute();
          return evaluate(new Date().toISOString());
        },
      ],
      ['again, nothing changed', () => evaluate(new Date().toISOString())],
      ['a day later (days since scan moved)', () => evaluate(new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString())],
    ];
    for (const [name, run] of cases) {
      const { ms, evaluations } = await run();
      const results = evaluations.reduce((n, e) => n + e.entities, 0);
      const written = evaluations.reduce((n, e) => n + e.changed, 0);
      const goal = kind === 'sqlite' ? `< ${seconds(GOAL_MS)} ${ms < GOAL_MS ? '(met)' : '(missed)'}` : '-';
      rows.push([kind, name, seconds(ms), `${results.toLocaleString('en')} / ${written.toLocaleString('en')}`, seconds(floor), `${(ms / floor).toFixed(1)}x`, goal]);
    }
    console.log(`${kind}: ${entities.toLocaleString('en')} entities' data points read in ${seconds(floor)} (median of ${ROUNDS})`);
  } finally {
    await lantern.close();
  }
}
console.log(`\nLantern scorecards benchmark: ${scorecards.length} scorecards of ${scorecards[0]?.checks.length} checks over ${SIZE.entities.toLocaleString('en')} entities, Node ${process.version}\n`);
printTable(['store', 'evaluation', 'time', 'results / written', 'floor: read all data points', 'x floor', 'goal'], rows);
