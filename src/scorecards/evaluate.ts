import type { Kysely } from 'kysely';
import type { Store } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { batches, IN_LIST_BATCH } from '../store/batches.js';
import {
  deleteScorecardResults,
  type EntityRange,
  entityRanges,
  type NewScorecardHistory,
  moveScorecardResults,
  recordScorecardEvaluations,
  scorecardEvaluations,
  type ResultWrite,
  TallyChanges,
  scorecardResults,
  writeScorecardHistory,
  writeScorecardResults,
} from '../store/scorecards.js';
import { type CheckResult, type CheckStatus, evaluateCheck } from './checks.js';
import { DEFAULT_SLA_POLICIES, type SlaPolicies } from '../insights/sla.js';
import { type DataPoint, daysSince, type EntityFacts, findDataPoint, readEntityFacts, RISK_DATA_POINTS, type Value } from './data-points.js';
import type { FacetSource } from '../store/trend-facets.js';
import type { RefreshedEntities } from '../insights/summaries.js';
import { appliesTo, type Scorecard, scoreOf } from './scorecard.js';

type Db = Kysely<Database>;

/** What evaluating one scorecard did. */
export interface ScorecardEvaluation {
  scorecard: string;
  /** Entities evaluated that the scorecard applies to. */
  entities: number;
  /** Of those, the ones whose result changed (or is new). */
  changed: number;
  /** Entities evaluated that the scorecard stopped applying to. */
  removed: number;
}

/** A check that passed on an entity and fails now. */
export interface StartedFailing {
  scorecard: Scorecard;
  checkId: string;
  entityId: number;
  /** When the passing result was last known to hold (resultAsOf): with the rest, names this change once across replicas. */
  passedAt: string;
}

/** One entity's result on one scorecard, as scorecard_results and scorecard_history keep it. */
export interface EntityEvaluation {
  score: number | null;
  passed: number;
  failed: number;
  unknown: number;
  /**
   * Check id → [status, noData (1 or 0), ...observed values]: compact, since there are many. A
   * value that counts days since a moment is kept as {"daysSince": that moment}: the same from one
   * day to the next, so a result whose statuses and values stand is not written again each day.
   */
  checks: string;
  /** Check id → status, for the history. */
  statuses: string;
}

/** JSON of a value known to be a finite number, a boolean, a text or null. */
function valueJson(value: Value | null): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Each check's id as a JSON key, and each of its rules' data point's `since`, made once per scorecard rather than once per entity. */
const plans = new WeakMap<Scorecard, { keys: string[]; since: Array<Array<DataPoint['since']>> }>();

function planOf(scorecard: Scorecard) {
  let plan = plans.get(scorecard);
  if (!plan) {
    plan = { keys: scorecard.checks.map((c) => `${JSON.stringify(c.id)}:`), since: scorecard.checks.map((c) => c.rules.map((r) => findDataPoint(r.dataPoint)?.since)) };
    plans.set(scorecard, plan);
  }
  return plan;
}

/**
 * Evaluates a scorecard on one entity. Pure. The JSON is built from parts: evaluating 5 scorecards
 * over 10 000 entities builds 50 000 of them, and JSON.stringify of the same objects takes several
 * times as long.
 */
export function evaluateEntity(scorecard: Scorecard, facts: EntityFacts, now: number): EntityEvaluation {
  const { keys, since } = planOf(scorecard);
  const results: CheckResult[] = [];
  const checks: string[] = [];
  const statuses: string[] = [];
  let passed = 0;
  let failed = 0;
  scorecard.checks.forEach((check, i) => {
    const result = evaluateCheck(check, facts, now);
    results.push(result);
    if (result.status === 'pass') passed++;
    else if (result.status === 'fail') failed++;
    let values = '';
    result.observed.forEach((value, r) => {
      const from = since[i]?.[r]?.(facts, check.rules[r]?.input);
      values += from === undefined ? `,${valueJson(value)}` : `,{"daysSince":${JSON.stringify(from)}}`;
    });
    checks.push(`${keys[i]}["${result.status}",${result.noData ? 1 : 0}${values}]`);
    statuses.push(`${keys[i]}"${result.status}"`);
  });
  return { score: scoreOf(scorecard.checks, results), passed, failed, unknown: results.length - passed - failed, checks: `{${checks.join(',')}}`, statuses: `{${statuses.join(',')}}` };
}

/** A stored observed value: a value, or the moment a count of days starts from. */
type StoredValue = Value | null | { daysSince: string };

/** What a stored result shows, read as of when it was last known to hold. */
export interface StoredResultView {
  /** Check id → result, its counts of days made as of `asOf`. */
  results: Map<string, CheckResult>;
  /**
   * When what it shows last changed: its updated_at, or `asOf` when a count of days moved on since
   * (the evaluation that confirmed the result at `asOf` would have written the count before).
   */
  updatedAt: string;
}

