import type { Kysely } from 'kysely';
import { type ScopeFilter } from '../access/roles.js';
import { chooseBaseline } from '../domain/baseline.js';
import { emptyCounts, type SeverityCounts, severityFromRank } from '../domain/severity.js';
import { batches } from './batches.js';
import type { Database } from './schema.js';
import { scopeAllowed } from './scope-filter.js';
import { variantInfo } from './targets.js';

type Db = Kysely<Database>;

/** What the Targets list shows beside each target: its open issues and the entities that link it. */
export interface TargetListingFacts {
  /** Open issues of the variant the target shows (its baseline), each once at its worst severity; null when nothing was scanned. */
  counts: SeverityCounts | null;
  /** Entities whose links show this target, by ref, in order; only those the caller may read. */
  entities: string[];
}

/**
 * For a page of targets (up to a few hundred), in a handful of queries: the variant each shows
 * (the baseline rule, as chooseVariant), the issues of that variant's current scans (each
 * scanner's latest), and the readable entities linking it.
 */
export async function targetListingFacts(
  db: Db,
  targets: ReadonlyArray<{ id: number; baselineVariant: string | null; baselineRegex: string | null }>,
  scopes: ScopeFilter | undefined,
): Promise<Map<number, TargetListingFacts>> {
  const out = new Map<number, TargetListingFacts>(targets.map((t) => [t.id, { counts: null, entities: [] }]));
  if (targets.length === 0) return out;
  const ids = targets.map((t) => t.id);

  const variants = [];
  for (const batch of batches(ids)) variants.push(...(await db.selectFrom('variants').selectAll().where('target_id', 'in', batch).execute()));
  const shownVariant = new Map<number, number>();
  for (const target of targets) {
    const own = variants.filter((v) => v.target_id === target.id);
    const choice = chooseBaseline({ baselineVariant: target.baselineVariant, baselineRegex: target.baselineRegex }, own.map(variantInfo));
    const variant = own.find((v) => v.name === choice.variant);
    if (variant) shownVariant.set(variant.id, target.id);
  }

  const worst = new Map<number, Map<number, number>>();
  for (const batch of batches([...shownVariant.keys()])) {
    const rows = await db
      .selectFrom('scan_issues')
      .innerJoin('scans', 'scans.id', 'scan_issues.scan_id')
      .select(['scans.variant_id', 'scan_issues.issue_id', (eb) => eb.fn.max('scan_issues.severity').as('severity')])
      .where('scans.id', 'in', (eb) => eb.selectFrom('scans').select((e) => e.fn.max('id').as('id')).where('variant_id', 'in', batch).groupBy(['variant_id', 'scanner']))
      .groupBy(['scans.variant_id', 'scan_issues.issue_id'])
      .execute();
    for (const row of rows) {
      const targetId = shownVariant.get(row.variant_id) as number;
      const issues = worst.get(targetId) ?? new Map<number, number>();
      issues.set(row.issue_id, Number(row.severity));
      worst.set(targetId, issues);
    }
  }
  for (const targetId of shownVariant.values()) {
    const counts = emptyCounts();
    for (const rank of worst.get(targetId)?.values() ?? []) {
      counts[severityFromRank(rank)]++;
      counts.total++;
    }
    (out.get(targetId) as TargetListingFacts).counts = counts;
  }

  for (const batch of batches(ids)) {
    let query = db
      .selectFrom('entity_links')
      .innerJoin('entities', 'entities.id', 'entity_links.entity_id')
      .select(['entity_links.target_id', 'entities.ref'])
      .distinct()
      .where('entity_links.matched', '=', 1)
      .where('entity_links.target_id', 'in', batch);
    if (scopes && !scopes.all) query = query.where((eb) => scopeAllowed(eb, 'entities.scope', scopes));
    for (const row of await query.orderBy('entities.ref').execute()) {
      if (row.target_id !== null) out.get(row.target_id)?.entities.push(row.ref);
    }
  }
  return out;
}
