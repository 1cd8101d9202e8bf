import type { Kysely } from 'kysely';
import { NotFoundError } from '../domain/errors.js';
import { findEntityByRef } from '../store/catalog-entities.js';
import { approvedExemptionsFor } from '../store/exemptions.js';
import { batches } from '../store/batches.js';
import { type ScanIssueRow, scanIssueRows } from '../store/issues.js';
import type { Database, EntityRow, ExemptionRow } from '../store/schema.js';
import { linksOfEntities, type TargetLinkView } from '../store/target-links.js';

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
  /** What those scans report, one row per (scan, issue). */
  rows: ScanIssueRow[];
}

/** Everything an entity's insights are computed from. */
export interface EntityState {
  entity: EntityRow;
  links: TargetLinkView[];
  targets: ShownTarget[];
  /** Approved exemptions that can cover the shown targets' issues. */
  exemptions: ExemptionRow[];
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
export async function entityState(db: Db, entity: EntityRow): Promise<EntityState> {
  return (await entityStates(db, [entity]))[0] as EntityState;
}

/**
 * entityState for many entities with a handful of queries in all, not per entity: refreshing
 * 10 000 summaries (a catalog registered on PostgreSQL) is then bound by the work, not by round trips.
 */
export async function entityStates(db: Db, entities: readonly EntityRow[]): Promise<EntityState[]> {
  const linksByEntity = await linksOfEntities(db, entities.map((e) => e.id));
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
  const targets: Array<{ id: number; name: string; scope: string; type: string }> = [];
  for (const batch of batches(targetIds)) targets.push(...(await db.selectFrom('targets').select(['id', 'name', 'scope', 'type']).where('id', 'in', batch).execute()));
  const rows: ScanIssueRow[] = [];
  for (const batch of batches(scans.map((s) => s.id))) rows.push(...(await scanIssueRows(db, batch)));
  const exemptions = await approvedExemptionsFor(db, targetIds);

  const targetById = new Map(targets.map((t) => [t.id, t]));
  const scansByVariant = new Map<number, typeof scans>();
  for (const scan of scans) scansByVariant.set(scan.variant_id, [...(scansByVariant.get(scan.variant_id) ?? []), scan]);
  const rowsByScan = new Map<number, ScanIssueRow[]>();
  for (const row of rows) {
    const list = rowsByScan.get(row.scan_id);
    if (list) list.push(row);
    else rowsByScan.set(row.scan_id, [row]);
  }

  return entities.map((entity) => {
    const shownTargets = shownByEntity.get(entity.id) ?? [];
    const ids = new Set(shownTargets.map((s) => s.link.targetId));
    return {
      entity,
      links: linksByEntity.get(entity.id) ?? [],
      exemptions: exemptions.filter((e) => e.level !== 'target' || (e.target_id !== null && ids.has(e.target_id))),
      targets: shownTargets.map(({ link, origins }) => {
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
        };
      }),
    };
  });
}
