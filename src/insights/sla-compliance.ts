import { type Kysely, sql } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';
import { SEVERITIES, type Severity, severityFromRank } from '../domain/severity.js';
import { batches } from '../store/batches.js';
import type { Database } from '../store/schema.js';
import { scopeAllowed } from '../store/scope-filter.js';
import { falsePositive, type FixedClock, fixVerdicts, type RemediationTally } from './sla-clock.js';
import type { SlaPolicies } from './sla.js';

type Db = Kysely<Database>;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The periods the dashboard offers, in days. */
export const SLA_COMPLIANCE_PERIODS = [30, 90, 180] as const;

/** GET /api/insights/sla-compliance: fixes across the catalog over a period, per owner, system and domain, and MTTR per severity. */
export interface SlaCompliance {
  period: { from: string; to: string; days: number };
  /** Every fix once, however many entities show its target. */
  overall: RemediationTally;
  /** The mean time to remediate (and the rest of the tally) per severity. */
  bySeverity: Record<Severity, RemediationTally>;
  /** Worst compliance first; those without a fix with an SLA ("no data") last. */
  byOwner: Array<RemediationTally & { owner: string }>;
  bySystem: Array<RemediationTally & { system: string }>;
  byDomain: Array<RemediationTally & { domain: string }>;
}

/** Fixes of one variant, severity and verdict: how many, and their days to fix summed. */
interface Bucket {
  variantId: number;
  severity: Severity;
  fixedWithinSla: boolean | null;
  fixed: number;
  days: number;
}

/** The tally of some buckets, as tallyFixes() counts fixes (one decimal). */
function tallyBuckets(buckets: readonly Bucket[]): RemediationTally {
  let fixed = 0;
  let within = 0;
  let late = 0;
  let days = 0;
  for (const b of buckets) {
    fixed += b.fixed;
    days += b.days;
    if (b.fixedWithinSla === true) within += b.fixed;
    if (b.fixedWithinSla === false) late += b.fixed;
  }
  return {
    fixed,
    fixedWithinSla: within,
    fixedLate: late,
    slaCompliance: within + late === 0 ? null : Math.round((within / (within + late)) * 1000) / 10,
    mttrDays: fixed === 0 ? null : Math.round((days / fixed) * 10) / 10,
  };
}

/**
 * The fixes whose fix time falls in the last `days` days, in the variants that entities the caller
 * may read show (targets the caller may read), with the verdicts kept when each was judged. The
 * kept verdicts are added up in the database per variant, severity and verdict, through an index
 * on the fix time that holds them (never reading the open issues, nor one row per fix); the few
 * fixes not judged yet and those a false-positive exemption names are read one by one. A fix
 * counts once per owner, system, domain and overall, however many of its entities show it (a
 * group's fixes are those of the distinct variants its entities show); false positives are not fixes.
 */
