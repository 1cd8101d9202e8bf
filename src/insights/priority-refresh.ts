import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { updateById } from '../store/bulk.js';
import type { EpssTable } from '../store/feeds.js';
import { isPostgres } from '../store/row-locks.js';
import type { Database } from '../store/schema.js';
import { ALIASES_CVE, ALIASES_PREFIX } from '../store/issues.js';
import { cveIdsOf, type Exploitation, exploitationOf, feedMatcher, SCANNER_EPSS } from './exploitation.js';
import { priorityParts } from './priority.js';

type Db = Kysely<Database>;

/** What the latest refreshEveryPriorityKey() did (benchmarks read it). */
export interface PriorityRefresh {
  /** Issues whose parts were compared: every issue with a vulnerability id, and any not computed yet. */
  read: number;
  /** Issues whose parts changed and were written. */
  written: number;
  ms: number;
}

let last: PriorityRefresh | undefined;

export function lastPriorityRefresh(): PriorityRefresh | undefined {
  return last;
}

const PARTS = [
  ['priority_head', 'text'],
  ['priority_tail', 'text'],
] as const;
const BATCH = 5000;

/** What the per-issue path reads of an issue. */
export interface KeyedRow {
  id: number;
  vulnerability_id: string | null;
  rule_id: string | null;
  fixed_version: string | null;
  priority_head: string | null;
  priority_tail: string | null;
  /** The issue's details where they may name a CVE alias, else null (store/issues.ts aliasDetailsOf); undefined: read. */
  alias_details?: string | null | undefined;
}

/** Each issue's stored parts as exploitationOf() and priorityParts() give them now, written where they changed. */
export async function writePriorityParts(db: Db, rows: readonly KeyedRow[]): Promise<number> {
  const known = await exploitationOf(
    db,
    rows.map((r) => ({ id: r.id, vulnerabilityId: r.vulnerability_id, aliasDetails: r.alias_details })),
  );
  const changed: Array<{ id: number; priority_head: string; priority_tail: string }> = [];
  for (const row of rows) {
    const { head, tail } = priorityParts({ ...(known.get(row.id) as Exploitation), fixedVersion: row.fixed_version, vulnerabilityId: row.vulnerability_id, ruleId: row.rule_id });
    if (head !== row.priority_head || tail !== row.priority_tail) changed.push({ id: row.id, priority_head: head, priority_tail: tail });
  }
  await updateById(db, 'issues', PARTS, changed);
  return changed.length;
}

/**
 * Every issue's stored priority parts (insights/priority-order.ts) brought up to date with the
 * feeds in a few set-based statements, after a feed import and in its transaction.
 *
 * An issue's parts are priorityParts() of its match with the feeds, of whether it has a fixed
 * version, and of its identifier; its match depends only on its CVE ids — its vulnerability id
 * and the aliases in its details — except for the EPSS a scanner reported, which stands in while no
 * EPSS feed is loaded. So the estate's millions of issues come down to its distinct (vulnerability
 * id, aliases) pairs: each pair is matched and given its parts once, fixed and not, in JavaScript,
 * by the same functions as one issue (cveIdsOf, feedMatcher, priorityParts), and one UPDATE joins
 * them to the issues and writes only the rows whose parts differ: on PostgreSQL from arrays
 * unnested in the UPDATE itself (one statement, where a temporary table took five: create,
 * insert, analyze, drop, and the catalog rows each writes), on SQLite from a temporary table.
 * While no EPSS feed is loaded, the issues with an occurrence that may carry a scanner's EPSS are
 * left out of it and computed one by one (writePriorityParts).
 *
 * Issues without a vulnerability id are matched with no feed: their parts are computed here only
 * while not computed yet (after the upgrade that added them), by rule id.
 */
