import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { clearScore, registerScorecard, SCORE_COLUMNS, upsertScore } from './0017-score-sort-keys.js';

/**
 * A result whose score changes costs an index seek again on SQLite, not a walk of every entity
 * (issue #17: a full evaluation 0.98 s at 10 000 entities, 9.8 s at 50 000).
 *
 * The triggers of 0017-score-sort-keys.ts give every entity its score key row on a scorecard's
 * first result: `insert … select … from entities where not exists (the scorecard registered)`.
 * SQLite does not take the NOT EXISTS out of the loop: each new or changed score walked the whole
 * entities index to find that the scorecard was registered, so an evaluation that changes a share
 * of the scores took time in entities × changed scores. Here the condition is a one-row (or
 * empty) subquery that the entities are joined to, and SQLite reads it first (CROSS JOIN keeps
 * the order): once the scorecard is registered, the fill reads no entity.
 *
 * A changed score no longer clears the key before writing it again either (two index entries
 * each way): the key is cleared only when the result moves to another scorecard or entity.
 *
 * PostgreSQL's triggers test the condition once, in plpgsql, before the fill: unchanged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  for (const statement of sqliteTriggers()) await sql.raw(statement).execute(db);
}

/** A scorecard's first result: every entity gets its row, without a score until its own result says. */
const fillScorecard = `insert into entity_score_keys (${SCORE_COLUMNS}) select new.scorecard_id, e.id, e.ref_key, 1, 0, 0
  from (select 1 where not exists (select 1 from score_key_scorecards where scorecard_id = new.scorecard_id)) first cross join entities e where true
  on conflict (scorecard_id, entity_id) do nothing`;

/** The key a result leaves (its scorecard or entity changed): a changed score alone is written over by upsertScore. */
const clearMovedScore = `${clearScore} and (old.scorecard_id <> new.scorecard_id or old.entity_id <> new.entity_id)`;

const sqliteTriggers = () => [
  'drop trigger entity_score_keys_result_insert',
  'drop trigger entity_score_keys_result_update',
  `create trigger entity_score_keys_result_insert after insert on scorecard_results begin ${fillScorecard}; ${registerScorecard}; ${upsertScore}; end`,
  `create trigger entity_score_keys_result_update after update of score, scorecard_id, entity_id on scorecard_results
    when old.score is not new.score or old.scorecard_id <> new.scorecard_id or old.entity_id <> new.entity_id begin ${clearMovedScore}; ${fillScorecard}; ${registerScorecard}; ${upsertScore}; end`,
];
