import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { NotFoundError } from '../domain/errors.js';
import { findEntityByRef } from '../store/catalog-entities.js';
import { approvedExemptionsFor } from '../store/exemptions.js';
import { batches } from '../store/batches.js';
import { type ScanIssueRow, scanIssueRows } from '../store/issues.js';
import type { Database, EntityRow, ExemptionRow, SlaPauseRow } from '../store/schema.js';
import { slaPausesFor } from '../store/sla-pauses.js';
import { type LinkedTarget, linksOfEntities, type TargetLinkView } from '../store/target-links.js';
import { scanMarks, storedTallies, storeTallies, type VariantTallyRow } from '../store/variant-tallies.js';
import { exemptionStatus } from './exemptions.js';
import { tallyOf, type VariantTally } from './summary.js';

type Db = Kysely<Database>;

/** One target an entity shows, at the variant its link resolved to, with that variant's current scans. */
export interface ShownTarget {
  targetId: number;
  name: string;
  scope: string;
  type: string;
  variantId: number;
  variant: string;
  variantReason: string;
  /** Why this variant, when it was not asked for or set (the link's baseline note). */
  note: string | null;
  origins: Array<'annotation' | 'source-url'>;
  /** Each scanner's latest scan of the variant (DESIGN.md: Current state of a variant). */
  scans: Array<{ id: number; scanner: string; scannedAt: string }>;
  /** What those scans report, one row per (scan, issue); empty when `tally` counts them instead. */
  rows: ScanIssueRow[];
  /** The variant's stored tally, when it was asked for and is still valid (insights/variant-tallies.ts). */
  tally?: VariantTally | undefined;
}

/** How entityStates reads the shown targets' issues. */
export interface EntityStateOptions {
  /**
   * `read`: a target shown through one variant is counted from that variant's stored tally while it
   * is valid at `now`, and its issues are not read; `store` also stores the tallies it had to compute
   * (in a write transaction). Default: every issue is read.
   */
  tallies?: { mode: 'read' | 'store'; now: string } | undefined;
  /** The entities' links when already read (linksOfRefKey, with the entity); read for any entity not in it. */
  links?: ReadonlyMap<number, TargetLinkView[]> | undefined;
  /** Also read the SLA pauses of the shown targets, at the same time as their scans (`slaPauses`). */
  slaPauses?: boolean | undefined;
}

/** Everything an entity's insights are computed from. */
export interface EntityState {
  entity: EntityRow;
  links: TargetLinkView[];
  targets: ShownTarget[];
  /** Approved exemptions that can cover the shown targets' issues. */
  exemptions: ExemptionRow[];
  /** The SLA pauses that can name the shown targets' issues, when asked for (slaPausesFor). */
  slaPauses?: SlaPauseRow[] | undefined;
}

export async function entityByRef(db: Db, kind: string, namespace: string, name: string): Promise<EntityRow> {
  const entity = await findEntityByRef(db, kind, namespace, name);
  if (!entity) throw new NotFoundError(`No entity ${kind}:${namespace}/${name} in the catalog.`);
  return entity;
}

/**
 * Resolves an entity's links to the targets and variants they show (a target+variant linked twice,
 * by the annotation and by the repository URL, is shown once) and reads their current state.
 */
export async function entityState(db: Db, entity: EntityRow, options: EntityStateOptions = {}): Promise<EntityState> {
  return (await entityStates(db, [entity], options))[0] as EntityState;
}

/**
 * entityState for many entities with a handful of queries in all, not per entity: refreshing
 * 10 000 summaries (a catalog registered on PostgreSQL) is then bound by the work, not by round trips.
 */
