import type { Kysely } from 'kysely';
import { emptyCounts, SEVERITIES, type SeverityCounts } from '../domain/severity.js';
import type { ScopeFilter } from '../access/roles.js';
import type { Database } from '../store/schema.js';
import { scopeAllowed } from '../store/scope-filter.js';

type Db = Kysely<Database>;

/** `withData`: entities with data that day; 0 means the day has no data, which is not zero issues. */
export type TrendPoint = { date: string; withData: number } & SeverityCounts;

const DAY = 24 * 60 * 60 * 1000;

/**
 * Open issues per severity at the end of each of the last `days` days (UTC), over the whole
 * catalog or some entities: each entity counts as its latest summary on or before that day.
 */
export async function trend(db: Db, options: { days: number; entityIds?: readonly number[] | undefined; scopes?: ScopeFilter | undefined; now: string }): Promise<TrendPoint[]> {
  const end = options.now.slice(0, 10);
  const start = new Date(Date.parse(`${end}T00:00:00Z`) - (options.days - 1) * DAY).toISOString().slice(0, 10);
  const dates = Array.from({ length: options.days }, (_, i) => new Date(Date.parse(`${start}T00:00:00Z`) + i * DAY).toISOString().slice(0, 10));

  let query = db.selectFrom('summary_history').selectAll().where('day', '<=', end);
  if (options.entityIds) {
    if (options.entityIds.length === 0) return dates.map((date) => ({ date, withData: 0, ...emptyCounts() }));
    query = query.where('entity_id', 'in', options.entityIds);
  }
  const scopes = options.scopes;
  if (scopes && !scopes.all) query = query.where('entity_id', 'in', db.selectFrom('entities').select('id').where((eb) => scopeAllowed(eb, 'entities.scope', scopes)));
  // Days before the range only matter through each entity's last one before it.
  const rows = await query.orderBy('entity_id').orderBy('day').execute();

  const points: TrendPoint[] = dates.map((date) => ({ date, withData: 0, ...emptyCounts() }));
  for (let i = 0; i < rows.length; ) {
    const entity = rows[i]?.entity_id;
    let j = i;
    while (j < rows.length && rows[j]?.entity_id === entity) j++;
    let k = i;
    for (const point of points) {
      while (k + 1 < j && (rows[k + 1]?.day ?? '') <= point.date) k++;
      const row = rows[k];
      if (!row || row.day > point.date || row.has_data !== 1) continue;
      point.withData++;
      for (const s of SEVERITIES) point[s] += row[s];
      point.total += row.total;
    }
    i = j;
  }
  return points;
}