/** When a stored result was last known to hold: the later of its updated_at and its scorecard's last evaluation over every entity. */
export function resultAsOf(updatedAt: string, evaluatedAt: string | undefined): string {
  return evaluatedAt !== undefined && Date.parse(evaluatedAt) > Date.parse(updatedAt) ? evaluatedAt : updatedAt;
}

/**
 * Reads a stored result (scorecard_results.checks and updated_at) back. `evaluatedAt` is when its
 * scorecard was last evaluated over every entity (store/scorecards.ts scorecardEvaluations): that
 * evaluation found every result it did not write unchanged, so the result held then, and its
 * counts of days are made as of the later of that and its own updated_at, as the evaluation would
 * have stored them. Results stored with the counts themselves (before 0031) read as stored.
 */
export function readStoredResult(row: { checks: string; updated_at: string }, evaluatedAt: string | undefined): StoredResultView {
  const parsed = JSON.parse(row.checks) as Record<string, [CheckStatus, 0 | 1, ...StoredValue[]]>;
  const updated = Date.parse(row.updated_at);
  const asOf = Date.parse(resultAsOf(row.updated_at, evaluatedAt));
  let moved = false;
  const results = new Map<string, CheckResult>();
  for (const [id, [status, noData, ...stored]] of Object.entries(parsed)) {
    const observed = stored.map((value) => {
      if (value === null || typeof value !== 'object') return value;
      const days = daysSince(value.daysSince, asOf);
      moved ||= days !== daysSince(value.daysSince, updated);
      return days;
    });
    results.set(id, { status, noData: noData === 1, observed });
  }
  return { results, updatedAt: moved ? (evaluatedAt as string) : row.updated_at };
}

/** Reads scorecard_results.checks (or scorecard_history.statuses) to check id → status. */
export function storedStatuses(json: string): Record<string, CheckStatus> {
  const parsed = JSON.parse(json) as Record<string, CheckStatus | [CheckStatus, ...unknown[]]>;
  const out: Record<string, CheckStatus> = {};
  for (const [id, value] of Object.entries(parsed)) out[id] = Array.isArray(value) ? value[0] : value;
  return out;
}

/** Where a result is counted in its scorecard's tallies: the facets its pages filter on (scorecard_tallies). */
export function tallyGroup(entity: Pick<EntityFacts, 'scope' | 'kind' | 'type' | 'lifecycle' | 'owner' | 'system'>): string {
  return JSON.stringify([entity.scope, entity.kind, entity.type, entity.lifecycle, entity.owner, entity.system]);
}

/**
 * Entities evaluated together: their data points read, results compared and written in one go
 * each. As many as one IN list holds: on PostgreSQL a day-later evaluation of 10 000 entities took
 * about 0.85 of the time it took with 2 000 a batch (alternated on a loaded machine), on SQLite the same.
 */
const ENTITIES_PER_BATCH = IN_LIST_BATCH;

/**
 * Evaluates scorecards over these entities (every entity without `entityIds`) at `now` and stores
 * what changed: the results of the entities each applies to, the removal of those it no longer
 * applies to, and the day's history. The entities are taken in batches (of ids, or of id ranges
 * over every entity): per batch the data points are read once for all scorecards, a few queries
 * each, and each scorecard's stored results are read and its changes written in multi-row
 * statements — never a query per entity, and never every entity's facts held at once.
 */
export async function evaluateScorecards(
  store: Store,
  db: Db,
  scorecards: readonly Scorecard[],
  options: {
    entityIds?: readonly number[] | undefined;
    now: string;
    sla?: SlaPolicies | undefined;
    onStartedFailing?: ((change: StartedFailing) => void) | undefined;
    /** Default ENTITIES_PER_BATCH. */
    entitiesPerBatch?: number | undefined;
    /** Entities a refresh just read and summarised in this transaction (insights/summaries.ts): not read again. */
    known?: RefreshedEntities | undefined;
  },
): Promise<ScorecardEvaluation[]> {
  const evaluations = scorecards.map((s) => ({ scorecard: s.id, entities: 0, changed: 0, removed: 0 }));
  if (scorecards.length === 0 || options.entityIds?.length === 0) return evaluations;
  // KEV, EPSS and SLA facts are computed from the issues: only when a check reads them.
  const needsRisk = scorecards.some((s) => s.checks.some((c) => c.rules.some((r) => RISK_DATA_POINTS.has(r.dataPoint))));
  const factOptions = needsRisk ? { risk: { policies: options.sla ?? DEFAULT_SLA_POLICIES, now: options.now } } : {};
  const size = options.entitiesPerBatch ?? ENTITIES_PER_BATCH;
  const parts: Array<readonly number[] | EntityRange> = options.entityIds ? batches(new Set(options.entityIds), size) : await entityRanges(db, size);
  const evaluated = options.onStartedFailing ? await scorecardEvaluations(db, scorecards.map((s) => s.id)) : new Map<string, string>();
  for (const part of parts) {
    const facts = await readEntityFacts(db, part, { ...factOptions, known: options.known });
    const sources = new Map(facts.map((f) => [f.id, f]));
    for (const [i, scorecard] of scorecards.entries()) {
      const done = await evaluateBatch(store, db, scorecard, facts, part, { ...options, evaluatedAt: evaluated.get(scorecard.id), sources });
      const evaluation = evaluations[i] as ScorecardEvaluation;
      evaluation.entities += done.entities;
      evaluation.changed += done.changed;
      evaluation.removed += done.removed;
    }
  }
  // Every result not written was found unchanged at `now`: its counts of days are read as of then.
  if (!options.entityIds) await recordScorecardEvaluations(db, scorecards.map((s) => s.id), options.now);
  return evaluations;
}