export async function slaCompliance(db: Db, policies: SlaPolicies, scopes: ScopeFilter, now: string, days: number): Promise<SlaCompliance> {
  const from = new Date(Date.parse(now) - days * DAY_MS).toISOString();
  const stored = await db
    .selectFrom('sla_clocks')
    .select((eb) => ['variant_id', 'severity', 'fixed_within_sla', eb.fn.countAll<number>().as('fixed'), eb.fn.sum<number>('days_to_fix').as('days')])
    .where('fixed_at', '>=', from)
    .where('fixed_at', '<=', now)
    .where('judged_at', 'is not', null)
    .groupBy(['variant_id', 'severity', 'fixed_within_sla'])
    .execute();
  const unjudged = await db
    .selectFrom('sla_clocks')
    .select(['id', 'variant_id', 'issue_id', 'severity', 'clock_from', 'fixed_at'])
    .where('fixed_at', '>=', from)
    .where('fixed_at', '<=', now)
    .where('judged_at', 'is', null)
    .execute();

  const shownBy = await variantsShown(db, [...new Set([...stored.map((r) => r.variant_id), ...unjudged.map((r) => r.variant_id)])], scopes);
  const buckets: Bucket[] = stored
    .filter((r) => shownBy.has(r.variant_id))
    .map((r) => ({ variantId: r.variant_id, severity: severityFromRank(r.severity ?? 0), fixedWithinSla: r.fixed_within_sla === null ? null : r.fixed_within_sla === 1, fixed: Number(r.fixed), days: Number(r.days ?? 0) }));

  // False positives are not fixes: those a false-positive exemption names are taken back out.
  const falsePositives = buckets.length + unjudged.length === 0 ? [] : await db.selectFrom('exemptions').selectAll().where('status', '=', 'approved').where('reason', '=', 'false_positive').execute();
  const named = new Set<number>();
  if (falsePositives.length > 0) {
    const issueIds = falsePositives.map((e) => e.issue_id).filter((id): id is number => id !== null);
    const keys = [...new Set(falsePositives.map((e) => e.key?.toLowerCase()).filter((k): k is string => k !== undefined))];
    const candidates = await db
      .selectFrom('sla_clocks as c')
      .innerJoin('issues as i', 'i.id', 'c.issue_id')
      .select(['c.id', 'c.variant_id', 'c.issue_id', 'c.severity', 'c.fixed_within_sla', 'c.days_to_fix', 'c.judged_at', 'i.vulnerability_id', 'i.rule_id'])
      .where('c.fixed_at', '>=', from)
      .where('c.fixed_at', '<=', now)
      .where((eb) =>
        eb.or([
          ...(issueIds.length > 0 ? [eb('c.issue_id', 'in', issueIds)] : []),
          ...(keys.length > 0 ? [eb(sql`lower(i.vulnerability_id)`, 'in', keys), eb(sql`lower(i.rule_id)`, 'in', keys)] : []),
        ]),
      )
      .execute();
    for (const c of candidates) {
      const shown = shownBy.get(c.variant_id);
      if (!shown || !falsePositive({ id: c.issue_id, targetId: shown.targetId, targetScope: shown.targetScope, vulnerabilityId: c.vulnerability_id, ruleId: c.rule_id }, falsePositives)) continue;
      named.add(c.id);
      if (c.judged_at !== null) buckets.push({ variantId: c.variant_id, severity: severityFromRank(c.severity ?? 0), fixedWithinSla: c.fixed_within_sla === null ? null : c.fixed_within_sla === 1, fixed: -1, days: -Number(c.days_to_fix ?? 0) });
    }
  }

  // Fixes not judged yet (rebuilt by a migration, before the background sweep kept their verdicts): judged now.
  const toJudge = unjudged.filter((c) => shownBy.has(c.variant_id) && !named.has(c.id));
  const ids = new Map<number, { vulnerability_id: string | null; rule_id: string | null }>();
  for (const batch of batches(new Set(toJudge.map((c) => c.issue_id)))) {
    for (const row of await db.selectFrom('issues').select(['id', 'vulnerability_id', 'rule_id']).where('id', 'in', batch).execute()) ids.set(row.id, row);
  }
  const fixes: FixedClock[] = toJudge.map((c) => {
    const shown = shownBy.get(c.variant_id) as Shown;
    return {
      id: c.id,
      issueId: c.issue_id,
      targetId: shown.targetId,
      targetScope: shown.targetScope,
      vulnerabilityId: ids.get(c.issue_id)?.vulnerability_id ?? null,
      ruleId: ids.get(c.issue_id)?.rule_id ?? null,
      severity: c.severity,
      clockFrom: c.clock_from,
      fixedAt: c.fixed_at as string,
      stored: null,
    };
  });
  const verdicts = await fixVerdicts(db, fixes, policies);
  for (const [i, fix] of fixes.entries()) {
    const verdict = verdicts.get(fix.id) as NonNullable<ReturnType<typeof verdicts.get>>;
    buckets.push({ variantId: (toJudge[i] as (typeof toJudge)[number]).variant_id, severity: severityFromRank(fix.severity ?? 0), fixedWithinSla: verdict.fixedWithinSla, fixed: 1, days: verdict.daysToFix });
  }

  const systems = await db
    .selectFrom('entities')
    .select(['ref_key', 'domain_ref'])
    .where(sql`lower(kind)`, '=', 'system')
    .where((eb) => scopeAllowed(eb, 'entities.scope', scopes))
    .execute();
  const domainOfSystem = new Map(systems.map((s) => [s.ref_key, s.domain_ref]));
  const byOwner = new Map<string, Set<number>>();
  const bySystem = new Map<string, Set<number>>();
  const byDomain = new Map<string, Set<number>>();
  const add = (groups: Map<string, Set<number>>, name: string | null, variantId: number) => {
    if (!name) return;
    const variants = groups.get(name);
    if (variants) variants.add(variantId);
    else groups.set(name, new Set([variantId]));
  };
  for (const [variantId, shown] of shownBy) {
    for (const e of shown.entities) {
      add(byOwner, e.owner_ref, variantId);
      add(bySystem, e.system_ref, variantId);
      // A domain holds the members of its systems, and whatever names it directly (as the overview counts).
      add(byDomain, (e.system_ref ? domainOfSystem.get(e.system_ref.toLowerCase()) : undefined) ?? e.domain_ref, variantId);
    }
  }
  const byVariant = new Map<number, Bucket[]>();
  for (const b of buckets) byVariant.set(b.variantId, [...(byVariant.get(b.variantId) ?? []), b]);
  const ranked = <K extends string>(groups: Map<string, Set<number>>, name: K) =>
    [...groups.entries()]
      .map(([value, variants]) => ({ [name]: value, ...tallyBuckets([...variants].flatMap((v) => byVariant.get(v) ?? [])) }) as RemediationTally & Record<K, string>)
      .sort((a, b) => (a.slaCompliance ?? Number.POSITIVE_INFINITY) - (b.slaCompliance ?? Number.POSITIVE_INFINITY) || b.fixed - a.fixed || a[name].localeCompare(b[name]));
  return {
    period: { from, to: now, days },
    overall: tallyBuckets(buckets),
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, tallyBuckets(buckets.filter((b) => b.severity === s))])) as Record<Severity, RemediationTally>,
    byOwner: ranked(byOwner, 'owner'),
    bySystem: ranked(bySystem, 'system'),
    byDomain: ranked(byDomain, 'domain'),
  };
}