export async function refreshEveryPriorityKey(db: Db, epssTable: EpssTable = 'epss_scores'): Promise<number> {
  const started = performance.now();
  const postgres = isPostgres(db);
  // The issues' groups, as the temporary table below keys them: 'v' and the vulnerability id with
  // the aliases, or (an issue without one, when its parts are not computed yet) 'r' and the rule
  // id, or 'n' without either.
  const key = sql<string>`case when issues.vulnerability_id is not null then 'v' || issues.vulnerability_id when issues.rule_id is not null then 'r' || issues.rule_id else 'n' end`;
  const groupAliases = sql<string>`case when issues.vulnerability_id is not null then ${aliasesOf(postgres)} else '' end`;
  const groups = await db
    .selectFrom('issues')
    // priorityParts() reads the rule id only of an issue without a vulnerability id.
    .select([key.as('key'), groupAliases.as('aliases'), 'vulnerability_id', sql<string | null>`case when issues.vulnerability_id is null then issues.rule_id end`.as('rule_id'), sql<number | string | bigint>`count(*)`.as('n')])
    .where((eb) => eb.or([eb('vulnerability_id', 'is not', null), eb('priority_head', 'is', null), eb('priority_tail', 'is', null)]))
    .groupBy(sql`1, 2, 3, 4`)
    .execute();
  const cves = groups.map((g) => cveIdsOf(g.vulnerability_id, g.aliases === '' ? undefined : (JSON.parse(g.aliases) as string[] | null)));
  const feeds = await feedMatcher(db, [...new Set(cves.flat())], { epssTable });
  const rows = groups.map((g, n) => {
    const match = feeds.match(cves[n] as string[], undefined);
    const fixed = priorityParts({ ...match, fixedVersion: 'fixed', vulnerabilityId: g.vulnerability_id, ruleId: g.rule_id });
    const unfixed = priorityParts({ ...match, fixedVersion: null, vulnerabilityId: g.vulnerability_id, ruleId: g.rule_id });
    return [g.key, g.aliases, fixed.head, fixed.tail, unfixed.head, unfixed.tail];
  });

  const fixed = sql`coalesce(issues.fixed_version, '') <> ''`;
  const head = sql`case when ${fixed} then p.fixed_head else p.unfixed_head end`;
  const tail = sql`case when ${fixed} then p.fixed_tail else p.unfixed_tail end`;
  const scanned = sql`exists (select 1 from occurrences where occurrences.issue_id = issues.id and occurrences.place like ${SCANNER_EPSS})`;
  const update = (parts: RawBuilder<unknown>) => sql`
    update issues set priority_head = ${head}, priority_tail = ${tail}
    from ${parts}
    where p.key = ${key}
      and p.aliases = ${groupAliases}
      and (issues.vulnerability_id is not null or issues.priority_head is null or issues.priority_tail is null)
      and (issues.priority_head is null or issues.priority_tail is null or issues.priority_head <> ${head} or issues.priority_tail <> ${tail})
      ${feeds.epssLoaded ? sql`` : sql`and not (issues.vulnerability_id is not null and ${scanned})`}`;
  let updated;
  if (postgres) {
    // The planner counts the rows of arrays passed as parameters, so the join is planned for them.
    updated = await update(sql`unnest(${sql.join([0, 1, 2, 3, 4, 5].map((c) => sql`cast(${rows.map((r) => r[c])} as text[])`))}) as p(key, aliases, fixed_head, fixed_tail, unfixed_head, unfixed_tail)`).execute(db);
  } else {
    // Taken back with the transaction; dropped first in case a refresh ran before in the same one.
    await sql`drop table if exists priority_parts`.execute(db);
    await sql`create temporary table priority_parts (key text not null, aliases text not null, fixed_head text not null, fixed_tail text not null, unfixed_head text not null, unfixed_tail text not null, primary key (key, aliases))`.execute(db);
    await sql`insert into priority_parts select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 from json_each(${JSON.stringify(rows)})`.execute(db);
    updated = await update(sql`priority_parts p`).execute(db);
    await sql`drop table priority_parts`.execute(db);
  }
  let written = Number(updated.numAffectedRows ?? 0);

  if (!feeds.epssLoaded) {
    let after = 0;
    for (;;) {
      const batch = await db
        .selectFrom('issues')
        .select(['id', 'vulnerability_id', 'rule_id', 'fixed_version', 'priority_head', 'priority_tail'])
        .where('id', '>', after)
        .where('vulnerability_id', 'is not', null)
        .where(sql<boolean>`${scanned}`)
        .orderBy('id')
        .limit(BATCH)
        .execute();
      if (batch.length === 0) break;
      written += await writePriorityParts(db, batch);
      after = (batch[batch.length - 1] as KeyedRow).id;
      // On SQLite every statement ran synchronously: let other requests in between batches.
      await nextTurn();
    }
  }
  const read = groups.reduce((n, g) => n + Number(g.n), 0);
  last = { read, written, ms: performance.now() - started };
  return written;
}

/**
 * An issue's aliases as JSON text when its details may name a CVE among them (the LIKEs cvesOf
 * reads details with, each store's own), else ''. PostgreSQL's json, unlike jsonb, takes what
 * JSON.parse takes (a \u0000 escape included) and gives the array's text as written.
 */
function aliasesOf(postgres: boolean): RawBuilder<string> {
  const json = postgres ? sql`cast(cast(issues.details as json) -> 'aliases' as text)` : sql`issues.details -> '$.aliases'`;
  return sql<string>`case when issues.details like ${ALIASES_PREFIX} and issues.details like ${ALIASES_CVE} then coalesce(${json}, '') else '' end`;
}