/** Evaluates one scorecard over one batch of entities (`facts`, read for `part`) and stores what changed. */
async function evaluateBatch(
  store: Store,
  db: Db,
  scorecard: Scorecard,
  facts: readonly EntityFacts[],
  part: readonly number[] | EntityRange,
  options: { now: string; evaluatedAt: string | undefined; onStartedFailing?: ((change: StartedFailing) => void) | undefined; sources: ReadonlyMap<number, FacetSource> },
): Promise<Omit<ScorecardEvaluation, 'scorecard'>> {
  const at = Date.parse(options.now);
  const day = options.now.slice(0, 10);
  const stored = new Map((await scorecardResults(db, scorecard.id, part)).map((r) => [r.entity_id, r]));
  const writes: ResultWrite[] = [];
  const moves: Array<{ entity_id: number; tally_group: string }> = [];
  const history: Array<Omit<NewScorecardHistory, 'scorecard_id' | 'day'>> = [];
  const tallies = new TallyChanges();
  let entities = 0;
  for (const entity of facts) {
    if (!appliesTo(scorecard.filter, entity)) continue;
    entities++;
    const result = evaluateEntity(scorecard, entity, at);
    const group = tallyGroup(entity);
    const previous = stored.get(entity.id);
    stored.delete(entity.id);
    // A result stored by an evaluation dated later is written again: it is read as of the later of
    // its updated_at and this evaluation.
    if (previous && previous.checks === result.checks && previous.score === result.score && !(Date.parse(previous.updated_at) > at)) {
      // The same result, counted where the entity is now (its owner or scope may have changed).
      if (previous.tally_group !== group) {
        const counted = { score: previous.score, statuses: storedStatuses(previous.checks) };
        if (previous.tally_group !== null) tallies.add(previous.tally_group, -1, counted);
        tallies.add(group, 1, counted);
        moves.push({ entity_id: entity.id, tally_group: group });
      }
      continue;
    }
    const { statuses, ...row } = result;
    const before = previous ? storedStatuses(previous.checks) : undefined;
    if (previous && before && options.onStartedFailing) {
      for (const [checkId, status] of Object.entries(storedStatuses(result.checks))) {
        if (status === 'fail' && before[checkId] === 'pass') options.onStartedFailing({ scorecard, checkId, entityId: entity.id, passedAt: resultAsOf(previous.updated_at, options.evaluatedAt) });
      }
    }
    writes.push({ scorecard_id: scorecard.id, entity_id: entity.id, ...row, updated_at: options.now, entity_ref: entity.ref, tally_group: group });
    // The history keeps statuses and scores, not observed values.
    const decided = !previous || previous.score !== result.score || JSON.stringify(before) !== statuses;
    if (decided) history.push({ entity_id: entity.id, applies: 1, score: result.score, statuses });
    if (decided || previous?.tally_group !== group) {
      if (previous && before && previous.tally_group !== null) tallies.add(previous.tally_group, -1, { score: previous.score, statuses: before });
      tallies.add(group, 1, { score: result.score, statuses: JSON.parse(statuses) as Record<string, string> });
    }
  }
  // What is left was stored for entities the scorecard no longer applies to.
  const leaving = [...stored.values()];
  for (const previous of leaving) {
    history.push({ entity_id: previous.entity_id, applies: 0, score: null, statuses: '{}' });
    if (previous.tally_group !== null) tallies.add(previous.tally_group, -1, { score: previous.score, statuses: storedStatuses(previous.checks) });
  }
  await deleteScorecardResults(db, scorecard.id, leaving.map((r) => r.entity_id));
  await writeScorecardResults(store, db, writes);
  await moveScorecardResults(db, scorecard.id, moves);
  await tallies.write(db, scorecard.id);
  // The facts hold the entities' facets: the trend's rows need no other read of them.
  await writeScorecardHistory(store, db, scorecard.id, day, history, options.sources);
  return { entities, changed: writes.length, removed: leaving.length };
}