export async function entityStates(db: Db, entities: readonly EntityRow[], options: EntityStateOptions = {}): Promise<EntityState[]> {
  const given = options.links;
  // The links' read joins their targets: those are not read again below.
  const linkedTargets = new Map<number, LinkedTarget>();
  const linksByEntity = given && entities.every((e) => given.has(e.id)) ? given : await linksOfEntities(db, entities.map((e) => e.id), linkedTargets);
  const shownByEntity = new Map<number, Array<{ link: TargetLinkView; origins: Set<'annotation' | 'source-url'> }>>();
  for (const entity of entities) {
    const byKey = new Map<string, { link: TargetLinkView; origins: Set<'annotation' | 'source-url'> }>();
    for (const link of linksByEntity.get(entity.id) ?? []) {
      if (!link.matched || link.targetId === null || link.variantId === null) continue;
      const key = `${link.targetId}:${link.variantId}`;
      const shown = byKey.get(key) ?? { link, origins: new Set() };
      shown.origins.add(link.origin);
      byKey.set(key, shown);
    }
    shownByEntity.set(entity.id, [...byKey.values()]);
  }
  const shown = [...shownByEntity.values()].flat();
  const variantIds = [...new Set(shown.map((s) => s.link.variantId as number))];
  const targetIds = [...new Set(shown.map((s) => s.link.targetId as number))];

  // A target shown through one variant can be counted from the variant's tally; one shown through
  // several needs its issues (each counted once), and so does a variant without a valid tally.
  const once = (shownTargets: typeof shown) => shownTargets.filter((s) => shownTargets.filter((o) => o.link.targetId === s.link.targetId).length === 1);
  const tallies = options.tallies;
  const eligible = tallies ? [...new Set([...shownByEntity.values()].flatMap((list) => once(list).map((s) => s.link.variantId as number)))] : [];
  const readScans = async () => {
    const scans: Array<{ id: number; variant_id: number; scanner: string; scanned_at: string }> = [];
    for (const batch of batches(variantIds)) {
      scans.push(
        ...(await db
          .selectFrom('scans')
          .select(['id', 'variant_id', 'scanner', 'scanned_at'])
          .where('id', 'in', (eb) => eb.selectFrom('scans').select((e) => e.fn.max('id').as('id')).where('variant_id', 'in', batch).groupBy(['variant_id', 'scanner']))
          .execute()),
      );
    }
    return scans;
  };
  const readTargets = async () => {
    const targets: LinkedTarget[] = targetIds.flatMap((id) => linkedTargets.get(id) ?? []);
    const unread = targetIds.filter((id) => !linkedTargets.has(id));
    for (const batch of batches(unread)) targets.push(...(await db.selectFrom('targets').select(['id', 'name', 'scope', 'type']).where('id', 'in', batch).execute()));
    return targets;
  };
  // None of these waits for another: they run at once, each on its own connection on PostgreSQL.
  const [scans, targets, exemptions, marks, stored, pauses] = await Promise.all([
    readScans(),
    readTargets(),
    approvedExemptionsFor(db, targetIds),
    tallies ? scanMarks(db, targetIds) : new Map<number, string>(),
    tallies ? storedTallies(db, eligible) : new Map<number, VariantTallyRow>(),
    options.slaPauses ? slaPausesFor(db, targetIds) : undefined,
  ]);
  const targetById = new Map(targets.map((t) => [t.id, t]));

  const tallied = new Map<number, VariantTally>();
  if (tallies) {
    for (const [variantId, row] of stored) {
      const target = targetById.get(row.target_id);
      if (target && row.scan_mark === marks.get(row.target_id) && row.exemption_mark === exemptionMark(target, exemptions, tallies.now)) {
        tallied.set(variantId, JSON.parse(row.tally) as VariantTally);
      }
    }
  }
  const needsRows = new Set(
    [...shownByEntity.values()].flatMap((list) => {
      const single = new Set(once(list));
      return list.filter((s) => !single.has(s) || !tallied.has(s.link.variantId as number)).map((s) => s.link.variantId as number);
    }),
  );
  const rows: ScanIssueRow[] = [];
  for (const batch of batches(scans.filter((s) => needsRows.has(s.variant_id)).map((s) => s.id))) rows.push(...(await scanIssueRows(db, batch)));

  const scansByVariant = new Map<number, typeof scans>();
  for (const scan of scans) scansByVariant.set(scan.variant_id, [...(scansByVariant.get(scan.variant_id) ?? []), scan]);
  const rowsByScan = new Map<number, ScanIssueRow[]>();
  for (const row of rows) {
    const list = rowsByScan.get(row.scan_id);
    if (list) list.push(row);
    else rowsByScan.set(row.scan_id, [row]);
  }

  const states = entities.map((entity) => {
    const shownTargets = shownByEntity.get(entity.id) ?? [];
    const ids = new Set(shownTargets.map((s) => s.link.targetId));
    const single = new Set(once(shownTargets));
    return {
      entity,
      links: linksByEntity.get(entity.id) ?? [],
      exemptions: exemptions.filter((e) => e.level !== 'target' || (e.target_id !== null && ids.has(e.target_id))),
      slaPauses: pauses?.filter((p) => p.level !== 'target' || (p.target_id !== null && ids.has(p.target_id))),
      targets: shownTargets.map((shown) => {
        const { link, origins } = shown;
        const target = targetById.get(link.targetId as number);
        const current = scansByVariant.get(link.variantId as number) ?? [];
        return {
          targetId: link.targetId as number,
          name: target?.name ?? link.targetName ?? link.name,
          scope: target?.scope ?? link.scope,
          type: target?.type ?? 'repository',
          variantId: link.variantId as number,
          variant: link.variantName ?? '',
          variantReason: link.variantReason ?? 'none',
          note: link.diagnostics.find((d) => d.code === 'baseline-note')?.message ?? null,
          origins: [...origins].sort(),
          scans: current.map((s) => ({ id: s.id, scanner: s.scanner, scannedAt: s.scanned_at })),
          rows: current.flatMap((s) => rowsByScan.get(s.id) ?? []),
          tally: single.has(shown) ? tallied.get(link.variantId as number) : undefined,
        };
      }),
    };
  });
  if (tallies?.mode === 'store') await storeComputedTallies(db, states, marks, exemptions, tallies.now);
  return states;
}

