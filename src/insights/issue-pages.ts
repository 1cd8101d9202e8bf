import type { Kysely } from 'kysely';
import { severityFromRank } from '../domain/severity.js';
import { aggregateIssues, identifiedIssues, type IdentifiedIssue, issueIdsAtSeverity, issuesInIdentifierOrder, scanIssueRowsOf, worstSeverities } from '../store/issues.js';
import type { Database, ExemptionRow } from '../store/schema.js';
import type { EntityState, ShownTarget } from './entity-state.js';
import { coveringExemption } from './exemptions.js';
import type { ShownIssue } from './summary.js';

type Db = Kysely<Database>;

/**
 * The first pages of an entity's active issues in severity order (worst first, or least first),
 * read through indexes instead of from every issue (issue #17): how many issues each severity has
 * comes from the shown variants' tallies, so whole severities are skipped, and within one severity
 * a target's issues are read either in identifier order (migrations/0011 issues_target_identifier)
 * until the page is full, or, when that severity has few of them, all at once through
 * (scan_id, severity). Either way about one page is read, not the target.
 */

/** Deeper pages than this are read from every issue: an offset this far in costs that much here too. */
export const MAX_INDEXED_DEPTH = 1000;

interface Keyed extends IdentifiedIssue {
  key: string;
  target: ShownTarget;
}

/** The identifier order of issue lists: lower-cased vulnerability id, else rule id, compared code unit by code unit, then the id. */
export function identifierOrder(a: { key: string; id: number }, b: { key: string; id: number }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id;
}

export function identifierKeyOf(issue: { vulnerability_id: string | null; rule_id: string | null }): string {
  return (issue.vulnerability_id ?? issue.rule_id ?? '').toLowerCase();
}

/**
 * Issues `offset` to `offset + limit` of the entity's active issues by severity, or undefined when
 * this path cannot answer (a target without a valid tally, shown through several variants, or too deep).
 */
export async function issuesBySeverity(
  db: Db,
  state: EntityState,
  descending: boolean,
  offset: number,
  limit: number,
  now: string,
): Promise<{ page: ShownIssue[]; total: number } | undefined> {
  if (offset + limit > MAX_INDEXED_DEPTH) return undefined;
  if (state.targets.some((t) => t.tally === undefined)) return undefined;
  if (new Set(state.targets.map((t) => t.targetId)).size !== state.targets.length) return undefined;
  const tallyOf = (t: ShownTarget) => t.tally as NonNullable<ShownTarget['tally']>;
  const total = state.targets.reduce((n, t) => n + tallyOf(t).counts.total, 0);

  const picked: Keyed[] = [];
  let skip = offset;
  for (const rank of descending ? [4, 3, 2, 1, 0] : [0, 1, 2, 3, 4]) {
    const need = limit - picked.length;
    if (need <= 0) break;
    const severity = severityFromRank(rank);
    const count = state.targets.reduce((n, t) => n + tallyOf(t).counts[severity], 0);
    if (count <= skip) {
      skip -= count;
      continue;
    }
    const want = skip + need;
    const level: Keyed[] = [];
    for (const target of state.targets) {
      const here = tallyOf(target).counts[severity];
      if (here > 0) level.push(...(await firstAtSeverity(db, target, rank, Math.min(want, here), state.exemptions, now)));
    }
    level.sort(identifierOrder);
    picked.push(...level.slice(skip, want));
    skip = 0;
  }

  const rows = [];
  for (const target of state.targets) {
    const ids = picked.filter((p) => p.target === target).map((p) => p.id);
    if (ids.length > 0) rows.push(...(await scanIssueRowsOf(db, target.scans.map((s) => s.id), ids)));
  }
  const listings = new Map(aggregateIssues(rows).map((issue) => [issue.id, issue]));
  const page = picked.flatMap((p) => {
    const issue = listings.get(p.id);
    return issue ? [{ issue, target: p.target, exempted: false, exemption: undefined }] : [];
  });
  return { page, total };
}

/** A target's first `want` active issues whose worst severity in its current scans is `rank`, in identifier order. */
async function firstAtSeverity(db: Db, target: ShownTarget, rank: number, want: number, exemptions: readonly ExemptionRow[], now: string): Promise<Keyed[]> {
  const tally = target.tally as NonNullable<ShownTarget['tally']>;
  const scanIds = target.scans.map((s) => s.id);
  const atLevel = tally.counts[severityFromRank(rank)];
  const issues = tally.counts.total + tally.exempted;
  const active = (issue: IdentifiedIssue) =>
    exemptions.length === 0 ||
    coveringExemption({ id: issue.id, targetId: target.targetId, targetScope: target.scope, vulnerabilityId: issue.vulnerability_id, ruleId: issue.rule_id }, exemptions, now) === undefined;
  const keyed = (issue: IdentifiedIssue): Keyed => ({ ...issue, key: identifierKeyOf(issue), target });

  // Walking in identifier order reads about want × issues / atLevel issues; reading the severity whole, atLevel.
  if (atLevel * atLevel <= want * issues) {
    const ids = await issueIdsAtSeverity(db, scanIds, rank);
    const worst = await worstSeverities(db, scanIds, ids);
    const candidates = (await identifiedIssues(db, ids.filter((id) => worst.get(id) === rank))).filter(active).map(keyed);
    return candidates.sort(identifierOrder).slice(0, want);
  }
  const found: Keyed[] = [];
  const batch = Math.min(5000, Math.max(200, Math.ceil((want * issues * 1.2) / atLevel)));
  let after: { key: string; id: number } | undefined;
  while (found.length < want) {
    const walked = await issuesInIdentifierOrder(db, target.targetId, after, batch);
    if (walked.length === 0) break;
    const worst = await worstSeverities(db, scanIds, walked.map((w) => w.id));
    for (const { sort_key: _key, ...issue } of walked) if (worst.get(issue.id) === rank && active(issue) && found.length < want) found.push(keyed(issue));
    const last = walked[walked.length - 1] as (typeof walked)[number];
    after = { key: last.sort_key, id: last.id };
    if (walked.length < batch) break;
  }
  return found;
}
