import type { Kysely } from 'kysely';
import { NotFoundError } from '../domain/errors.js';
import { findEntityByRef } from '../store/catalog-entities.js';
import { approvedExemptionsFor } from '../store/exemptions.js';
import { type ScanIssueRow, scanIssueRows } from '../store/issues.js';
import type { Database, EntityRow, ExemptionRow } from '../store/schema.js';
import { linksOfEntity, type TargetLinkView } from '../store/target-links.js';

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
  const links = await linksOfEntity(db, entity.id);
  const byKey = new Map<string, { link: TargetLinkView; origins: Set<'annotation' | 'source-url'> }>();
  for (const link of links) {
    if (!link.matched || link.targetId === null || link.variantId === null) continue;
    const key = `${link.targetId}:${link.variantId}`;
    const shown = byKey.get(key) ?? { link, origins: new Set() };
    shown.origins.add(link.origin);
    byKey.set(key, shown);
  }
  const shown = [...byKey.values()];
  const variantIds = [...new Set(shown.map((s) => s.link.variantId as number))];
  const targetIds = [...new Set(shown.map((s) => s.link.targetId as number))];
  const [scans, targets, exemptions] = await Promise.all([
    variantIds.length === 0
      ? []
      : db
          .selectFrom('scans')
          .select(['id', 'variant_id', 'scanner', 'scanned_at'])
          .where('id', 'in', (eb) => eb.selectFrom('scans').select((e) => e.fn.max('id').as('id')).where('variant_id', 'in', variantIds).groupBy(['variant_id', 'scanner']))
          .execute(),
    targetIds.length === 0 ? [] : db.selectFrom('targets').select(['id', 'name', 'scope', 'type']).where('id', 'in', targetIds).execute(),
    approvedExemptionsFor(db, targetIds),
  ]);
  const rows = await scanIssueRows(db, scans.map((s) => s.id));
  const targetById = new Map(targets.map((t) => [t.id, t]));
  return {
    entity,
    links,
    exemptions,
    targets: shown.map(({ link, origins }) => {
      const target = targetById.get(link.targetId as number);
      const current = scans.filter((s) => s.variant_id === link.variantId);
      const ids = new Set(current.map((s) => s.id));
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
        rows: rows.filter((r) => ids.has(r.scan_id)),
      };
    }),
  };
}
