import { type Kysely, sql } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';
import { InputError } from '../domain/errors.js';
import { emptyCounts, SEVERITIES, type SeverityCounts } from '../domain/severity.js';
import { batches } from '../store/batches.js';
import type { Database, EntityRow } from '../store/schema.js';
import { scopeAllowed } from '../store/scope-filter.js';
import { type EntityState, entityStates } from './entity-state.js';
import { type EntitySummary, summarise } from './summary.js';

type Db = Kysely<Database>;

/** The kinds whose page shows the roll-up of their members, and what their members are. */
export const ROLLUP_KINDS = ['system', 'domain', 'group'] as const;

/**
 * The state of several entities seen as one: every target+variant any of them shows, once, and
 * every exemption that can cover them. summarise() counts an issue once per id, so a target shown
 * by several members counts its issues once (distinct issues).
 */
export function mergedState(entity: EntityRow, states: readonly EntityState[]): EntityState {
  const targets = new Map<string, EntityState['targets'][number]>();
  const exemptions = new Map<number, EntityState['exemptions'][number]>();
  for (const state of states) {
    for (const target of state.targets) {
      const key = `${target.targetId}:${target.variantId}`;
      const seen = targets.get(key);
      if (seen) seen.origins = [...new Set([...seen.origins, ...target.origins])].sort();
      else targets.set(key, { ...target });
    }
    for (const exemption of state.exemptions) exemptions.set(exemption.id, exemption);
  }
  return { entity, links: [], targets: [...targets.values()], exemptions: [...exemptions.values()] };
}

/** One member of a roll-up, with its own counts (its own issues, as its page shows them). */
export interface RollupMember {
  entityRef: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  /** The system through which a domain holds this member; null for a direct member. */
  via: string | null;
  hasData: boolean;
  counts: SeverityCounts | null;
  links: number;
  unmatchedLinks: number;
  lastScanAt: string | null;
}

export interface EntityRollup {
  entityRef: string;
  kind: string;
  /** Members the caller may read. */
  members: RollupMember[];
  /** The members' issues as one summary: each issue once, however many members show it. */
  summary: EntitySummary;
}

const lower = (column: string) => sql<string>`lower(${sql.ref(column)})`;

/**
 * The members of a System (entities whose spec.system names it), a Domain (its systems, their
 * members, and entities naming the domain directly) or a Group (entities it owns), in the caller's scopes.
 */
async function membersOf(db: Db, entity: EntityRow, scopes: ScopeFilter): Promise<Array<{ row: EntityRow; via: string | null }>> {
  const kind = entity.kind.toLowerCase();
  const select = () => db.selectFrom('entities').selectAll().where((eb) => scopeAllowed(eb, 'entities.scope', scopes)).where('id', '!=', entity.id);
  if (kind === 'system') return (await select().where(lower('system_ref'), '=', entity.ref_key).orderBy('ref_key').execute()).map((row) => ({ row, via: null }));
  if (kind === 'group') return (await select().where(lower('owner_ref'), '=', entity.ref_key).orderBy('ref_key').execute()).map((row) => ({ row, via: null }));
  if (kind === 'domain') {
    const direct = await select().where(lower('domain_ref'), '=', entity.ref_key).orderBy('ref_key').execute();
    const systems = direct.filter((e) => e.kind.toLowerCase() === 'system');
    const members: Array<{ row: EntityRow; via: string | null }> = direct.map((row) => ({ row, via: null }));
    const seen = new Set(direct.map((e) => e.id));
    for (const batch of batches(systems.map((s) => s.ref_key))) {
      const rows = await select().where(lower('system_ref'), 'in', batch).orderBy('ref_key').execute();
      for (const row of rows) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        members.push({ row, via: row.system_ref });
      }
    }
    return members;
  }
  throw new InputError(`Entity ${entity.ref} is a ${entity.kind}: roll-ups are for a System, a Domain or a Group (expected one of ${ROLLUP_KINDS.join(', ')}).`);
}

/** A System's, Domain's or Group's members and the roll-up of their issues (docs/insights-api.md). */
export async function entityRollup(db: Db, entity: EntityRow, scopes: ScopeFilter, now: string): Promise<EntityRollup> {
  const members = await membersOf(db, entity, scopes);
  const states = await entityStates(
    db,
    members.map((m) => m.row),
  );
  const summaries = states.map((state) => summarise(state, now));
  const summary = summarise(mergedState(entity, states), now);
  summary.unmatchedLinks = summaries.reduce((sum, s) => sum + s.unmatchedLinks, 0);
  return {
    entityRef: entity.ref,
    kind: entity.kind,
    members: members.map(({ row, via }, i) => {
      const own = summaries[i] as EntitySummary;
      return {
        entityRef: row.ref,
        kind: row.kind,
        namespace: row.namespace,
        name: row.name,
        title: row.title,
        via,
        hasData: own.hasData,
        counts: own.hasData ? own.counts : null,
        links: own.links.length,
        unmatchedLinks: own.unmatchedLinks,
        lastScanAt: own.lastScanAt,
      };
    }),
    summary,
  };
}

/** An entity of a set whose issues are counted: its stored counts, and the targets its links show. */
export interface CountedEntity {
  id: number;
  hasData: boolean;
  counts: SeverityCounts;
  targetIds: readonly number[];
}

/**
 * Distinct issues over sets of entities. An entity sharing no shown target with another entity of
 * its set adds its own counts (issues belong to one target, so nobody else can show them); those
 * that do share are merged and summarised, so a shared target's issues count once.
 */
export async function distinctCounts(db: Db, sets: ReadonlyArray<readonly CountedEntity[]>, now: string): Promise<SeverityCounts[]> {
  const sharing = sets.map((set) => {
    const showing = new Map<number, number>();
    for (const entity of set) for (const id of new Set(entity.targetIds)) showing.set(id, (showing.get(id) ?? 0) + 1);
    return new Set(set.filter((e) => e.targetIds.some((id) => (showing.get(id) ?? 0) > 1)).map((e) => e.id));
  });
  const needed = [...new Set(sharing.flatMap((s) => [...s]))];
  const stateById = new Map<number, EntityState>();
  for (const ids of batches(needed, 200)) {
    const rows = await db.selectFrom('entities').selectAll().where('id', 'in', ids).execute();
    for (const state of await entityStates(db, rows)) stateById.set(state.entity.id, state);
  }
  return sets.map((set, i) => {
    const shared = sharing[i] as Set<number>;
    const counts = emptyCounts();
    const merged: EntityState[] = [];
    for (const entity of set) {
      if (!entity.hasData) continue;
      if (shared.has(entity.id)) {
        const state = stateById.get(entity.id);
        if (state) merged.push(state);
        continue;
      }
      for (const s of [...SEVERITIES, 'total'] as const) counts[s] += entity.counts[s];
    }
    if (merged.length > 0) {
      const together = summarise(mergedState((merged[0] as EntityState).entity, merged), now).counts;
      for (const s of [...SEVERITIES, 'total'] as const) counts[s] += together[s];
    }
    return counts;
  });
}