/** Stores the tally of every shown variant that was counted from its issues, once each. */
async function storeComputedTallies(db: Db, states: readonly EntityState[], marks: Map<number, string>, exemptions: readonly ExemptionRow[], now: string): Promise<void> {
  const computed = new Map<number, ShownTarget>();
  for (const state of states) for (const target of state.targets) if (!target.tally && !computed.has(target.variantId)) computed.set(target.variantId, target);
  const updatedAt = new Date().toISOString();
  const rows = [...computed.values()].flatMap((target) => {
    const mark = marks.get(target.targetId);
    if (mark === undefined) return [];
    const tally = tallyOf([target], exemptions, now);
    return [
      {
        variant_id: target.variantId,
        target_id: target.targetId,
        scan_mark: mark,
        exemption_mark: exemptionMark({ id: target.targetId, scope: target.scope }, exemptions, now),
        ...tally.counts,
        exempted: tally.exempted,
        tally: JSON.stringify(tally),
        updated_at: updatedAt,
      },
    ];
  });
  await storeTallies(db, rows);
}

/**
 * What of the exemptions decides a target's counts now: the approved, unexpired ones that can cover
 * its issues (insights/exemptions.ts coveringExemption), as a hash. Approving, revoking, narrowing
 * one, or its expiry passing, changes it, and a tally computed before no longer counts.
 */
export function exemptionMark(target: { id: number; scope: string }, exemptions: readonly ExemptionRow[], now: string): string {
  const org = target.scope === 'account' ? undefined : target.scope.split('.')[0];
  const relevant = exemptions
    .filter((e) => {
      if (exemptionStatus(e, now) !== 'approved') return false;
      if (e.level === 'target') return e.target_id === target.id;
      if (e.issue_id !== null) return true;
      if (e.level === 'project') return e.scope === target.scope;
      if (e.level === 'org') return org !== undefined && e.scope === org;
      return true;
    })
    .map((e) => [e.id, e.level, e.target_id, e.scope, e.issue_id, e.key?.toLowerCase() ?? null])
    .sort((a, b) => (a[0] as number) - (b[0] as number));
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex');
}