interface Shown {
  targetId: number;
  targetScope: string;
  entities: Array<{ owner_ref: string | null; system_ref: string | null; domain_ref: string | null }>;
}

/** Who shows each of these variants: its target, and the readable entities whose links show it (none: left out). */
async function variantsShown(db: Db, variantIds: readonly number[], scopes: ScopeFilter): Promise<Map<number, Shown>> {
  const out = new Map<number, Shown>();
  const seen = new Set<string>();
  for (const batch of batches(variantIds)) {
    const links = await db
      .selectFrom('entity_links as l')
      .innerJoin('entities as e', 'e.id', 'l.entity_id')
      .innerJoin('variants as v', 'v.id', 'l.variant_id')
      .innerJoin('targets as t', 't.id', 'v.target_id')
      .select(['l.variant_id', 'l.entity_id', 't.id as target_id', 't.scope as target_scope', 'e.owner_ref', 'e.system_ref', 'e.domain_ref'])
      .where('l.variant_id', 'in', batch)
      .where((eb) => scopeAllowed(eb, 'e.scope', scopes))
      .where((eb) => scopeAllowed(eb, 't.scope', scopes))
      .execute();
    for (const link of links) {
      const variantId = link.variant_id as number;
      // An entity with two links to one variant shows it once.
      if (seen.has(`${variantId}:${link.entity_id}`)) continue;
      seen.add(`${variantId}:${link.entity_id}`);
      const shown = out.get(variantId) ?? { targetId: link.target_id, targetScope: link.target_scope, entities: [] };
      shown.entities.push(link);
      out.set(variantId, shown);
    }
  }
  return out;
}
