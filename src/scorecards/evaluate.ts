import type { Kysely } from 'kysely';
import type { Store } from '../store/database.js';
import type { Database } from '../store/schema.js';
import {
  deleteScorecardResults,
  type NewScorecardHistory,
  type NewScorecardResult,
  scorecardResults,
  writeScorecardHistory,
  writeScorecardResults,
} from '../store/scorecards.js';
import { type CheckResult, type CheckStatus, evaluateCheck } from './checks.js';
import { type EntityFacts, readEntityFacts } from './data-points.js';
import { appliesTo, type Scorecard, scoreOf } from './scorecard.js';

type Db = Kysely<Database>;

/** One check's result as scorecard_results.checks keeps it. */
export interface StoredCheckResult extends CheckResult {
  check: string;
}

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

export interface EntityEvaluation {
  score: number | null;
  passed: number;
  failed: number;
  unknown: number;
  checks: StoredCheckResult[];
}

/** One entity on one scorecard: every check, and the score. Pure. */
export function evaluateEntity(scorecard: Scorecard, facts: EntityFacts, now: number): EntityEvaluation {
  const checks = scorecard.checks.map((check) => ({ check: check.id, ...evaluateCheck(check, facts, now) }));
  const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
  return { score: scoreOf(scorecard.checks, checks), passed: count('pass'), failed: count('fail'), unknown: count('unknown'), checks };
}

function statusesOf(checks: readonly StoredCheckResult[]): string {
  return JSON.stringify(Object.fromEntries(checks.map((c) => [c.check, c.status])));
}

/**
 * Evaluates scorecards over these entities (every entity without `entityIds`) at `now` and stores
 * what changed: the results of the entities each applies to, the removal of those it no longer
 * applies to, and the day's history. Data points are read once, in bulk, for all scorecards.
 */
export async function evaluateScorecards(
  store: Store,
  db: Db,
  scorecards: readonly Scorecard[],
  options: { entityIds?: readonly number[] | undefined; now: string },
): Promise<ScorecardEvaluation[]> {
  if (scorecards.length === 0 || options.entityIds?.length === 0) return scorecards.map((s) => ({ scorecard: s.id, entities: 0, changed: 0, removed: 0 }));
  const facts = await readEntityFacts(db, options.entityIds);
  const at = Date.parse(options.now);
  const day = options.now.slice(0, 10);
  const evaluations: ScorecardEvaluation[] = [];
  for (const scorecard of scorecards) {
    const stored = new Map((await scorecardResults(db, scorecard.id, options.entityIds)).map((r) => [r.entity_id, r]));
    const writes: NewScorecardResult[] = [];
    const history: Array<Omit<NewScorecardHistory, 'scorecard_id' | 'day'>> = [];
    let entities = 0;
    for (const entity of facts) {
      if (!appliesTo(scorecard.filter, entity)) continue;
      entities++;
      const result = evaluateEntity(scorecard, entity, at);
      const checks = JSON.stringify(result.checks);
      const previous = stored.get(entity.id);
      stored.delete(entity.id);
      if (previous && previous.checks === checks && previous.score === result.score) continue;
      writes.push({ scorecard_id: scorecard.id, entity_id: entity.id, score: result.score, passed: result.passed, failed: result.failed, unknown: result.unknown, checks, updated_at: options.now });
      const statuses = statusesOf(result.checks);
      // Observed values change every day (days since the last scan); the history keeps statuses and scores.
      if (!previous || previous.score !== result.score || statusesOf(JSON.parse(previous.checks) as StoredCheckResult[]) !== statuses) {
        history.push({ entity_id: entity.id, applies: 1, score: result.score, statuses });
      }
    }
    // What is left was stored for entities the scorecard no longer applies to.
    const leaving = [...stored.keys()];
    for (const entityId of leaving) history.push({ entity_id: entityId, applies: 0, score: null, statuses: '{}' });
    await deleteScorecardResults(db, scorecard.id, leaving);
    await writeScorecardResults(store, db, writes);
    await writeScorecardHistory(store, db, scorecard.id, day, history);
    evaluations.push({ scorecard: scorecard.id, entities, changed: writes.length, removed: leaving.length });
  }
  return evaluations;
}
